"""Checkout Sessions, the hosted checkout page, and each test card's outcome."""

from __future__ import annotations

import re

import pytest
import requests
import stripe


def _session(client, options=None, **extra):
    params = {
        "mode": "payment",
        "success_url": "https://shop.test/ok?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://shop.test/cancel",
        "client_reference_id": "order-7",
        "customer_email": "buyer@example.com",
        "metadata": {"order": "7"},
        "payment_method_types": ["card", "us_bank_account"],
        "line_items": [
            {
                "quantity": 2,
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 1500,
                    "product_data": {"name": "Mug"},
                },
            },
            {
                "quantity": 1,
                "price_data": {
                    "currency": "usd",
                    "unit_amount": 1000,
                    "product_data": {"name": "Poster"},
                },
            },
        ],
        "payment_intent_data": {
            "capture_method": "automatic",
            "application_fee_amount": 300,
            "metadata": {"tenant": "t1"},
        },
        **extra,
    }
    return client.v1.checkout.sessions.create(params, options)


def _pay_on_page(url, **form):
    page = requests.get(url, timeout=5)
    assert page.status_code == 200
    action = re.search(r'action="([^"]+)"', page.text)
    assert action is not None
    base = url.split("/checkout/")[0]
    return requests.post(base + action.group(1), data=form, allow_redirects=False, timeout=5)


def test_create_retrieve_list_and_line_items(client, stripe_emulator_url):
    session = _session(client)
    assert session.status == "open" and session.payment_status == "unpaid"
    assert session.amount_total == 4000 and session.currency == "usd"
    assert session.url.startswith(f"{stripe_emulator_url}/checkout/pay/cs_test_")
    assert session.client_reference_id == "order-7" and session.metadata["order"] == "7"
    assert client.v1.checkout.sessions.retrieve(session.id).id == session.id
    assert [s.id for s in client.v1.checkout.sessions.list().data] == [session.id]
    items = client.v1.checkout.sessions.line_items.list(session.id)
    assert [(i.description, i.quantity, i.amount_total) for i in items.data] == [
        ("Mug", 2, 3000),
        ("Poster", 1, 1000),
    ]


def test_hosted_page_has_labelled_fields(client):
    page = requests.get(_session(client).url, timeout=5).text
    for field in ("email", "card_number", "bank_account"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    assert 'name="viewport"' in page and "https://shop.test/cancel" in page


def test_paying_with_4242_redirects_and_completes(client):
    session = _session(client)
    response = _pay_on_page(
        session.url, method="card", card_number="4242 4242 4242 4242", email="payer@example.com"
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"https://shop.test/ok?session={session.id}"
    done = client.v1.checkout.sessions.retrieve(session.id, {"expand": ["payment_intent"]})
    assert done.status == "complete" and done.payment_status == "paid"
    assert done.customer_details.email == "payer@example.com"
    intent = done.payment_intent
    assert intent.status == "succeeded" and intent.amount == 4000
    assert intent.application_fee_amount == 300 and intent.metadata["tenant"] == "t1"
    types = [e.type for e in reversed(client.v1.events.list().data)]
    assert types == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]


def test_declined_card_stays_on_the_page(client):
    session = _session(client)
    response = _pay_on_page(session.url, method="card", card_number="4000000000000002")
    assert response.status_code == 402 and "Your card was declined." in response.text
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"
    retry = _pay_on_page(session.url, method="card", card_number="4242424242424242")
    assert retry.status_code == 303


def test_dispute_card_succeeds_then_is_disputed(client):
    session = _session(client)
    _pay_on_page(session.url, method="card", card_number="4000000000000259")
    intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    disputes = client.v1.disputes.list({"payment_intent": intent}).data
    assert len(disputes) == 1 and disputes[0].status == "needs_response"
    assert client.v1.charges.retrieve(disputes[0].charge).disputed


def test_bank_account_processes_then_succeeds(client, helper):
    session = _session(client)
    response = _pay_on_page(session.url, method="us_bank_account", bank_account="000123456789")
    assert response.status_code == 303
    done = client.v1.checkout.sessions.retrieve(session.id)
    assert done.status == "complete" and done.payment_status == "unpaid"
    assert client.v1.payment_intents.retrieve(done.payment_intent).status == "processing"
    helper("ach/advance")
    assert client.v1.checkout.sessions.retrieve(session.id).payment_status == "paid"
    assert client.v1.events.list({"type": "checkout.session.async_payment_succeeded"}).data


def test_bank_account_failure(client, helper):
    session = _session(client)
    helper(f"checkout/sessions/{session.id}/pay", {"bank": "failure"})
    helper("ach/advance")
    assert client.v1.events.list({"type": "checkout.session.async_payment_failed"}).data
    intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    assert client.v1.payment_intents.retrieve(intent).status == "requires_payment_method"


def test_manual_capture_through_checkout(client, helper):
    session = _session(client, payment_intent_data={"capture_method": "manual"})
    helper(f"checkout/sessions/{session.id}/pay", {"card": "4242424242424242"})
    intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent
    assert client.v1.payment_intents.retrieve(intent).status == "requires_capture"
    assert client.v1.payment_intents.capture(intent).status == "succeeded"


def test_sessions_on_a_connected_account(client, helper, account):
    session = _session(client, {"stripe_account": account})
    helper(f"checkout/sessions/{session.id}/pay", {"card": "4242424242424242"})
    done = client.v1.checkout.sessions.retrieve(session.id, options={"stripe_account": account})
    assert done.status == "complete"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.retrieve(session.id)
    event = client.v1.events.list(
        {"type": "checkout.session.completed"}, {"stripe_account": account}
    ).data[0]
    assert event.account == account


def test_expire(client):
    session = _session(client)
    expired = client.v1.checkout.sessions.expire(session.id)
    assert expired.status == "expired"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)
    assert "expired" in requests.get(session.url, timeout=5).text


def test_paying_a_completed_session_is_refused(client, helper):
    session = _session(client)
    helper(f"checkout/sessions/{session.id}/pay", {"card": "4242424242424242"})
    helper(f"checkout/sessions/{session.id}/pay", {"card": "4242424242424242"}, expect=400)
