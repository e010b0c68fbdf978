"""Checkout Sessions on the tenant's connected account, and the pending payment they leave.

The payment is recorded at once as `payments/{checkout_session_id}`, built by the reducer
from the session itself, so the `checkout.session.*` webhook (which carries both ids) folds it
into `payments/{payment_intent_id}` and deletes it: one payment, never two.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.collections import PAYMENTS
from ledger.store import AbstractStore, Doc, DocKey
from payments.commands import CreateCheckoutSession
from payments.errors import Conflict
from payments.events.objects import checkout_session_update
from payments.events.snapshot import empty_document, merge_documents
from payments.stripe_gateway import AbstractStripeGateway, Obj
from payments.tenants import connected_account, load_tenant

__all__ = ["create_checkout_session", "platform_fee", "provisional_payment", "session_params"]

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
    session = stripe.create_checkout_session(
        account,
        session_params(cmd, fee),
        idempotency_key=idempotency_key,
    )
    store.create(  # False: a replayed call already recorded it (or the webhook folded it)
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


def session_params(cmd: CreateCheckoutSession, fee: int) -> dict[str, Any]:
    intent_data: dict[str, Any] = {
        "capture_method": cmd.capture_method,
        "metadata": {"tenant_id": cmd.tenant_id},
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
