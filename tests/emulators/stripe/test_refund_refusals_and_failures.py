"""Refunds of a charged-back charge are refused (`charge_disputed`), and the refund-failure
card (4000 0000 0000 5126, `pm_card_refundFail`) fails its refunds right after creation."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import requests
import stripe

from core.errors import Conflict
from payments.stripe_gateway import StripeGateway

from .conftest import API_KEY, REPO_ROOT

REFUND_FAIL_CARD = "4000000000005126"


def _paid(client, method, amount=4000, options=None):
    return client.v1.payment_intents.create(
        {"amount": amount, "currency": "usd", "payment_method": method, "confirm": True},
        options,
    )


def _session(client):
    item = {"name": "Mug"}
    return client.v1.checkout.sessions.create(
        {
            "mode": "payment",
            "success_url": "https://shop.test/ok",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {"currency": "usd", "unit_amount": 1500, "product_data": item},
                }
            ],
        }
    )


def _refused(call):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        call()
    return caught.value


def test_a_refund_of_a_disputed_charge_is_refused_as_stripe_refuses_it(client):
    intent = _paid(client, "pm_card_createDispute")
    for params in ({"payment_intent": intent.id}, {"charge": intent.latest_charge, "amount": 100}):
        error = _refused(lambda p=params: client.v1.refunds.create(p))
        assert (error.http_status, error.code) == (400, "charge_disputed")
        assert error.error is not None and error.error.type == "invalid_request_error"
        assert str(error.user_message) == (
            f"Charge {intent.latest_charge} has been charged back; cannot issue a refund."
        )
    assert client.v1.refunds.list({"payment_intent": intent.id}).data == []
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.amount_refunded == 0 and not charge.refunded
    assert not [e.type for e in client.v1.events.list({"limit": 100}).data if "refund" in e.type]


@pytest.mark.parametrize("outcome", ["won", "lost"])
def test_the_refusal_stays_once_the_dispute_is_closed(client, helper, outcome):
    intent = _paid(client, "pm_card_visa")
    client.v1.refunds.create({"payment_intent": intent.id, "amount": 1000})  # before: fine
    dispute = helper(f"charges/{intent.latest_charge}/dispute")
    assert dispute["is_charge_refundable"] is False
    helper(f"disputes/{dispute['id']}/resolve", {"outcome": outcome})
    error = _refused(lambda: client.v1.refunds.create({"payment_intent": intent.id}))
    assert error.code == "charge_disputed"
    assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 1000


def test_the_gateway_translates_stripes_refusal_to_a_409(stripe_emulator_url, client, account):
    intent = _paid(client, "pm_card_createDispute", options={"stripe_account": account})
    gateway = StripeGateway.connect(API_KEY, api_base=stripe_emulator_url, max_network_retries=0)
    with pytest.raises(Conflict) as raised:
        gateway.create_refund(account, {"payment_intent": intent.id}, idempotency_key="k-1")
    assert (raised.value.status, raised.value.code) == (409, "charge_disputed")
    assert "charged back" in raised.value.message and raised.value.from_stripe


def test_the_refund_failure_card_answers_succeeded_then_the_refund_fails(client):
    intent = _paid(client, "pm_card_refundFail")
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.status == "succeeded" and charge.payment_method_details.card.last4 == "5126"
    created = client.v1.refunds.create({"payment_intent": intent.id, "amount": 1500})
    assert created.status == "succeeded"  # Stripe: "appears to be successful at first"
    refund = client.v1.refunds.retrieve(created.id, {"expand": ["failure_balance_transaction"]})
    assert refund.status == "failed" and refund.failure_reason == "expired_or_canceled_card"
    txn = refund.failure_balance_transaction
    assert (txn.type, txn.amount, txn.fee, txn.source) == ("refund_failure", 1500, 0, refund.id)
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert charge.amount_refunded == 0 and not charge.refunded
    assert charge.refunds.data[0].status == "failed"
    refund_txn = client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert refund_txn.amount == -1500  # the refund's own debit stays; the failure credits it back

    listed = client.v1.events.list({"limit": 100}).data
    events = [e for e in reversed(listed) if "refund" in e.type]
    assert [e.type for e in events] == [
        "refund.created",
        "charge.refunded",
        "charge.refund.updated",
        "refund.updated",
        "refund.failed",
    ]
    assert events[0].data.object.status == "succeeded"
    assert events[1].data.previous_attributes["amount_refunded"] == 0
    for updated in events[2:4]:
        assert updated.data.object.id == refund.id and updated.data.object.status == "failed"
        assert updated.data.previous_attributes.to_dict() == {
            "status": "succeeded",
            "failure_balance_transaction": None,
            "failure_reason": None,
        }
    assert events[4].data.object.failure_reason == "expired_or_canceled_card"


def test_a_failed_refund_gives_the_amount_back_to_refund_again(client):
    intent = _paid(client, "pm_card_refundFail", amount=2000)
    first = client.v1.refunds.create({"payment_intent": intent.id})
    assert first.amount == 2000
    second = client.v1.refunds.create({"payment_intent": intent.id, "amount": 2000})
    assert client.v1.refunds.retrieve(second.id).status == "failed"


def test_the_hosted_page_and_the_pay_helper_take_the_refund_failure_card(client, helper):
    session = _session(client)
    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200 and "4000 0000 0000 5126" in page.text  # the hint
    form = {"method": "card", "card_number": "4000 0000 0000 5126"}
    paid = requests.post(session.url, data=form, allow_redirects=False, timeout=5)
    assert paid.status_code == 303, paid.text
    by_helper = _session(client)
    answer = helper(f"checkout/sessions/{by_helper.id}/pay", {"card": REFUND_FAIL_CARD})
    assert answer["session"]["status"] == "complete" and answer["declined"] is None
    for done in (session, by_helper):
        intent = client.v1.checkout.sessions.retrieve(done.id).payment_intent
        refund = client.v1.refunds.create({"payment_intent": intent})
        assert client.v1.refunds.retrieve(refund.id).status == "failed"


def test_the_helper_fails_any_refund_once(client, helper):
    intent = _paid(client, "pm_card_visa")
    refund = client.v1.refunds.create({"payment_intent": intent.id, "amount": 700})
    bad = helper(f"refunds/{refund.id}/fail", {"failure_reason": "bounced"}, expect=400)
    assert bad["error"]["param"] == "failure_reason"
    failed = helper(f"refunds/{refund.id}/fail", {"failure_reason": "lost_or_stolen_card"})
    assert failed["status"] == "failed" and failed["failure_reason"] == "lost_or_stolen_card"
    assert client.v1.charges.retrieve(intent.latest_charge).amount_refunded == 0
    again = helper(f"refunds/{refund.id}/fail", expect=400)
    assert "cannot fail" in again["error"]["message"]
    helper("refunds/re_missing/fail", expect=404)


def test_trigger_and_cli_fail_a_refund(stripe_emulator_url, client, helper):
    created = helper("trigger", {"type": "refund.failed"})["events"]
    assert {"refund.created", "charge.refund.updated", "refund.failed"} <= {
        e["type"] for e in created
    }
    intent = _paid(client, "pm_card_visa")
    refund = client.v1.refunds.create({"payment_intent": intent.id})
    command = ["fail-refund", refund.id, "--url", stripe_emulator_url]
    result = subprocess.run(
        [sys.executable, "-m", "emulators.stripe", *command],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["failure_reason"] == "expired_or_canceled_card"
