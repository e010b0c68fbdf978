"""Disputes: opened by the dispute card, evidence, close, and won/lost resolution."""

from __future__ import annotations

import pytest
import stripe


@pytest.fixture
def dispute(client):
    intent = client.v1.payment_intents.create(
        {
            "amount": 3000,
            "currency": "usd",
            "payment_method": "pm_card_createDispute",
            "confirm": True,
        }
    )
    return client.v1.disputes.list({"payment_intent": intent.id}).data[0]


def test_dispute_card_opens_a_dispute_and_withdraws_funds(client, dispute):
    assert dispute.amount == 3000 and dispute.reason == "fraudulent"
    assert client.v1.disputes.retrieve(dispute.id).status == "needs_response"
    withdrawal = dispute.balance_transactions[0]
    assert withdrawal.amount == -3000 and withdrawal.fee == 1500
    listed = client.v1.balance_transactions.list({"source": dispute.id}).data
    assert [t.reporting_category for t in listed] == ["dispute"]
    types = {e.type for e in client.v1.events.list().data}
    assert {"charge.dispute.created", "charge.dispute.funds_withdrawn"} <= types


def test_submitting_evidence_puts_it_under_review(client, dispute):
    updated = client.v1.disputes.update(
        dispute.id,
        {
            "evidence": {"uncategorized_text": "Delivered on time", "customer_name": "Jenny"},
            "metadata": {"case": "1"},
        },
    )
    assert updated.status == "under_review"
    assert updated.evidence.uncategorized_text == "Delivered on time"
    assert updated.evidence_details.has_evidence and updated.metadata["case"] == "1"
    event = client.v1.events.list({"type": "charge.dispute.updated"}).data[0]
    assert event.data.previous_attributes["status"] == "needs_response"


def test_close_accepts_the_loss(client, dispute):
    closed = client.v1.disputes.close(dispute.id)
    assert closed.status == "lost"
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.disputes.close(dispute.id)


def test_helper_resolves_as_won_and_reinstates_funds(client, helper, dispute):
    won = helper(f"disputes/{dispute.id}/resolve", {"outcome": "won"})
    assert won["status"] == "won"
    reversal = client.v1.balance_transactions.list({"source": dispute.id}).data[0]
    assert reversal.amount == 3000 and reversal.reporting_category == "dispute_reversal"
    types = [e.type for e in client.v1.events.list({"type": "charge.dispute.*"}).data]
    assert types[:2] == ["charge.dispute.funds_reinstated", "charge.dispute.closed"]


def test_helper_resolves_as_lost(client, helper, dispute):
    assert helper(f"disputes/{dispute.id}/resolve", {"outcome": "lost"})["status"] == "lost"


def test_helper_disputes_any_captured_charge(client, helper):
    intent = client.v1.payment_intents.create(
        {"amount": 3000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    created = helper(f"charges/{intent.latest_charge}/dispute", {"reason": "product_not_received"})
    assert created["reason"] == "product_not_received"
    assert client.v1.disputes.retrieve(created["id"]).charge == intent.latest_charge
