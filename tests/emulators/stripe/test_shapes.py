"""Every resource the emulator returns has at least the top-level keys of Stripe's fixture."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from tests.support import stripe_events

from .conftest import API_KEY, REPO_ROOT

SHARED_FIXTURES = REPO_ROOT.parent / "shared" / "stripe" / "fixtures3.json"


@pytest.fixture(scope="module")
def fixtures() -> dict[str, Any]:
    return stripe_events.fixtures()


def test_the_copied_fixtures_are_stripes_own() -> None:
    """The repository's copy holds Stripe's examples unchanged (checked where the shared
    original is at hand, as in development; a clean clone in CI has only the copy)."""
    if not SHARED_FIXTURES.exists():
        pytest.skip(f"the shared original is not at {SHARED_FIXTURES}")
    original = json.loads(SHARED_FIXTURES.read_text())["resources"]
    copied = stripe_events.fixtures()
    assert copied == {name: original[name] for name in copied}


def _api(url: str):
    def call(method: str, path: str, **data: Any) -> dict[str, Any]:
        response = requests.request(
            method, f"{url}{path}", data=data, auth=(API_KEY, ""), timeout=5
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return call


@pytest.fixture(scope="module")
def examples(stripe_emulator_url) -> dict[str, dict[str, Any]]:
    """One object of each resource type, made once for the module."""
    api = _api(stripe_emulator_url)
    account = api("POST", "/v1/accounts", type="express")
    link = api(
        "POST",
        "/v1/account_links",
        account=account["id"],
        type="account_onboarding",
        return_url="https://x.test",
        refresh_url="https://x.test",
    )
    api("POST", f"/_emulator/accounts/{account['id']}/complete_onboarding")
    login = api("POST", f"/v1/accounts/{account['id']}/login_links")
    customer = api("POST", "/v1/customers", email="a@example.com")
    session = api(
        "POST",
        "/v1/checkout/sessions",
        **{
            "mode": "payment",
            "success_url": "https://x.test",
            "line_items[0][quantity]": "1",
            "line_items[0][price_data][currency]": "usd",
            "line_items[0][price_data][unit_amount]": "700",
            "line_items[0][price_data][product_data][name]": "Pen",
        },
    )
    item = api("GET", f"/v1/checkout/sessions/{session['id']}/line_items")["data"][0]
    intent = api(
        "POST",
        "/v1/payment_intents",
        amount="3000",
        currency="usd",
        payment_method="pm_card_createDispute",
        confirm="true",
    )
    charge = api("GET", f"/v1/charges/{intent['latest_charge']}")
    dispute = api("GET", "/v1/disputes")["data"][0]
    refund_intent = api(
        "POST",
        "/v1/payment_intents",
        amount="3000",
        currency="usd",
        payment_method="pm_card_visa",
        confirm="true",
    )
    refund = api("POST", "/v1/refunds", payment_intent=refund_intent["id"])
    endpoint = api(
        "POST", "/v1/webhook_endpoints", url="https://x.test", **{"enabled_events[0]": "*"}
    )
    return {
        "account": account,
        "account_link": link,
        "login_link": login,
        "customer": customer,
        "checkout.session": session,
        "item": item,
        "payment_intent": intent,
        "charge": charge,
        "dispute": dispute,
        "refund": refund,
        "webhook_endpoint": endpoint,
        "balance_transaction": api(
            "GET", f"/v1/balance_transactions/{charge['balance_transaction']}"
        ),
        "event": api("GET", "/v1/events")["data"][0],
        "deleted_customer": api("DELETE", f"/v1/customers/{customer['id']}"),
        "deleted_webhook_endpoint": api("DELETE", f"/v1/webhook_endpoints/{endpoint['id']}"),
        "deleted_account": api("DELETE", f"/v1/accounts/{account['id']}"),
    }


RESOURCES = [
    "account",
    "account_link",
    "login_link",
    "customer",
    "checkout.session",
    "item",
    "payment_intent",
    "charge",
    "dispute",
    "refund",
    "webhook_endpoint",
    "balance_transaction",
    "event",
    "deleted_customer",
    "deleted_webhook_endpoint",
    "deleted_account",
]


@pytest.mark.parametrize("resource", RESOURCES)
def test_resource_has_every_key_of_stripes_fixture(fixtures, examples, resource):
    example = examples[resource]
    missing = set(fixtures[resource]) - set(example)
    assert not missing, f"{resource} lacks {sorted(missing)}"
    assert example.get("object") == fixtures[resource].get("object")
