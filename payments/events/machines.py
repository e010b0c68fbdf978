"""Which of two states of one Stripe object is the newer: each object's state machine.

Stripe's `created` has one-second resolution and its state machines are not monotonic (a bank
debit goes `processing → requires_payment_method` when it fails; a decline sends
`requires_confirmation` back to `requires_payment_method`), so two states of one object seen in
the same second cannot be ordered by time or by a status rank. `order` decides with what the
states carry, in this order (docs/ledger.md, "Order rule"):

1. different seconds: the later second is newer;
2. the same state: `SAME`;
3. `previous_attributes`: a state whose event says it left exactly the other state follows it;
4. a terminal state (nothing leaves it) follows every state that is not terminal;
5. the object's own progress: for a PaymentIntent, its attempts (the charge each attempt
   made, `latest_charge`, and the outcome `last_payment_error` names); for the others, a
   rank of statuses that only move forward (plus captured, refunded, disputed for a charge);
6. otherwise `AMBIGUOUS`: the reducer keeps a deterministic pick and asks for the object to be
   read from Stripe (a resync), which settles it.

Pure functions of the two states: no I/O, no clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

__all__ = ["Order", "Seen", "is_terminal", "lifecycle_stage", "order", "rank"]

Obj = dict[str, Any]


class Order(enum.Enum):
    BEFORE = "before"  # the incoming state is older than the stored one
    SAME = "same"
    AFTER = "after"  # the incoming state is newer
    AMBIGUOUS = "ambiguous"  # nothing the states carry orders them: ask Stripe


@dataclass(frozen=True)
class Seen:
    """A state of one object as an event (or a read from Stripe) showed it."""

    second: int  # the event's `created` (or the second of the read)
    state: Obj
    previous: Obj | None = None  # the event's `previous_attributes`, as far as `state` keeps


TERMINAL: dict[str, frozenset[str]] = {
    "payment_intent": frozenset({"succeeded", "canceled"}),
    "charges": frozenset(),
    "refunds": frozenset({"failed", "canceled"}),
    "disputes": frozenset({"won", "lost", "warning_closed"}),
    "checkout_session": frozenset({"expired"}),
}
# Statuses that only move forward; a refund may fail after it succeeded.
STATUS_RANK: dict[str, dict[str, int]] = {
    "charges": {"pending": 0, "failed": 1, "succeeded": 1},
    "refunds": {"requires_action": 0, "pending": 1, "succeeded": 2, "failed": 3, "canceled": 3},
    "disputes": {
        "warning_needs_response": 0,
        "warning_under_review": 1,
        "needs_response": 2,
        "under_review": 3,
        "warning_closed": 4,
        "won": 4,
        "lost": 4,
    },
    "checkout_session": {"open": 0, "complete": 1, "expired": 2},
}
SESSION_PAYMENT_RANK = {"unpaid": 0, "no_payment_required": 1, "paid": 2}
INTENT_RANK = {
    "requires_payment_method": 0,
    "requires_confirmation": 1,
    "requires_action": 2,
    "processing": 3,
    "requires_capture": 4,
    "canceled": 5,
    "succeeded": 5,
}


def order(kind: str, current: Seen, incoming: Seen) -> Order:
    """Where `incoming` stands relative to `current`, two states of one object."""
    if incoming.second != current.second:
        return Order.AFTER if incoming.second > current.second else Order.BEFORE
    if incoming.state == current.state:
        return Order.SAME
    if _left(incoming, current.state):
        return Order.AFTER
    if _left(current, incoming.state):
        return Order.BEFORE
    terminal_in, terminal_cur = is_terminal(kind, incoming.state), is_terminal(kind, current.state)
    if terminal_in != terminal_cur:
        return Order.AFTER if terminal_in else Order.BEFORE
    if terminal_in:
        return Order.AMBIGUOUS  # two different ends of one object: only Stripe knows
    if kind == "payment_intent":
        return _intent_order(current.state, incoming.state)
    ahead, behind = _progress(kind, incoming.state), _progress(kind, current.state)
    if ahead == behind:
        return Order.AMBIGUOUS
    return Order.AFTER if ahead > behind else Order.BEFORE


def is_terminal(kind: str, state: Obj) -> bool:
    if kind == "checkout_session":
        return state.get("status") == "expired" or (
            state.get("status") == "complete" and state.get("payment_status") == "paid"
        )
    return state.get("status") in TERMINAL.get(kind, frozenset())


def rank(kind: str, state: Obj) -> tuple[int, ...]:
    """A coarse progress rank, only to make the pick among ambiguous states deterministic."""
    if kind == "payment_intent":
        return (
            INTENT_RANK.get(str(state.get("status")), 0),
            int(state.get("amount_received") or 0),
        )
    return _progress(kind, state)


def _left(seen: Seen, other: Obj) -> bool:
    """Does `seen`'s event say the object left exactly `other` (its previous_attributes)?"""
    if not seen.previous:
        return False
    return {**seen.state, **seen.previous} == other


def _progress(kind: str, state: Obj) -> tuple[int, ...]:
    status = str(state.get("status"))
    if kind == "charges":
        return (
            STATUS_RANK["charges"].get(status, 0),
            int(bool(state.get("captured"))),
            int(state.get("amount_refunded") or 0),
            int(bool(state.get("disputed"))),
        )
    if kind == "checkout_session":
        payment = SESSION_PAYMENT_RANK.get(str(state.get("payment_status")), 0)
        return (STATUS_RANK[kind].get(status, 0), payment)
    return (STATUS_RANK.get(kind, {}).get(status, 0),)


# A PaymentIntent is a cycle of attempts. Each attempt that reaches the card or bank makes a
# charge (`latest_charge`); its states are, in order: processing or requires_capture, then an
# outcome (succeeded, or requires_payment_method with `last_payment_error.charge` = that
# charge). Before the first charge and between attempts the intent cycles through
# requires_confirmation, requires_action and requires_payment_method (a failed 3-D Secure
# attempt makes no charge): those states cannot be ordered among themselves.
ORIGIN, IN_FLIGHT, CAPTURABLE, FAILED, BETWEEN, NO_CHARGE_IN_FLIGHT = 0, 1, 2, 3, 5, 6


def _intent_order(current: Obj, incoming: Obj) -> Order:
    (attempt_cur, stage_cur), (attempt_in, stage_in) = _position(current), _position(incoming)
    if attempt_cur != attempt_in:
        if attempt_cur is None:
            return Order.AFTER  # the incoming state's attempt made a charge after `current`
        if attempt_in is None:
            return Order.BEFORE
        return Order.AMBIGUOUS  # two charges in one second: which came first?
    if stage_cur == stage_in:
        return Order.AMBIGUOUS
    return Order.AFTER if stage_in > stage_cur else Order.BEFORE


def _position(intent: Obj) -> tuple[str | None, int]:
    """(the attempt's charge, the stage within it) of a non-terminal intent state."""
    status, charge = intent.get("status"), intent.get("latest_charge")
    error = intent.get("last_payment_error") or {}
    if charge is None:
        if status == "requires_payment_method" and not error:
            return None, ORIGIN  # as created: before everything
        if status in {"processing", "requires_capture"}:
            return None, NO_CHARGE_IN_FLIGHT
        return None, BETWEEN
    if status == "processing":
        return charge, IN_FLIGHT
    if status == "requires_capture":
        return charge, CAPTURABLE
    if status == "requires_payment_method" and error.get("charge") == charge:
        return charge, FAILED
    return charge, BETWEEN


# Where each event type sits in a payment's life, to order a timeline's events of one second
# (Stripe's order of delivery, then the event id, break the remaining ties).
LIFECYCLE = (
    ("payment_intent.created",),
    ("payment_intent.requires_action",),
    ("payment_intent.processing", "charge.pending"),
    ("payment_intent.payment_failed", "charge.failed"),
    ("charge.succeeded", "payment_intent.amount_capturable_updated"),
    ("charge.captured", "payment_intent.succeeded", "payment_intent.canceled"),
    (
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    ),
    ("radar.early_fraud_warning.created",),
    ("refund.created", "charge.refunded"),
    ("refund.updated", "charge.refund.updated", "refund.failed"),
    ("charge.dispute.created",),
    ("charge.dispute.funds_withdrawn", "charge.dispute.updated"),
    ("charge.dispute.closed",),
    ("charge.dispute.funds_reinstated",),
    ("ledger.resync",),
)
STAGE_OF = {event_type: stage for stage, types in enumerate(LIFECYCLE) for event_type in types}


def lifecycle_stage(event_type: str | None) -> int:
    """The stage of an event type in a payment's life (unknown types: after the others)."""
    return STAGE_OF.get(str(event_type), len(LIFECYCLE))
