"""The snapshot reducer: every delivery order of a payment's events ends in the same ledger."""

from __future__ import annotations

import time
from typing import Any

import pytest

from core.errors import EventNotReady
from payments.events.handlers import EVENT_HANDLERS
from payments.events.model import PaymentChange, StripeEvent
from payments.events.snapshot import apply_change
from tests.support import stripe_events as se

Doc = dict[str, Any]


def change_of(payload: Doc) -> tuple[StripeEvent, PaymentChange]:
    event = StripeEvent.from_payload(payload)
    change = EVENT_HANDLERS[event.type](event)
    assert isinstance(change, PaymentChange)
    return event, change


def apply(doc: Doc | None, payload: Doc) -> Doc:
    event, change = change_of(payload)
    return apply_change(doc, change, event, tenant_id="tenant_1").document


def deliver(order: list[Doc]) -> Doc:
    """Apply in this order; events that are not ready wait and are retried, as the queue does."""
    doc: Doc | None = None
    waiting = list(order)
    while waiting:
        progressed, still_waiting = False, []
        for payload in waiting:
            try:
                doc = apply(doc, payload)
                progressed = True
            except EventNotReady:
                still_waiting.append(payload)
        assert progressed, f"stuck with {[p['type'] for p in still_waiting]}"
        waiting = still_waiting
    assert doc is not None
    return doc


def test_the_lifecycle_in_order_gives_the_expected_payment() -> None:
    doc = deliver(se.payment_lifecycle())
    assert doc["status"] == "disputed"
    assert doc["amount"] == 5000
    assert doc["currency"] == "usd"
    assert doc["amount_captured"] == 5000
    assert doc["amount_refunded"] == 1500
    assert doc["amount_disputed"] == 3500
    assert doc["checkout_session_id"] == "cs_test_1"
    assert doc["latest_charge_id"] == "ch_1"
    assert doc["customer_email"] == "buyer@example.com"
    assert doc["client_reference_id"] == "order_42"
    assert doc["tenant_id"] == "tenant_1"
    assert doc["merchant_account_id"] == se.ACCOUNT
    assert sorted(doc["ledger"]) == [
        "ch_1:application_fee",
        "ch_1:capture",
        "ch_1:charge",
        "dp_1:dispute",
        "re_1:refund",
        "re_2:refund",
    ]
    assert doc["provenance"]["status"] == se.T0 + 400


def test_every_permutation_of_the_lifecycle_ends_in_the_same_document(
    measurements: list[str],
) -> None:
    events = se.payment_lifecycle()
    expected = deliver(events)
    started, count = time.perf_counter(), 0

    # Depth-first over the permutation tree: each prefix is applied once and shared.
    def walk(doc: Doc | None, remaining: list[Doc], waiting: list[Doc]) -> None:
        nonlocal count
        if not remaining:
            final = doc
            for payload in waiting:  # the queue retries what was not ready
                final = apply(final, payload)
            assert final == expected
            count += 1
            return
        for index, payload in enumerate(remaining):
            rest = remaining[:index] + remaining[index + 1 :]
            try:
                walk(apply(doc, payload), rest, waiting)
            except EventNotReady:
                walk(doc, rest, [*waiting, payload])

    walk(None, events, [])
    assert count == 40320  # 8!
    measurements.append(
        f"reducer: all {count} delivery orders of an 8-event payment agree "
        f"({time.perf_counter() - started:.1f} s)"
    )


def test_reapplying_any_event_changes_nothing() -> None:
    doc = deliver(se.payment_lifecycle())
    for payload in se.payment_lifecycle():
        event, change = change_of(payload)
        outcome = apply_change(doc, change, event, tenant_id="tenant_1")
        assert outcome.document == doc
        assert not outcome.applied
        assert outcome.facts == {}


def test_an_older_event_lands_in_no_field() -> None:
    created, succeeded = se.payment_lifecycle()[:2]
    doc = apply(None, succeeded)
    event, change = change_of(created)
    outcome = apply_change(doc, change, event, tenant_id="tenant_1")
    assert not outcome.applied
    assert outcome.document["status"] == "succeeded"


def test_a_refund_before_its_capture_waits() -> None:
    with pytest.raises(EventNotReady):
        apply(None, se.event("refund.created", se.refund("re_1", 1000), created=se.T0 + 100))


def test_refunding_a_canceled_authorization_moves_no_money() -> None:
    canceled = se.payment_intent(status="canceled", cancellation_reason="requested_by_customer")
    release = se.refund("re_9", 5000)
    doc = deliver(
        [
            se.event("refund.created", release, created=se.T0 + 50),
            se.event("payment_intent.canceled", canceled, created=se.T0 + 50),
        ]
    )
    assert doc["status"] == "canceled"
    assert doc["amount_refunded"] == 0
    assert doc["ledger"] == {}


def test_partial_capture_and_an_uncaptured_authorization() -> None:
    authorized = se.payment_intent(
        status="requires_capture",
        amount_capturable=5000,
        latest_charge="ch_1",
        capture_method="manual",
    )
    doc = apply(
        None, se.event("payment_intent.amount_capturable_updated", authorized, created=se.T0 + 3)
    )
    assert doc["status"] == "requires_capture"
    assert doc["amount_capturable"] == 5000
    assert doc["amount_captured"] == 0
    captured = se.charge(amount_captured=3000, captured=True)
    doc = apply(doc, se.event("charge.captured", captured, created=se.T0 + 60))
    assert doc["status"] == "succeeded"
    assert doc["amount_captured"] == 3000
    assert doc["amount_capturable"] == 0


def test_a_won_dispute_reinstates_the_funds() -> None:
    events = [
        *se.payment_lifecycle()[:4],
        se.event("charge.dispute.created", se.dispute(), created=se.T0 + 300),
        se.event("charge.dispute.closed", se.dispute(status="won"), created=se.T0 + 400),
    ]
    doc = deliver(events)
    assert doc["status"] == "succeeded"
    assert doc["amount_disputed"] == 0
    assert {"dp_1:dispute", "dp_1:dispute_reversal"} <= set(doc["ledger"])


def test_a_failed_refund_is_reversed() -> None:
    events = [
        *se.payment_lifecycle()[:4],
        se.event("refund.created", se.refund("re_1", 1000, status="pending"), created=se.T0 + 100),
        se.event("refund.failed", se.refund("re_1", 1000, status="failed"), created=se.T0 + 160),
    ]
    for order in (events, list(reversed(events))):
        doc = deliver(order)
        assert doc["amount_refunded"] == 0
        assert doc["status"] == "succeeded"
        assert {"re_1:refund", "re_1:refund_reversal"} <= set(doc["ledger"])
