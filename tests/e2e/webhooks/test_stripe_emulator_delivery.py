"""End to end: the Stripe emulator delivers real, signed (and, with chaos on, duplicated,
delayed and reordered) webhooks to the running functions, and the ledger follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from emulators.gcloud import RunningEmulator, free_port
from ledger.collections import TENANTS
from ledger.store import AbstractStore
from tests.support import webhooks as ws
from tests.support.stacks import Server, stripe_emulator
from tests.support.waiting import eventually

KEY = {"Authorization": "Bearer sk_test_e2e"}
TENANT = "tenant_stripe_e2e"


@pytest.fixture
def stripe_url(webhook_server: Server, firestore: RunningEmulator) -> Iterator[str]:
    webhook_url = f"{webhook_server.url}/webhook"
    with stripe_emulator(free_port(), webhook_url=webhook_url, chaos=True) as emulator:
        yield emulator.url


def stripe(url: str, path: str, data: dict[str, Any], account: str | None = None) -> Any:
    headers = {**KEY, **({"Stripe-Account": account} if account else {})}
    response = requests.post(f"{url}/v1/{path}", data=data, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def helper(url: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = requests.post(f"{url}/_emulator/{path}", json=body or {}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def tenant(store: AbstractStore) -> dict[str, Any]:
    return ws.all_docs(store, TENANTS)[TENANT]


def payment(store: AbstractStore, payment_id: str) -> dict[str, Any]:
    return ws.all_docs(store, "payments").get(payment_id) or {}


def test_a_checkout_payment_refund_and_lost_dispute_reach_the_ledger(stripe_url: str) -> None:
    store = ws.firestore_store()
    account = stripe(stripe_url, "accounts", {"type": "express", "metadata[tenant_id]": TENANT})[
        "id"
    ]
    ws.create_tenant(store, TENANT, account)
    helper(stripe_url, f"accounts/{account}/complete_onboarding")
    eventually(lambda: bool(tenant(store).get("charges_enabled")), "account.updated")

    def checkout(reference: str) -> dict[str, Any]:
        return stripe(
            stripe_url,
            "checkout/sessions",
            {
                "mode": "payment",
                "line_items[0][price_data][currency]": "usd",
                "line_items[0][price_data][product_data][name]": "Yoga class",
                "line_items[0][price_data][unit_amount]": "2500",
                "line_items[0][quantity]": "2",
                "success_url": "http://127.0.0.1/ok",
                "cancel_url": "http://127.0.0.1/cancel",
                "client_reference_id": reference,
                "payment_intent_data[application_fee_amount]": "100",
                "metadata[tenant_id]": TENANT,
            },
            account,
        )

    paid = checkout("order_7")
    helper(
        stripe_url,
        f"checkout/sessions/{paid['id']}/pay",
        {"card": "4242424242424242", "email": "ann@example.test"},
    )
    session = requests.get(
        f"{stripe_url}/v1/checkout/sessions/{paid['id']}",
        headers={**KEY, "Stripe-Account": account},
        timeout=10,
    ).json()
    intent = session["payment_intent"]
    stripe(stripe_url, "refunds", {"payment_intent": intent, "amount": "1000"}, account)

    disputed = checkout("order_8")
    helper(stripe_url, f"checkout/sessions/{disputed['id']}/pay", {"card": "4000000000000259"})
    disputed_intent = requests.get(
        f"{stripe_url}/v1/checkout/sessions/{disputed['id']}",
        headers={**KEY, "Stripe-Account": account},
        timeout=10,
    ).json()["payment_intent"]
    eventually(lambda: bool(ws.all_docs(store, "disputes")), "the dispute")
    dispute_id = next(iter(ws.all_docs(store, "disputes")))
    helper(stripe_url, f"disputes/{dispute_id}/resolve", {"outcome": "lost"})

    eventually(lambda: payment(store, intent).get("amount_refunded") == 1000, "the refund")
    eventually(
        lambda: ws.all_docs(store, "disputes")[dispute_id]["status"] == "lost", "the lost dispute"
    )
    eventually(
        lambda: (
            not [
                d
                for d in ws.all_docs(store, "webhook_events").values()
                if d["status"] in {"received", "failed"}
            ]
        ),
        "every event to settle",
        timeout=60,
    )

    refunded = payment(store, intent)
    assert refunded["status"] == "partially_refunded"
    assert refunded["amount"] == 5000 and refunded["amount_captured"] == 5000
    assert refunded["checkout_session_id"] == paid["id"]
    assert refunded["client_reference_id"] == "order_7"
    assert refunded["customer_email"] == "ann@example.test"
    assert refunded["tenant_id"] == TENANT and refunded["merchant_account_id"] == account
    lost = payment(store, disputed_intent)
    assert lost["status"] == "disputed" and lost["amount_disputed"] == 5000
    assert set(ws.all_docs(store, "payments")) == {intent, disputed_intent}  # one payment each
    facts = ws.all_docs(store, "payment_transactions")
    refunds = [f for f in facts.values() if f["payment_id"] == intent and f["type"] == "refund"]
    assert [f["amount"] for f in refunds] == [1000]
    deliveries = requests.get(f"{stripe_url}/_emulator/deliveries", timeout=10).json()["data"]
    assert deliveries and {d["status_code"] for d in deliveries} == {200}  # never a 5xx
    assert tenant(store)["details_submitted"] is True
