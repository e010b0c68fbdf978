"""Checkout Sessions on the tenant's connected account, and the pending payment they leave.

The payment is recorded at once as `payments/{checkout_session_id}`, built by the reducer
from the session itself. The first event that names both it and the PaymentIntent folds it into
`payments/{payment_intent_id}` and deletes it: one payment, never two. The session's events
carry both ids; the intent's events (a declined attempt sends no session event) carry a
`checkout_ref` in the intent's metadata, linked to the session's payment in `checkout_refs`.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from core.errors import Conflict
from ledger.collections import CHECKOUT_REFS, PAYMENTS
from ledger.store import AbstractStore, Doc, DocKey
from payments.commands import CreateCheckoutSession
from payments.events.objects import checkout_session_update
from payments.events.snapshot import empty_document, merge_documents
from payments.stripe_gateway import AbstractStripeGateway, Obj
from payments.tenants import connected_account, load_tenant

__all__ = [
    "checkout_ref",
    "create_checkout_session",
    "platform_fee",
    "provisional_payment",
    "session_params",
]

BASIS_POINTS = 10_000


def create_checkout_session(
    cmd: CreateCheckoutSession,
    store: AbstractStore,
    stripe: AbstractStripeGateway,
    *,
    idempotency_key: str | None,
    now: datetime,
) -> Doc:
    tenant = load_tenant(store, cmd.tenant_id)
    account = connected_account(tenant)
    if not tenant.get("charges_enabled"):
        raise Conflict(
            "The tenant's Stripe account cannot take charges yet: finish onboarding "
            "(POST /api/v1/connect/account-links) and check GET /api/v1/connect/account",
            code="charges_not_enabled",
        )
    fee = platform_fee(cmd.amount_total, tenant)
    ref = checkout_ref(cmd.tenant_id, idempotency_key)
    session = stripe.create_checkout_session(
        account,
        session_params(cmd, fee, checkout_ref=ref),
        idempotency_key=idempotency_key,
    )
    link = {"tenant_id": cmd.tenant_id, "payment_id": session["id"], "created_at": now}
    store.create(DocKey(CHECKOUT_REFS, ref), link)  # False: a replayed call wrote both already
    store.create(  # False: a replayed call already recorded it (or an event folded it)
        DocKey(PAYMENTS, session["id"]),
        provisional_payment(
            session, tenant_id=cmd.tenant_id, account=account, capture_method=cmd.capture_method
        ),
    )
    return {
        "object": "checkout_session",
        "id": session["id"],
        "url": session.get("url"),
        "payment_id": session["id"],
        "status": session.get("status"),
        "amount_total": session.get("amount_total"),
        "currency": session.get("currency"),
        "application_fee_amount": fee,
        "capture_method": cmd.capture_method,
        "payment_method_types": list(cmd.payment_method_types),
        "client_reference_id": session.get("client_reference_id"),
        "expires_at": session.get("expires_at"),
    }


def platform_fee(amount_total: int, tenant: Doc) -> int:
    """The platform's fee from the tenant's settings (`platform_fee_bps`), rounded down."""
    bps = int(tenant.get("platform_fee_bps") or 0)
    return amount_total * bps // BASIS_POINTS


def checkout_ref(tenant_id: str, idempotency_key: str | None) -> str:
    """The session's name in its intent's metadata; the same for a retried request, so that
    Stripe sees the same parameters under the same idempotency key."""
    if idempotency_key is None:
        return uuid.uuid4().hex
    return hashlib.sha256(f"{tenant_id}\n{idempotency_key}".encode()).hexdigest()[:32]


def session_params(cmd: CreateCheckoutSession, fee: int, *, checkout_ref: str) -> dict[str, Any]:
    intent_data: dict[str, Any] = {
        "capture_method": cmd.capture_method,
        "metadata": {"tenant_id": cmd.tenant_id, "checkout_ref": checkout_ref},
    }
    if fee:
        intent_data["application_fee_amount"] = fee
    if cmd.client_reference_id:
        intent_data["metadata"]["client_reference_id"] = cmd.client_reference_id
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": item.currency,
                    "unit_amount": item.unit_amount,
                    "product_data": {"name": item.name},
                },
                "quantity": item.quantity,
            }
            for item in cmd.line_items
        ],
        "success_url": cmd.success_url,
        "cancel_url": cmd.cancel_url,
        "payment_method_types": list(cmd.payment_method_types),
        "payment_intent_data": intent_data,
        "metadata": {**cmd.metadata, "tenant_id": cmd.tenant_id},
    }
    if cmd.customer_email:
        params["customer_email"] = cmd.customer_email
    if cmd.client_reference_id:
        params["client_reference_id"] = cmd.client_reference_id
    return params


def provisional_payment(session: Obj, *, tenant_id: str, account: str, capture_method: str) -> Doc:
    """The payment document of a new session, derived by the reducer like any other."""
    session_id = str(session["id"])
    update = checkout_session_update(session, int(session["created"]))
    entry = {"key": list(update.key), "event_id": f"api_{session_id}", "state": update.state}
    doc = merge_documents(
        empty_document(session_id, tenant_id, account),
        {
            "sources": {"checkout_session": {session_id: entry}},
            "ledger": {},
            "flags": [],
            "updated": 0,
        },
    )
    doc["capture_method"] = capture_method  # until the intent's own state says so
    return doc
