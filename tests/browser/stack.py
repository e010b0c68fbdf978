"""The running stack the browser tests drive (`tests.support.stacks.product_stack`, with
`APP_BASE_URL` its own URL, for Stripe's return URLs and the email links), plus seeds for what
a browser cannot make quickly (a dispute, a failed webhook event, a second business)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import bootstrap
from ledger.collections import DISPUTES, PAYMENTS, REFUNDS, WEBHOOK_EVENTS
from ledger.store import DocKey
from tests.support import stripe_events as se
from tests.support.stacks import product_stack


@dataclass(frozen=True)
class DashboardStack:
    url: str
    stripe_url: str
    mail_url: str


@contextmanager
def dashboard_stack(mail_url: str, pubsub_host: str) -> Iterator[DashboardStack]:
    """The whole product (`product_stack`), its own URL the base of every link it sends."""
    with product_stack(mail_url, pubsub_host, own_base_url=True) as running:
        yield DashboardStack(running.url, running.stripe_url, mail_url)


def now() -> int:
    return int(datetime.now(UTC).timestamp())


def seed_payment(
    tenant_id: str,
    *,
    amount: int = 2500,
    status: str = "succeeded",
    email: str = "customer@example.test",
    reference: str | None = None,
    created: int | None = None,
) -> str:
    """A card payment of the tenant as the webhooks would have recorded it: its id."""
    payment_id = f"pi_seed_{uuid.uuid4().hex[:12]}"
    captured = amount if status in ("succeeded", "partially_refunded", "disputed") else 0
    at = created or now()
    facts = {}
    if captured:
        facts[f"capture_{payment_id}"] = {
            "type": "capture",
            "amount": captured,
            "currency": "usd",
            "source_id": f"ch_{payment_id}",
            "event_id": f"evt_{payment_id}",
            "created": at,
        }
    bootstrap.store().create(
        DocKey(PAYMENTS, payment_id),
        {
            "payment_id": payment_id,
            "tenant_id": tenant_id,
            "merchant_account_id": "acct_seed",
            "payment_intent_id": payment_id,
            "status": status,
            "amount": amount,
            "amount_captured": captured,
            "amount_refunded": 0,
            "currency": "usd",
            "customer_email": email,
            "client_reference_id": reference,
            "created": at,
            "sources": {},
            "ledger": facts,
        },
    )
    return payment_id


def seed_dispute(tenant_id: str, payment_id: str, *, amount: int = 2500) -> str:
    dispute_id = f"dp_seed_{uuid.uuid4().hex[:12]}"
    due = now() + int(timedelta(days=6).total_seconds())
    bootstrap.store().create(
        DocKey(DISPUTES, dispute_id),
        {
            "dispute_id": dispute_id,
            "tenant_id": tenant_id,
            "payment_id": payment_id,
            "status": "needs_response",
            "reason": "fraudulent",
            "amount": amount,
            "currency": "usd",
            "charge_id": f"ch_{payment_id}",
            "due_by": due,
            "created": now(),
            "updated": now(),
        },
    )
    return dispute_id


def seed_refund(tenant_id: str, payment_id: str, *, amount: int = 500) -> str:
    refund_id = f"re_seed_{uuid.uuid4().hex[:12]}"
    bootstrap.store().create(
        DocKey(REFUNDS, refund_id),
        {
            "refund_id": refund_id,
            "tenant_id": tenant_id,
            "payment_id": payment_id,
            "status": "succeeded",
            "amount": amount,
            "currency": "usd",
            "reason": "requested_by_customer",
            "failure_reason": None,
            "charge_id": f"ch_{payment_id}",
            "created": now(),
            "updated": now(),
        },
    )
    return refund_id


def seed_failed_event(tenant_id: str, account: str) -> str:
    """An inbox record that failed with an error, as after a handler crash: replayable."""
    method = se.stripe_object("payment_method", id=f"pm_{uuid.uuid4().hex[:10]}")
    payload = se.event("payment_method.attached", method, created=now(), account=account)
    moment = datetime.now(UTC)
    bootstrap.store().create(
        DocKey(WEBHOOK_EVENTS, payload["id"]),
        {
            "id": payload["id"],
            "type": payload["type"],
            "account": account,
            "tenant_id": tenant_id,
            "livemode": False,
            "created": payload["created"],
            "status": "failed",
            "ignored_reason": None,
            "attempts": 3,
            "last_error": "RuntimeError: the ledger rejected the event (seeded for the test)",
            "received_at": moment,
            "processed_at": None,
            "next_retry_at": moment + timedelta(hours=1),
            "claim": None,
            "payment_id": None,
            "applied": None,
            "payload": json.dumps(payload),
        },
    )
    return str(payload["id"])
