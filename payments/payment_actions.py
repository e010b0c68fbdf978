"""Capturing and canceling a payment's PaymentIntent on the tenant's connected account.

The ledger gets an API note at once (`initiated`), Stripe is called outside any transaction
with the client's idempotency key, and the note records Stripe's answer (`requested` or
`failed`). The snapshot itself only moves when the webhook arrives: Stripe stays the authority.
Notes live in the payment's `api_notes` map, written field by field (`api_notes.<id>`), so
they never clobber the reducer's fields, and the reducer keeps them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime

from core.errors import AppError, Conflict, Unprocessable
from ledger.collections import PAYMENTS
from ledger.store import AbstractStore, Doc, DocKey
from payments.commands import CancelPayment, CapturePayment
from payments.payment_queries import load_payment, payment_view
from payments.stripe_gateway import AbstractStripeGateway, Obj

__all__ = ["CANCELABLE", "add_note", "cancel_payment", "capture_payment", "note_id", "settle_note"]

CANCELABLE = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}
    | {"failed"}  # Stripe: requires_payment_method, after a failed attempt
)


def capture_payment(
    cmd: CapturePayment,
    store: AbstractStore,
    stripe: AbstractStripeGateway,
    *,
    idempotency_key: str | None,
    now: datetime,
) -> Doc:
    doc_id, doc = load_payment(store, cmd.tenant_id, cmd.payment_id)
    intent = _intent_of(doc_id, doc)
    if doc.get("status") != "requires_capture":
        raise Conflict(
            f"Only an authorized payment (requires_capture) can be captured; this one is "
            f"{doc.get('status')}",
            code="payment_not_capturable",
        )
    capturable = int(doc.get("amount_capturable") or 0)
    if cmd.amount_to_capture is not None and cmd.amount_to_capture > capturable:
        raise Unprocessable(
            f"amount_to_capture exceeds the capturable amount ({capturable})",
            code="amount_too_large",
            param="amount_to_capture",
        )
    note = {"type": "capture", "amount": cmd.amount_to_capture or capturable}
    return _act(
        store,
        doc_id,
        note,
        idempotency_key,
        now,
        lambda: stripe.capture_payment_intent(
            doc["merchant_account_id"],
            intent,
            amount=cmd.amount_to_capture,
            idempotency_key=idempotency_key,
        ),
    )


def cancel_payment(
    cmd: CancelPayment,
    store: AbstractStore,
    stripe: AbstractStripeGateway,
    *,
    idempotency_key: str | None,
    now: datetime,
) -> Doc:
    doc_id, doc = load_payment(store, cmd.tenant_id, cmd.payment_id)
    intent = _intent_of(doc_id, doc)
    if doc.get("status") not in CANCELABLE:
        raise Conflict(
            f"A {doc.get('status')} payment cannot be canceled (refund it instead)",
            code="payment_not_cancelable",
        )
    note = {"type": "cancel", "reason": cmd.reason}
    return _act(
        store,
        doc_id,
        note,
        idempotency_key,
        now,
        lambda: stripe.cancel_payment_intent(
            doc["merchant_account_id"],
            intent,
            reason=cmd.reason,
            idempotency_key=idempotency_key,
        ),
    )


def _act(
    store: AbstractStore,
    doc_id: str,
    note: Doc,
    idempotency_key: str | None,
    now: datetime,
    call: Callable[[], Obj],
) -> Doc:
    identifier = note_id(str(note["type"]), idempotency_key, now)
    add_note(store, doc_id, identifier, {**note, "status": "initiated"}, now=now)
    try:
        intent = call()
    except AppError as error:
        settle_note(store, doc_id, identifier, {"status": "failed", "error": error.code}, now=now)
        raise
    settled = {"status": "requested", "stripe_status": intent.get("status")}
    settle_note(store, doc_id, identifier, settled, now=now)
    payment = payment_view(doc_id, store.get(DocKey(PAYMENTS, doc_id)) or {})
    return {
        "object": "payment_action",
        "action": note["type"],
        "note_id": identifier,
        "stripe_status": intent.get("status"),
        "payment": payment,
    }


def note_id(kind: str, idempotency_key: str | None, now: datetime) -> str:
    """Stable for one idempotency key (a retried request updates the same note)."""
    seed = idempotency_key if idempotency_key is not None else now.isoformat()
    return f"{kind}_{hashlib.sha256(seed.encode()).hexdigest()[:16]}"


def add_note(
    store: AbstractStore, doc_id: str, identifier: str, note: Doc, *, now: datetime
) -> None:
    at = int(now.timestamp())
    store.update(
        DocKey(PAYMENTS, doc_id),
        {f"api_notes.{identifier}": {**note, "created": at, "updated": at}},
    )


def settle_note(
    store: AbstractStore, doc_id: str, identifier: str, fields: Doc, *, now: datetime
) -> None:
    changes = {f"api_notes.{identifier}.{name}": value for name, value in fields.items()}
    changes[f"api_notes.{identifier}.updated"] = int(now.timestamp())
    store.update(DocKey(PAYMENTS, doc_id), changes)


def _intent_of(doc_id: str, doc: Doc) -> str:
    intent = doc.get("payment_intent_id")
    if not intent:
        raise Conflict(
            f"Payment {doc_id} has no PaymentIntent yet (its checkout is not paid)",
            code="payment_not_started",
        )
    return str(intent)
