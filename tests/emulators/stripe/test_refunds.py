"""Refunds by PaymentIntent or charge, partial and full, and the ways they are refused."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def paid(client):
    return client.v1.payment_intents.create(
        {"amount": 4000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )


def test_partial_then_full_refund_by_payment_intent(client, paid):
    first = client.v1.refunds.create(
        {
            "payment_intent": paid.id,
            "amount": 1000,
            "reason": "requested_by_customer",
            "metadata": {"order": "42"},
        }
    )
    assert first.status == "succeeded" and first.amount == 1000
    assert first.reason == "requested_by_customer" and first.metadata["order"] == "42"
    charge = client.v1.charges.retrieve(paid.latest_charge)
    assert charge.amount_refunded == 1000 and not charge.refunded
    rest = client.v1.refunds.create({"payment_intent": paid.id})
    assert rest.amount == 3000
    charge = client.v1.charges.retrieve(paid.latest_charge)
    assert charge.amount_refunded == 4000 and charge.refunded
    txn = client.v1.balance_transactions.retrieve(rest.balance_transaction)
    assert txn.type == "refund" and txn.amount == -3000


def test_refund_by_charge(client, paid):
    refund = client.v1.refunds.create({"charge": paid.latest_charge, "amount": 500})
    assert refund.payment_intent == paid.id
    listed = client.v1.refunds.list({"charge": paid.latest_charge})
    assert [r.id for r in listed.data] == [refund.id]


def test_refunding_more_than_is_left_fails(client, paid):
    client.v1.refunds.create({"payment_intent": paid.id, "amount": 3000})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create({"payment_intent": paid.id, "amount": 1001})
    assert caught.value.http_status == 400
    assert caught.value.param == "amount"
    client.v1.refunds.create({"payment_intent": paid.id})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create({"payment_intent": paid.id})
    assert caught.value.code == "charge_already_refunded"


def test_refunding_an_uncaptured_intent_fails(client):
    intent = client.v1.payment_intents.create(
        {
            "amount": 4000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "capture_method": "manual",
        }
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.refunds.create({"payment_intent": intent.id})
    assert caught.value.http_status == 400
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create({"charge": intent.latest_charge})


def test_partial_capture_limits_the_refund(client):
    intent = client.v1.payment_intents.create(
        {
            "amount": 4000,
            "currency": "usd",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "capture_method": "manual",
        }
    )
    client.v1.payment_intents.capture(intent.id, {"amount_to_capture": 2500})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.refunds.create({"payment_intent": intent.id, "amount": 3000})
    assert client.v1.refunds.create({"payment_intent": intent.id}).amount == 2500


def test_refund_metadata_can_be_updated(client, paid):
    refund = client.v1.refunds.create({"payment_intent": paid.id})
    updated = client.v1.refunds.update(refund.id, {"metadata": {"note": "late"}})
    assert updated.metadata["note"] == "late"
    assert client.v1.refunds.retrieve(refund.id).metadata["note"] == "late"
