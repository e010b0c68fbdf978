"""The payments API's service functions with fake ports (no network, no Firestore)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.errors import Conflict, NotFound, Unprocessable, ValidationError
from core.settings import Settings
from ledger.memory import MemoryStore
from ledger.store import DocKey
from payments import checkout, connect, payment_actions, payment_queries, refunds
from payments.commands import (
    CancelPayment,
    CapturePayment,
    CreateAccountLink,
    CreateCheckoutSession,
    CreateConnectAccount,
    CreateRefund,
)
from tests.support.fakes import FakeStripeGateway, add_payment

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TENANT = "t_1"
CHECKOUT = {
    "line_items": [
        {"name": "Yoga class", "unit_amount": 2500, "quantity": 2, "currency": "USD"},
        {"name": "Mat", "unit_amount": 1000, "quantity": 1, "currency": "usd"},
    ],
    "success_url": "https://shop.example/ok",
    "cancel_url": "https://shop.example/cancel",
    "client_reference_id": "order_7",
    "metadata": {"order": "7"},
}


def world(**tenant: Any) -> tuple[MemoryStore, FakeStripeGateway]:
    store = MemoryStore()
    store.docs[("tenants", TENANT)] = {"tenant_id": TENANT, "platform_fee_bps": 250, **tenant}
    return store, FakeStripeGateway()


def payment(store: MemoryStore, payment_id: str = "pi_1", **fields: Any) -> None:
    add_payment(store, payment_id, **fields)


def test_checkout_is_refused_until_the_account_can_take_charges() -> None:
    store, stripe = world()
    cmd = CreateCheckoutSession.from_body(CHECKOUT, tenant_id=TENANT)
    with pytest.raises(Conflict) as raised:
        checkout.create_checkout_session(cmd, store, stripe, idempotency_key="k", now=NOW)
    assert raised.value.code == "no_connected_account"
    store.docs[("tenants", TENANT)]["merchant_account_id"] = "acct_1"
    with pytest.raises(Conflict) as raised:
        checkout.create_checkout_session(cmd, store, stripe, idempotency_key="k", now=NOW)
    assert raised.value.code == "charges_not_enabled"
    assert stripe.calls == []


def test_checkout_creates_the_session_with_the_fee_and_records_the_pending_payment() -> None:
    store, stripe = world(merchant_account_id="acct_1", charges_enabled=True)
    cmd = CreateCheckoutSession.from_body(
        {**CHECKOUT, "capture_method": "manual"}, tenant_id=TENANT
    )
    session = checkout.create_checkout_session(cmd, store, stripe, idempotency_key="k", now=NOW)
    ((name, (account, params), options),) = stripe.calls
    assert (name, account, options) == (
        "create_checkout_session",
        "acct_1",
        {"idempotency_key": "k"},
    )
    assert params["payment_intent_data"]["application_fee_amount"] == 150  # 2.5 % of 6000
    assert params["payment_intent_data"]["capture_method"] == "manual"
    assert params["metadata"] == {"order": "7", "tenant_id": TENANT}
    assert params["payment_intent_data"]["metadata"]["tenant_id"] == TENANT
    doc = store.get(DocKey("payments", session["id"]))
    assert doc is not None
    assert (doc["tenant_id"], doc["status"], doc["amount"], doc["currency"]) == (
        TENANT,
        "requires_payment_method",
        6000,
        "usd",
    )
    assert doc["client_reference_id"] == "order_7" and doc["checkout_session_id"] == session["id"]
    assert payment_queries.get_payment(store, TENANT, session["id"])["capture_method"] == "manual"


@pytest.mark.parametrize(
    "change",
    [
        {"line_items": []},
        {"line_items": [{"name": "x", "unit_amount": 0, "quantity": 1, "currency": "usd"}]},
        {"line_items": [{"name": "x", "unit_amount": 1.5, "quantity": 1, "currency": "usd"}]},
        {"success_url": "javascript:alert(1)"},
        {"payment_method_types": ["bitcoin"]},
        {"payment_method_types": ["us_bank_account"], "capture_method": "manual"},
        {"metadata": {"tenant_id": "t_2"}},
        {"customer_email": "not-an-email"},
    ],
)
def test_invalid_checkout_requests_are_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        CreateCheckoutSession.from_body({**CHECKOUT, **change}, tenant_id=TENANT)


def test_a_payment_of_another_tenant_is_not_found() -> None:
    store, _ = world()
    payment(store, tenant_id="t_2")
    with pytest.raises(NotFound):
        payment_queries.get_payment(store, TENANT, "pi_1")
    with pytest.raises(NotFound):
        payment_queries.payment_timeline(store, TENANT, "pi_1")


def test_the_list_pages_newest_first_with_a_stable_cursor() -> None:
    store, _ = world()
    for index in range(7):
        payment(store, f"pi_{index}", created=100 + index // 2)
    payment(store, "pi_other", tenant_id="t_2", created=500)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        args = {"limit": "3", **({"cursor": cursor} if cursor else {})}
        page = payment_queries.list_payments(store, TENANT, args)
        seen += [row["id"] for row in page["data"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == ["pi_6", "pi_5", "pi_4", "pi_3", "pi_2", "pi_1", "pi_0"]
    with pytest.raises(ValidationError):
        payment_queries.list_payments(store, TENANT, {"limit": "101"})
    with pytest.raises(ValidationError):
        payment_queries.list_payments(store, TENANT, {"cursor": "garbage!"})


def test_capture_notes_the_request_calls_stripe_and_checks_the_state() -> None:
    store, stripe = world()
    payment(store, status="requires_capture", amount_capturable=6000, amount_captured=0)
    with pytest.raises(Unprocessable):
        payment_actions.capture_payment(
            CapturePayment(TENANT, "pi_1", 7000), store, stripe, idempotency_key="k", now=NOW
        )
    result = payment_actions.capture_payment(
        CapturePayment(TENANT, "pi_1", 4000), store, stripe, idempotency_key="k", now=NOW
    )
    assert stripe.names() == ["capture"] and stripe.calls[0][2]["amount"] == 4000
    (note,) = result["payment"]["api_notes"].values()
    assert (note["type"], note["status"], note["amount"]) == ("capture", "requested", 4000)
    with pytest.raises(Conflict):  # succeeded: nothing left to capture
        payment(store, "pi_2")
        payment_actions.capture_payment(
            CapturePayment(TENANT, "pi_2"), store, stripe, idempotency_key="k2", now=NOW
        )


def test_cancel_is_refused_for_a_captured_payment() -> None:
    store, stripe = world()
    payment(store)
    with pytest.raises(Conflict):
        payment_actions.cancel_payment(
            CancelPayment(TENANT, "pi_1"), store, stripe, idempotency_key="k", now=NOW
        )
    assert stripe.calls == []


def test_refunds_stop_at_what_is_refundable_counting_refunds_in_flight() -> None:
    store, stripe = world()
    payment(store, amount_refunded=1000, ledger={"re_0:refund": {"source_id": "re_0"}})
    first = refunds.create_refund(
        CreateRefund(TENANT, "pi_1", 3000), store, stripe, idempotency_key="k1", now=NOW
    )
    assert first["status"] == "succeeded" and first["amount"] == 3000
    assert store.get(DocKey("refunds", first["id"]))["status"] == "pending"  # type: ignore[index]
    with pytest.raises(Unprocessable):  # 6000 - 1000 - 3000 in flight = 2000 left
        refunds.create_refund(
            CreateRefund(TENANT, "pi_1", 2500), store, stripe, idempotency_key="k2", now=NOW
        )
    rest = refunds.create_refund(
        CreateRefund(TENANT, "pi_1"), store, stripe, idempotency_key="k3", now=NOW
    )
    assert rest["amount"] == 2000
    listed = refunds.list_refunds(store, TENANT, {"payment_id": "pi_1"})
    assert {r["id"] for r in listed["data"]} == {first["id"], rest["id"]}


def test_connect_creates_one_account_and_validates_return_origins() -> None:
    store, stripe = world()
    stripe.account = {"id": "acct_new", "charges_enabled": False, "requirements": {}}
    status, created = connect.create_account(CreateConnectAccount(TENANT), store, stripe, now=NOW)
    assert created and status["account_id"] == "acct_new"
    _, created_again = connect.create_account(CreateConnectAccount(TENANT), store, stripe, now=NOW)
    assert not created_again and stripe.names() == ["create_account"]
    params = stripe.calls[0][1][0]
    assert params["metadata"] == {"tenant_id": TENANT} and params["type"] == "express"
    settings = Settings.from_env({"APP_BASE_URL": "https://app.example"})
    link = connect.create_account_link(CreateAccountLink(TENANT), store, stripe, settings=settings)
    assert link["url"].startswith("https://")
    evil = CreateAccountLink(TENANT, return_url="https://evil.example/x")
    with pytest.raises(ValidationError):
        connect.create_account_link(evil, store, stripe, settings=settings)
