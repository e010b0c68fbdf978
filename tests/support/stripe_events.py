"""Stripe event payloads for tests, built on Stripe's published example objects
(`tests/fixtures/stripe_resources.json`: the resources the tests use, copied unchanged from
`../shared/stripe/fixtures3.json`) so they have every key a real payload has."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "stripe_resources.json"
ACCOUNT = "acct_1TestMerchant"
T0 = 1_700_000_000

Obj = dict[str, Any]


@functools.cache
def fixtures() -> dict[str, Obj]:
    resources: dict[str, Obj] = json.loads(FIXTURES.read_text())["resources"]
    return resources


def stripe_object(resource: str, **fields: Any) -> Obj:
    obj = copy.deepcopy(fixtures()[resource])
    obj.update(fields)
    return obj


def event(
    event_type: str,
    obj: Obj,
    *,
    created: int,
    event_id: str | None = None,
    account: str | None = ACCOUNT,
    livemode: bool = False,
    previous_attributes: Obj | None = None,
) -> Obj:
    payload = copy.deepcopy(fixtures()["event"])
    data: Obj = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    payload.update(
        id=event_id or f"evt_{event_type.replace('.', '_')}_{obj['id']}_{created}",
        type=event_type,
        created=created,
        data=data,
        livemode=livemode,
        api_version="2025-06-30.basil",
    )
    if account is not None:
        payload["account"] = account
    return payload


def payment_intent(pi_id: str = "pi_1", **fields: Any) -> Obj:
    base = dict(
        id=pi_id,
        amount=5000,
        currency="usd",
        status="requires_payment_method",
        amount_capturable=0,
        amount_received=0,
        latest_charge=None,
        metadata={"order": "42"},
        application_fee_amount=150,
        capture_method="automatic",
        created=T0,
        last_payment_error=None,
        canceled_at=None,
    )
    return stripe_object("payment_intent", **{**base, **fields})


def charge(ch_id: str = "ch_1", pi_id: str = "pi_1", **fields: Any) -> Obj:
    base = dict(
        id=ch_id,
        payment_intent=pi_id,
        amount=5000,
        currency="usd",
        status="succeeded",
        captured=True,
        amount_captured=5000,
        amount_refunded=0,
        refunded=False,
        application_fee_amount=150,
        created=T0 + 4,
    )
    return stripe_object("charge", **{**base, **fields})


def refund(
    re_id: str, amount: int, *, pi_id: str = "pi_1", ch_id: str = "ch_1", **fields: Any
) -> Obj:
    base = dict(
        id=re_id,
        amount=amount,
        currency="usd",
        status="succeeded",
        charge=ch_id,
        payment_intent=pi_id,
        created=T0 + 100,
    )
    return stripe_object("refund", **{**base, **fields})


def dispute(dp_id: str = "dp_1", amount: int = 3500, **fields: Any) -> Obj:
    base = dict(
        id=dp_id,
        amount=amount,
        currency="usd",
        status="needs_response",
        charge="ch_1",
        payment_intent="pi_1",
        reason="fraudulent",
        created=T0 + 300,
    )
    return stripe_object("dispute", **{**base, **fields})


def checkout_session(cs_id: str = "cs_test_1", pi_id: str | None = "pi_1", **fields: Any) -> Obj:
    base = dict(
        id=cs_id,
        payment_intent=pi_id,
        status="complete",
        payment_status="paid",
        amount_total=5000,
        currency="usd",
        client_reference_id="order_42",
        metadata={"order": "42"},
        customer_email=None,
        created=T0 - 10,
        mode="payment",
    )
    session = stripe_object("checkout.session", **{**base, **fields})
    session["customer_details"] = {**session["customer_details"], "email": "buyer@example.com"}
    return session


def payment_lifecycle() -> list[Obj]:
    """A realistic life of one payment, in Stripe's order: paid through Checkout, refunded
    twice in part, then disputed and lost."""
    succeeded = payment_intent(status="succeeded", amount_received=5000, latest_charge="ch_1")
    return [
        event("payment_intent.created", payment_intent(), created=T0),
        event("payment_intent.succeeded", succeeded, created=T0 + 4),
        event("charge.succeeded", charge(), created=T0 + 4),
        event("checkout.session.completed", checkout_session(), created=T0 + 5),
        event("refund.created", refund("re_1", 1000), created=T0 + 100),
        event("refund.created", refund("re_2", 500, created=T0 + 200), created=T0 + 200),
        event("charge.dispute.created", dispute(), created=T0 + 300),
        event("charge.dispute.closed", dispute(status="lost"), created=T0 + 400),
    ]
