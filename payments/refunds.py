"""Refunds: create one against what is still refundable, and list the tenant's refunds.

Refundable = captured - refunded (as the ledger knows it) - refunds in flight (recorded
`pending` by this API and not yet counted by a webhook). Stripe stays the authority: two
concurrent refunds that together exceed the rest are refused by Stripe itself (409/422).
The refund is recorded as `refunds/{id}` (pending) right after Stripe answers; the webhook's
projection overwrites it.

A disputed payment is refused before Stripe is asked (409 `charge_disputed`), by Stripe's own
rule: once a dispute on the charge says `is_charge_refundable: false` (a chargeback: open, won
or lost alike) Stripe refuses every refund with `charge_disputed`, which the gateway also
translates to 409. An inquiry (`is_charge_refundable: true`) does not block a refund.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.errors import Conflict, Unprocessable
from ledger.collections import REFUNDS
from ledger.store import AbstractStore, Doc, DocKey, Query
from payments.commands import CreateRefund
from payments.pagination import list_by_status_and_payment
from payments.payment_actions import add_note, note_id
from payments.payment_queries import load_payment
from payments.stripe_gateway import AbstractStripeGateway

__all__ = [
    "DISPUTED_MESSAGE",
    "REFUND_STATUSES",
    "blocking_dispute",
    "create_refund",
    "in_flight",
    "list_refunds",
    "refund_view",
    "refuse_if_disputed",
]

REFUND_STATUSES = ("pending", "requires_action", "succeeded", "failed", "canceled")
SETTLED_AWAY = {"failed", "canceled"}
DISPUTED_MESSAGE = (
    "Refunds are not possible while the payment is disputed: the card network has already "
    "taken the money back, and the dispute decides where it ends up"
)
VIEW_FIELDS = (
    "payment_id",
    "status",
    "amount",
    "currency",
    "reason",
    "failure_reason",
    "charge_id",
    "metadata",
    "created",
    "updated",
)


def create_refund(
    cmd: CreateRefund,
    store: AbstractStore,
    stripe: AbstractStripeGateway,
    *,
    idempotency_key: str | None,
    now: datetime,
) -> Doc:
    doc_id, payment = load_payment(store, cmd.tenant_id, cmd.payment_id)
    intent = payment.get("payment_intent_id")
    captured = int(payment.get("amount_captured") or 0)
    if not intent or captured == 0:
        raise Conflict("Only a captured payment can be refunded", code="payment_not_captured")
    refuse_if_disputed(payment)
    pending = in_flight(store, cmd.tenant_id, doc_id, payment)
    refundable = captured - int(payment.get("amount_refunded") or 0) - pending
    amount = cmd.amount if cmd.amount is not None else refundable
    if refundable <= 0 or amount > refundable:
        raise Unprocessable(
            f"The refund exceeds what is still refundable ({max(refundable, 0)} "
            f"{payment.get('currency')}, with {pending} in flight)",
            code="amount_exceeds_refundable",
            param="amount",
        )
    params: dict[str, Any] = {
        "payment_intent": intent,
        "amount": amount,
        "metadata": {**cmd.metadata, "tenant_id": cmd.tenant_id},
    }
    if cmd.reason:
        params["reason"] = cmd.reason
    refund = stripe.create_refund(
        payment["merchant_account_id"], params, idempotency_key=idempotency_key
    )
    record = _pending_record(refund, cmd, doc_id, now=now)
    store.create(DocKey(REFUNDS, refund["id"]), record)  # False: the webhook was first
    note = {"type": "refund", "amount": amount, "refund_id": refund["id"], "status": "requested"}
    add_note(store, doc_id, note_id("refund", idempotency_key or refund["id"], now), note, now=now)
    return refund_view(refund["id"], {**record, "status": refund.get("status") or "pending"})


def blocking_dispute(payment: Doc) -> str | None:
    """The dispute (id) for which Stripe would refuse any refund of the payment: one the
    ledger snapshot (`sources.disputes`) holds without `is_charge_refundable: true`."""
    disputes = (payment.get("sources") or {}).get("disputes") or {}
    return next(
        (
            dispute_id
            for dispute_id, entry in sorted(disputes.items())
            if (entry.get("state") or {}).get("is_charge_refundable") is not True
        ),
        None,
    )


def refuse_if_disputed(payment: Doc) -> None:
    """`Conflict` (`charge_disputed`) when a dispute blocks refunds of the payment."""
    dispute_id = blocking_dispute(payment)
    if dispute_id is not None:
        raise Conflict(f"{DISPUTED_MESSAGE} ({dispute_id})", code="charge_disputed")


def in_flight(store: AbstractStore, tenant_id: str, payment_id: str, payment: Doc) -> int:
    """Refunds this API recorded that the payment's ledger does not count yet."""
    rows = store.query(
        Query(REFUNDS, where=(("tenant_id", "==", tenant_id), ("payment_id", "==", payment_id)))
    )
    counted = {fact.get("source_id") for fact in (payment.get("ledger") or {}).values()}
    return sum(
        int(doc.get("amount") or 0)
        for refund_id, doc in rows
        if refund_id not in counted and doc.get("status") not in SETTLED_AWAY
    )


def list_refunds(store: AbstractStore, tenant_id: str, args: Mapping[str, str]) -> Doc:
    return list_by_status_and_payment(
        store,
        REFUNDS,
        tenant_id,
        args,
        statuses=REFUND_STATUSES,
        tiebreak="refund_id",
        view=refund_view,
    )


def refund_view(refund_id: str, doc: Doc) -> Doc:
    return {"object": "refund", "id": refund_id, **{name: doc.get(name) for name in VIEW_FIELDS}}


def _pending_record(refund: Doc, cmd: CreateRefund, payment_id: str, *, now: datetime) -> Doc:
    created = int(refund.get("created") or now.timestamp())
    return {
        "refund_id": refund["id"],
        "tenant_id": cmd.tenant_id,
        "payment_id": payment_id,
        "status": "pending",
        "amount": refund.get("amount"),
        "currency": refund.get("currency"),
        "reason": refund.get("reason"),
        "failure_reason": None,
        "charge_id": refund.get("charge") if isinstance(refund.get("charge"), str) else None,
        "metadata": cmd.metadata,
        "created": created,
        "updated": created,
        "requested_via": "api",
    }
