"""The order rule on pairs of states of one object (docs/ledger.md, "Order rule")."""

from __future__ import annotations

from typing import Any

import pytest

from payments.events.machines import Order, Seen, order

Doc = dict[str, Any]
AUTH_ERROR = {"code": "payment_intent_authentication_failure", "charge": None}


def intent(status: str, charge: str | None = None, error: Doc | None = None) -> Doc:
    return {"status": status, "latest_charge": charge, "last_payment_error": error}


def declined(charge: str) -> Doc:
    return intent("requires_payment_method", charge, {"code": "card_declined", "charge": charge})


@pytest.mark.parametrize(
    ("current", "incoming", "expected"),
    [
        # a bank debit that fails after processing: a forward move, not a regression
        (intent("processing", "ch_1"), declined("ch_1"), Order.AFTER),
        (declined("ch_1"), intent("processing", "ch_1"), Order.BEFORE),
        # a decline after the intent as created, and a success after the decline
        (intent("requires_payment_method"), declined("ch_1"), Order.AFTER),
        (declined("ch_1"), intent("succeeded", "ch_2"), Order.AFTER),
        (intent("requires_capture", "ch_1"), intent("processing", "ch_1"), Order.BEFORE),
        # what nothing orders: two attempts' charges, or the cycle before a charge
        (declined("ch_1"), declined("ch_2"), Order.AMBIGUOUS),
        (
            intent("requires_action"),
            intent("requires_payment_method", None, AUTH_ERROR),
            Order.AMBIGUOUS,
        ),
        (intent("succeeded", "ch_1"), intent("canceled", "ch_1"), Order.AMBIGUOUS),
        (intent("processing", "ch_1"), intent("processing", "ch_1"), Order.SAME),
    ],
)
def test_payment_intent_states_of_one_second(current: Doc, incoming: Doc, expected: Order) -> None:
    assert order("payment_intent", Seen(10, current), Seen(10, incoming)) is expected


def test_the_later_second_wins_whatever_the_states() -> None:
    assert (
        order("payment_intent", Seen(10, intent("succeeded", "ch_1")), Seen(11, declined("ch_2")))
        is Order.AFTER
    )
    assert (
        order(
            "payment_intent",
            Seen(11, intent("processing", "ch_1")),
            Seen(10, intent("succeeded", "ch_1")),
        )
        is Order.BEFORE
    )


def test_previous_attributes_prove_which_state_came_first() -> None:
    action = intent("requires_action")
    failed = intent("requires_payment_method", None, AUTH_ERROR)
    said = Seen(10, failed, previous={"status": "requires_action", "last_payment_error": None})
    assert order("payment_intent", Seen(10, action), said) is Order.AFTER
    assert order("payment_intent", said, Seen(10, action)) is Order.BEFORE
    other = Seen(10, failed, previous={"status": "requires_confirmation"})  # left another state
    assert order("payment_intent", Seen(10, action), other) is Order.AMBIGUOUS


@pytest.mark.parametrize(
    ("kind", "current", "incoming", "expected"),
    [
        ("refunds", {"status": "succeeded"}, {"status": "failed"}, Order.AFTER),
        ("refunds", {"status": "failed"}, {"status": "pending"}, Order.BEFORE),
        ("disputes", {"status": "won"}, {"status": "needs_response"}, Order.BEFORE),
        (
            "charges",
            {"status": "succeeded", "captured": False},
            {"status": "succeeded", "captured": True},
            Order.AFTER,
        ),
        (
            "checkout_session",
            {"status": "complete", "payment_status": "unpaid"},
            {"status": "open"},
            Order.BEFORE,
        ),
        (
            "disputes",
            {"status": "needs_response", "reason": "fraudulent"},
            {"status": "needs_response", "reason": "general"},
            Order.AMBIGUOUS,
        ),
    ],
)
def test_objects_whose_statuses_move_forward(
    kind: str, current: Doc, incoming: Doc, expected: Order
) -> None:
    assert order(kind, Seen(10, current), Seen(10, incoming)) is expected
