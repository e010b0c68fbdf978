"""The PaymentIntent status machine, captures, cancels and declines."""

from __future__ import annotations

import pytest
import stripe


def _create(client, **params):
    return client.v1.payment_intents.create({"amount": 5000, "currency": "usd", **params})


def test_automatic_capture_walks_the_status_machine(client):
    intent = _create(client)
    assert intent.status == "requires_payment_method"
    assert intent.amount_received == 0 and intent.latest_charge is None
    intent = client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})
    assert intent.status == "succeeded"
    assert intent.amount_received == 5000
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.captured and charge.paid and charge.amount_captured == 5000
    txn = client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert txn.amount == 5000 and txn.fee == 175 and txn.net == 4825


def test_requires_confirmation_when_a_method_is_attached(client):
    intent = _create(client, payment_method="pm_card_visa")
    assert intent.status == "requires_confirmation"
    assert client.v1.payment_intents.confirm(intent.id).status == "succeeded"


def test_manual_capture_full(client):
    intent = _create(
        client,
        capture_method="manual",
        payment_method="pm_card_visa",
        confirm=True,
        application_fee_amount=200,
    )
    assert intent.status == "requires_capture"
    assert intent.amount_capturable == 5000 and intent.amount_received == 0
    captured = client.v1.payment_intents.capture(intent.id)
    assert captured.status == "succeeded"
    assert captured.amount_received == 5000 and captured.amount_capturable == 0
    charge = client.v1.charges.retrieve(captured.latest_charge)
    txn = client.v1.balance_transactions.retrieve(charge.balance_transaction)
    assert {f.type for f in txn.fee_details} == {"stripe_fee", "application_fee"}
    assert txn.fee == 175 + 200


def test_partial_capture(client):
    intent = _create(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    captured = client.v1.payment_intents.capture(intent.id, {"amount_to_capture": 3000})
    assert captured.amount_received == 3000
    assert client.v1.charges.retrieve(captured.latest_charge).amount_captured == 3000


def test_capturing_more_than_authorized_fails(client):
    intent = _create(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(intent.id, {"amount_to_capture": 6000})
    assert caught.value.param == "amount_to_capture"


def test_cancel_with_reason(client):
    intent = _create(client)
    canceled = client.v1.payment_intents.cancel(
        intent.id, {"cancellation_reason": "requested_by_customer"}
    )
    assert canceled.status == "canceled"
    assert canceled.cancellation_reason == "requested_by_customer"
    assert canceled.canceled_at


def test_cancel_releases_an_authorization(client):
    intent = _create(client, capture_method="manual", payment_method="pm_card_visa", confirm=True)
    canceled = client.v1.payment_intents.cancel(intent.id)
    assert canceled.status == "canceled" and canceled.amount_capturable == 0
    assert client.v1.charges.retrieve(intent.latest_charge).refunded


@pytest.mark.parametrize("action", ["capture", "confirm", "cancel"])
def test_invalid_transitions_fail_as_stripe_fails_them(client, action):
    intent = _create(client)
    client.v1.payment_intents.cancel(intent.id)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        getattr(client.v1.payment_intents, action)(intent.id)
    assert caught.value.http_status == 400
    assert caught.value.code == "payment_intent_unexpected_state"


def test_capture_of_a_succeeded_intent_fails(client):
    intent = _create(client, payment_method="pm_card_visa", confirm=True)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.capture(intent.id)
    assert caught.value.code == "payment_intent_unexpected_state"


def test_declined_card_raises_card_error_and_returns_to_requires_payment_method(client):
    with pytest.raises(stripe.CardError) as caught:
        _create(client, payment_method="pm_card_chargeDeclined", confirm=True)
    assert caught.value.http_status == 402
    assert caught.value.code == "card_declined"
    intent = client.v1.payment_intents.list().data[0]
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "card_declined"
    assert client.v1.charges.retrieve(intent.latest_charge).status == "failed"
    retried = client.v1.payment_intents.confirm(intent.id, {"payment_method": "pm_card_visa"})
    assert retried.status == "succeeded"


def test_requires_action_until_authenticated(client, helper):
    intent = _create(client, payment_method="pm_card_authenticationRequired", confirm=True)
    assert intent.status == "requires_action"
    assert intent.next_action.type == "use_stripe_sdk"
    helper(f"payment_intents/{intent.id}/authenticate", {"outcome": "succeed"})
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def test_ach_debit_processes_then_settles(client, helper):
    intent = _create(
        client,
        payment_method_types=["us_bank_account"],
        payment_method="pm_usBankAccount",
        confirm=True,
    )
    assert intent.status == "processing"
    assert client.v1.charges.retrieve(intent.latest_charge).status == "pending"
    assert helper("ach/advance", {"payment_intent": intent.id})["settled"] == [intent.id]
    settled = client.v1.payment_intents.retrieve(intent.id)
    assert settled.status == "succeeded" and settled.amount_received == 5000


def test_ach_debit_can_fail(client, helper):
    intent = _create(
        client,
        payment_method_types=["us_bank_account"],
        payment_method="pm_usBankAccount_failure",
        confirm=True,
    )
    helper("ach/advance")
    failed = client.v1.payment_intents.retrieve(intent.id)
    assert failed.status == "requires_payment_method"
    assert failed.last_payment_error.code == "account_closed"


def test_card_not_allowed_for_bank_only_intent(client):
    with pytest.raises(stripe.InvalidRequestError):
        _create(
            client,
            payment_method_types=["us_bank_account"],
            payment_method="pm_card_visa",
            confirm=True,
        )


def test_amount_below_minimum_is_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create({"amount": 10, "currency": "usd"})
    assert caught.value.code == "amount_too_small"


def test_list_filters_by_customer(client):
    customer = client.v1.customers.create({})
    mine = _create(client, customer=customer.id)
    _create(client)
    assert [i.id for i in client.v1.payment_intents.list({"customer": customer.id}).data] == [
        mine.id
    ]
