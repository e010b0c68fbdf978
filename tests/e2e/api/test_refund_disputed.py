"""End to end over HTTP with the Firestore, Pub/Sub and Stripe emulators: a disputed payment
cannot be refunded — the API answers 409 `charge_disputed` without asking Stripe, the dashboard
offers no "Refund…" and says why, and its form posts are refused; and a refund that the card
network sends back (the refund-failure card) leaves the ledger as it was before the refund."""

from __future__ import annotations

from typing import Any

import requests

from auth.principal import Role
from emulators import gcloud
from tests.e2e.api.stack import ApiStack, connect_tenant, key
from tests.e2e.api.test_payments_flow import pay, settled_payment, start_checkout
from tests.e2e.auth.helpers import SeededTenant, seed_tenant
from tests.e2e.page_cells import Visit, session
from tests.support.waiting import eventually

CARD_OK, CARD_DISPUTE, CARD_REFUND_FAILS = (
    "4242424242424242",
    "4000000000000259",
    "4000000000005126",
)
REFUSED = "Refunds are not possible while the payment is disputed"


def paid(stack: ApiStack, tenant: SeededTenant, reference: str, card: str, status: str) -> Any:
    pay(start_checkout(stack, tenant, reference), card)
    return settled_payment(stack, tenant, reference, status)


def dashboard(stack: ApiStack, visit: Visit, path: str, form: dict[str, str] | None = None) -> Any:
    cookies = "; ".join(f"{name}={value}" for name, value in visit.cookies.items())
    if form is None:
        return requests.get(stack.url + path, headers={"Cookie": cookies}, timeout=10)
    data = {**form, "csrf_token": visit.csrf or ""}
    return requests.post(
        stack.url + path, headers={"Cookie": cookies}, data=data, allow_redirects=False, timeout=10
    )


def stripe_refunds(stack: ApiStack, account: str, intent: str) -> list[Any]:
    listed: list[Any] = stack.stripe_get(f"refunds?payment_intent={intent}", account)["data"]
    return listed


def test_a_disputed_payment_is_refunded_neither_by_the_api_nor_by_the_dashboard(
    stack: ApiStack, firestore: gcloud.RunningEmulator
) -> None:
    tenant = seed_tenant("Disputed studio")
    account = connect_tenant(stack.stripe_url, tenant.tenant_id)
    intent = paid(stack, tenant, "booking_d", CARD_DISPUTE, "disputed")["id"]

    admin = {**tenant.headers(Role.ADMIN), **key()}
    refused = stack.call("POST", "/refunds", admin, json={"payment_id": intent, "amount": 100})
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "charge_disputed" and error["message"].startswith(REFUSED)
    assert stripe_refunds(stack, account, intent) == []  # refused before Stripe was asked

    visit = session(tenant.users[Role.ADMIN].user_id, tenant.tenant_id)
    page = dashboard(stack, visit, f"/dashboard/payments/{intent}")
    assert page.status_code == 200, page.text
    assert "Refund…" not in page.text and 'action="/dashboard/payments/' not in page.text
    assert REFUSED in page.text and 'href="/dashboard/disputes"' in page.text
    for step in ({}, {"confirm": "yes"}):  # the review step and the confirmed refund
        posted = dashboard(stack, visit, f"/dashboard/payments/{intent}/refund", step)
        assert posted.status_code == 409, posted.text
        assert REFUSED in posted.text and "Confirm refund" not in posted.text
    assert stripe_refunds(stack, account, intent) == []

    viewer = session(tenant.users[Role.VIEWER].user_id, tenant.tenant_id)
    assert REFUSED not in dashboard(stack, viewer, f"/dashboard/payments/{intent}").text

    other = paid(stack, tenant, "booking_ok", CARD_OK, "succeeded")["id"]
    page = dashboard(stack, visit, f"/dashboard/payments/{other}")
    assert "Refund…" in page.text and REFUSED not in page.text


def test_a_refund_the_card_network_sends_back_leaves_the_payment_unrefunded(
    stack: ApiStack, firestore: gcloud.RunningEmulator
) -> None:
    tenant = seed_tenant("Expired card studio")
    connect_tenant(stack.stripe_url, tenant.tenant_id)
    intent = paid(stack, tenant, "booking_x", CARD_REFUND_FAILS, "succeeded")["id"]

    admin = {**tenant.headers(Role.ADMIN), **key()}
    made = stack.call("POST", "/refunds", admin, json={"payment_id": intent, "amount": 2000})
    assert made.status_code == 201, made.text
    refund_id = made.json()["id"]
    viewer = tenant.headers(Role.VIEWER)

    def failed() -> Any:
        listed = stack.call("GET", "/refunds", viewer, params={"payment_id": intent}).json()
        return next((r for r in listed["data"] if r["status"] == "failed"), None)

    refund = eventually(failed, "the refund's failure")
    assert refund["id"] == refund_id and refund["failure_reason"] == "expired_or_canceled_card"

    def unrefunded() -> Any:
        found = stack.call("GET", f"/payments/{intent}", viewer).json()
        return found if (found["status"], found["amount_refunded"]) == ("succeeded", 0) else None

    payment = eventually(unrefunded, "the payment to count the refund no more")
    assert payment["amount_captured"] == 6000
    timeline = stack.call("GET", f"/payments/{intent}/timeline", viewer).json()["data"]
    assert {"refund.created", "refund.failed"} <= {e["type"] for e in timeline}
    again = stack.call("POST", "/refunds", {**admin, **key()}, json={"payment_id": intent})
    assert again.status_code == 201 and again.json()["amount"] == 6000, again.text
