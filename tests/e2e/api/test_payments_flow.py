"""End to end over HTTP, with the Firestore, Pub/Sub and Stripe emulators: a tenant onboards,
takes payments through Checkout (paid on the emulator's hosted page), and the ledger follows
the webhooks; refunds, disputes, manual capture and cancel; the idempotency guard."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from auth.principal import Role
from emulators import gcloud
from tests.e2e.api.stack import ApiStack, key
from tests.e2e.auth.helpers import SeededTenant, seed_tenant
from tests.support.waiting import eventually

CARD_OK, CARD_DISPUTE = "4242424242424242", "4000000000000259"


def checkout_body(reference: str, **extra: Any) -> dict[str, Any]:
    return {
        "line_items": [
            {"name": "Yoga class", "unit_amount": 2500, "quantity": 2, "currency": "usd"},
            {"name": "Mat rental", "unit_amount": 1000, "quantity": 1, "currency": "usd"},
        ],
        "success_url": "https://shop.example/ok?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://shop.example/cancel",
        "customer_email": "ann@example.test",
        "client_reference_id": reference,
        "metadata": {"booking": reference},
        **extra,
    }


def onboard(stack: ApiStack, tenant: SeededTenant) -> str:
    owner = tenant.headers(Role.OWNER)
    created = stack.call("POST", "/connect/accounts", owner, json={"country": "US"})
    assert created.status_code == 200, created.text
    account = created.json()["account_id"]
    assert created.json()["created"] is True and account.startswith("acct_")
    again = stack.call("POST", "/connect/accounts", owner, json={})
    assert again.json()["account_id"] == account and again.json()["created"] is False
    link = stack.call(
        "POST",
        "/connect/account-links",
        owner,
        json={"return_url": "https://shop.example/connect/done"},
    )
    assert link.status_code == 201, link.text
    token_page = link.json()["url"]
    finished = requests.post(
        token_page, data={"business_name": "Shop"}, allow_redirects=False, timeout=10
    )
    assert finished.status_code in (302, 303)
    assert finished.headers["Location"] == "https://shop.example/connect/done"
    status = stack.call("GET", "/connect/account", owner).json()
    assert status["charges_enabled"] and status["payouts_enabled"] and status["details_submitted"]
    assert status["requirements"]["currently_due"] == []
    login = stack.call("GET", "/connect/express-login-link", owner)
    assert login.status_code == 200 and f"/express/{account}" in login.json()["url"]
    return account


def start_checkout(stack: ApiStack, tenant: SeededTenant, reference: str, **extra: Any) -> Any:
    headers = {**tenant.headers(Role.DEVELOPER, via="api_key"), **key()}
    response = stack.call(
        "POST", "/checkout-sessions", headers, json=checkout_body(reference, **extra)
    )
    assert response.status_code == 201, response.text
    return response.json()


def pay(session: dict[str, Any], card: str) -> None:
    """Pay on the emulator's hosted checkout page, as a customer would."""
    page = requests.get(session["url"], timeout=10)
    assert page.status_code == 200 and "card_number" in page.text
    paid = requests.post(
        session["url"],
        data={"method": "card", "card_number": card, "email": "ann@example.test"},
        allow_redirects=False,
        timeout=10,
    )
    assert paid.status_code == 303, paid.text
    assert paid.headers["Location"] == f"https://shop.example/ok?session={session['id']}"


def payments(stack: ApiStack, tenant: SeededTenant, **params: str) -> list[dict[str, Any]]:
    response = stack.call("GET", "/payments", tenant.headers(Role.VIEWER), params=params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["data"]
    return data


def settled_payment(stack: ApiStack, tenant: SeededTenant, reference: str, status: str) -> Any:
    def check() -> Any:
        rows = payments(stack, tenant, client_reference_id=reference)
        return rows[0] if len(rows) == 1 and rows[0]["status"] == status else None

    return eventually(check, f"{reference} to be {status}")


def test_onboard_checkout_pay_refund_twice_and_a_dispute(
    stack: ApiStack, firestore: gcloud.RunningEmulator
) -> None:
    tenant = seed_tenant("Yoga studio")
    other = seed_tenant("Other studio")
    onboard(stack, tenant)
    session = start_checkout(stack, tenant, "booking_7")
    assert re.match(r"^cs_test_", session["id"]) and session["amount_total"] == 6000
    pending = payments(stack, tenant)
    assert [(p["id"], p["status"]) for p in pending] == [(session["id"], "requires_payment_method")]

    pay(session, CARD_OK)
    paid = settled_payment(stack, tenant, "booking_7", "succeeded")
    intent = paid["id"]
    assert intent.startswith("pi_") and paid["checkout_session_id"] == session["id"]
    assert paid["amount_captured"] == 6000 and paid["customer_email"] == "ann@example.test"
    assert [p["id"] for p in payments(stack, tenant)] == [intent]  # one payment, never two
    viewer = tenant.headers(Role.VIEWER)
    by_session = stack.call("GET", f"/payments/{session['id']}", viewer).json()
    assert by_session["id"] == intent
    assert stack.call("GET", f"/payments/{intent}", other.headers(Role.OWNER)).status_code == 404

    admin = tenant.headers(Role.ADMIN)
    for amount in (1000, 1500):
        refund = stack.call(
            "POST",
            "/refunds",
            {**admin, **key()},
            json={"payment_id": intent, "amount": amount, "reason": "requested_by_customer"},
        )
        assert refund.status_code == 201, refund.text
    too_much = stack.call(
        "POST", "/refunds", {**admin, **key()}, json={"payment_id": intent, "amount": 3501}
    )
    assert too_much.status_code == 422 and "refundable" in too_much.json()["error"]["message"]
    refunded = settled_payment(stack, tenant, "booking_7", "partially_refunded")
    eventually(
        lambda: stack.call("GET", f"/payments/{intent}", viewer).json()["amount_refunded"] == 2500,
        "both refunds in the ledger",
    )
    listed = stack.call("GET", "/refunds", viewer, params={"payment_id": intent}).json()["data"]
    assert sorted(r["amount"] for r in listed) == [1000, 1500]
    assert refunded["amount"] == 6000

    timeline = stack.call("GET", f"/payments/{intent}/timeline", viewer).json()["data"]
    stripe_types = [e["type"] for e in timeline if e["source"] == "stripe"]
    assert "checkout.session.completed" in stripe_types and "refund.created" in stripe_types
    created = [e["created"] for e in timeline if e["source"] == "stripe"]
    assert created == sorted(created)
    assert all(isinstance(e["applied"], bool) for e in timeline if e["source"] == "stripe")
    assert [e["type"] for e in timeline if e["source"] == "api"] == ["refund", "refund"]

    disputed_session = start_checkout(stack, tenant, "booking_8")
    pay(disputed_session, CARD_DISPUTE)
    disputes = eventually(
        lambda: stack.call("GET", "/disputes", viewer).json()["data"], "the dispute"
    )
    dispute = stack.call("GET", f"/disputes/{disputes[0]['id']}", viewer).json()
    assert dispute["payment_id"].startswith("pi_") and dispute["amount"] == 6000
    assert dispute["status"] and dispute["reason"] and dispute["evidence_due_by"]
    assert (
        stack.call("GET", f"/disputes/{dispute['id']}", other.headers(Role.OWNER)).status_code
        == 404
    )
    settled_payment(stack, tenant, "booking_8", "disputed")


def test_manual_capture_of_part_then_cancel_of_another_authorization(
    stack: ApiStack, firestore: gcloud.RunningEmulator
) -> None:
    tenant = seed_tenant("Hotel")
    onboard(stack, tenant)
    admin = tenant.headers(Role.ADMIN)
    first = start_checkout(stack, tenant, "room_1", capture_method="manual")
    second = start_checkout(stack, tenant, "room_2", capture_method="manual")
    pay(first, CARD_OK)
    pay(second, CARD_OK)
    authorized = settled_payment(stack, tenant, "room_1", "requires_capture")
    assert authorized["amount_capturable"] == 6000 and authorized["capture_method"] == "manual"
    capture = stack.call(
        "POST",
        f"/payments/{authorized['id']}/capture",
        {**admin, **key()},
        json={"amount_to_capture": 4000},
    )
    assert capture.status_code == 200, capture.text
    (note,) = capture.json()["payment"]["api_notes"].values()
    assert note["type"] == "capture" and note["status"] == "requested"
    captured = settled_payment(stack, tenant, "room_1", "succeeded")
    assert captured["amount_captured"] == 4000 and captured["amount_capturable"] == 0

    held = settled_payment(stack, tenant, "room_2", "requires_capture")
    cancel = stack.call(
        "POST",
        f"/payments/{held['id']}/cancel",
        {**admin, **key()},
        json={"reason": "requested_by_customer"},
    )
    assert cancel.status_code == 200, cancel.text
    canceled = settled_payment(stack, tenant, "room_2", "canceled")
    assert canceled["amount_captured"] == 0 and canceled["amount_refunded"] == 0
    again = stack.call("POST", f"/payments/{held['id']}/capture", {**admin, **key()}, json={})
    assert again.status_code == 409
    timeline = stack.call("GET", f"/payments/{held['id']}/timeline", admin).json()["data"]
    assert any(e["source"] == "api" and e["type"] == "cancel" for e in timeline)
    assert any(e.get("type") == "payment_intent.canceled" for e in timeline)


def test_concurrent_retries_of_one_key_make_exactly_one_stripe_object(
    stack: ApiStack, firestore: gcloud.RunningEmulator
) -> None:
    tenant = seed_tenant("Busy shop")
    account = onboard(stack, tenant)
    headers = {**tenant.headers(Role.DEVELOPER, via="api_key"), **key()}
    body = checkout_body("order_race")
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda _: stack.call("POST", "/checkout-sessions", headers, json=body), range(8)
            )
        )
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, statuses
    created = [a for a in answers if a.status_code == 201]
    assert len({a.content for a in created}) == 1
    assert all(a.headers.get("Retry-After") for a in answers if a.status_code == 409)
    replay = stack.call("POST", "/checkout-sessions", headers, json=body)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert created and replay.content == created[0].content
    sessions = stack.stripe_get("checkout/sessions?limit=100", account)["data"]
    assert [s["client_reference_id"] for s in sessions].count("order_race") == 1
    reused = stack.call("POST", "/checkout-sessions", headers, json=checkout_body("order_other"))
    assert reused.status_code == 409
    assert reused.json()["error"]["code"] == "idempotency_key_reused"
