"""Stripe's real state machines on the pure reducer: every delivery order of each lifecycle,
all of its events in one second, ends where Stripe ends. Where the reducer asks for a resync,
a fake Stripe answers with the object as it is at the end (read in that same second)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from core.errors import EventNotReady
from payments.events.handlers import EVENT_HANDLERS
from payments.events.model import PaymentChange, StripeEvent
from payments.events.resync import resync_change, unsettled
from payments.events.snapshot import apply_change
from tests.support import stripe_events as se

Doc = dict[str, Any]
T = se.T0
KIND_OF = {"pi_": "payment_intent", "ch_": "charges", "re_": "refunds", "dp_": "disputes"}


def declined(charge: str | None, code: str = "card_declined") -> Doc:
    return {
        "type": "card_error" if code == "card_declined" else "invalid_request_error",
        "code": code,
        "decline_code": "generic_decline" if code == "card_declined" else None,
        "message": "Your card was declined." if code == "card_declined" else "It failed.",
        "charge": charge,
    }


def intent(status: str, **fields: Any) -> Doc:
    return se.payment_intent(status=status, metadata={"client_reference_id": "order_42"}, **fields)


def paid(charge: str = "ch_1", amount: int = 5000, **fields: Any) -> Doc:
    return intent("succeeded", amount_received=amount, latest_charge=charge, **fields)


def ev(event_type: str, obj: Doc, n: int, **extra: Any) -> Doc:
    return se.event(event_type, obj, created=T, event_id=f"evt_{n:02d}_{event_type}", **extra)


def decline_then_success() -> list[Doc]:
    return [
        ev("payment_intent.created", intent("requires_payment_method"), 1),
        ev(
            "payment_intent.payment_failed",
            intent(
                "requires_payment_method",
                latest_charge="ch_bad",
                last_payment_error=declined("ch_bad"),
            ),
            2,
        ),
        ev("charge.succeeded", se.charge("ch_1"), 3),
        ev("payment_intent.succeeded", paid(last_payment_error=None), 4),
        ev("checkout.session.completed", se.checkout_session(), 5),
    ]


def decline_only() -> list[Doc]:
    failed = intent(
        "requires_payment_method", latest_charge="ch_bad", last_payment_error=declined("ch_bad")
    )
    return [
        ev("payment_intent.created", intent("requires_payment_method"), 1),
        ev("payment_intent.payment_failed", failed, 2),
    ]


def two_declines() -> list[Doc]:
    """Two attempts in one second: nothing in the payloads orders them (only Stripe can)."""
    return [
        *decline_only(),
        ev(
            "payment_intent.payment_failed",
            intent(
                "requires_payment_method",
                latest_charge="ch_worse",
                last_payment_error={**declined("ch_worse"), "decline_code": "insufficient_funds"},
            ),
            3,
        ),
    ]


def authentication_failure_only() -> list[Doc]:
    return authentication_failure_then_success()[:3]


def authentication_failure_then_success() -> list[Doc]:
    auth_error = {**declined(None), "code": "payment_intent_authentication_failure"}
    return [
        ev("payment_intent.created", intent("requires_payment_method"), 1),
        ev("payment_intent.requires_action", intent("requires_action"), 2),
        ev(
            "payment_intent.payment_failed",
            intent("requires_payment_method", last_payment_error=auth_error),
            3,
        ),
        ev("charge.succeeded", se.charge("ch_1"), 4),
        ev("payment_intent.succeeded", paid(last_payment_error=auth_error), 5),
    ]


def bank_debit(outcome: str) -> list[Doc]:
    processing = intent("processing", latest_charge="ch_1")
    open_session = se.checkout_session(payment_status="unpaid")
    events = [
        ev("payment_intent.created", intent("requires_payment_method"), 1),
        ev("payment_intent.processing", processing, 2),
        ev("checkout.session.completed", open_session, 3),
    ]
    if outcome == "failed":
        failed = intent(
            "requires_payment_method",
            latest_charge="ch_1",
            last_payment_error=declined("ch_1", "account_closed"),
        )
        return [
            *events,
            ev("payment_intent.payment_failed", failed, 4),
            ev("checkout.session.async_payment_failed", open_session, 5),
        ]
    return [
        *events,
        ev("charge.succeeded", se.charge("ch_1"), 4),
        ev("payment_intent.succeeded", paid(), 5),
        ev("checkout.session.async_payment_succeeded", se.checkout_session(), 6),
    ]


def partial_capture_then_refund() -> list[Doc]:
    authorized = se.charge("ch_1", captured=False, amount_captured=0)
    captured = se.charge("ch_1", amount_captured=3000)
    refunded = se.charge("ch_1", amount_captured=3000, amount_refunded=1000)
    capturable = intent(
        "requires_capture", amount_capturable=5000, latest_charge="ch_1", capture_method="manual"
    )
    return [
        ev("payment_intent.created", intent("requires_payment_method"), 1),
        ev("charge.succeeded", authorized, 2),
        ev("payment_intent.amount_capturable_updated", capturable, 3),
        ev("charge.captured", captured, 4, previous_attributes={"captured": False}),
        ev("payment_intent.succeeded", paid(amount=3000, capture_method="manual"), 5),
        ev("refund.created", se.refund("re_1", 1000), 6),
        ev("charge.refunded", refunded, 7),
    ]


def dispute_won() -> list[Doc]:
    return [
        ev("payment_intent.succeeded", paid(), 1),
        ev("charge.succeeded", se.charge("ch_1"), 2),
        ev("charge.dispute.created", se.dispute(), 3),
        ev("charge.dispute.funds_withdrawn", se.dispute(), 4),
        ev("charge.dispute.closed", se.dispute(status="won"), 5),
        ev("charge.dispute.funds_reinstated", se.dispute(status="won"), 6),
    ]


def refund_fails() -> list[Doc]:
    return [
        ev("payment_intent.succeeded", paid(), 1),
        ev("charge.succeeded", se.charge("ch_1"), 2),
        ev("refund.created", se.refund("re_1", 1000, status="pending"), 3),
        ev(
            "refund.updated",
            se.refund("re_1", 1000, status="failed", failure_reason="lost_or_stolen_card"),
            4,
            previous_attributes={"status": "pending"},
        ),
        ev(
            "refund.failed",
            se.refund("re_1", 1000, status="failed", failure_reason="lost_or_stolen_card"),
            5,
        ),
    ]


# lifecycle → what the ledger must show at the end (Stripe's end state, as the ledger says it)
LIFECYCLES: dict[str, tuple[Callable[[], list[Doc]], Doc]] = {
    "decline then success": (
        decline_then_success,
        {"status": "succeeded", "amount_captured": 5000, "client_reference_id": "order_42"},
    ),
    "decline only": (
        decline_only,
        {"status": "failed", "failure_code": "card_declined", "amount_captured": 0},
    ),
    "two declines in one second": (
        two_declines,
        {"status": "failed", "failure_code": "card_declined", "resync_reads": True},
    ),
    "3DS failure, customer leaves": (
        authentication_failure_only,
        {"status": "failed", "failure_code": "payment_intent_authentication_failure"},
    ),
    "3DS failure then success": (
        authentication_failure_then_success,
        {"status": "succeeded", "amount_captured": 5000, "failure_code": None},
    ),
    "bank debit processing → failed": (
        lambda: bank_debit("failed"),
        {"status": "failed", "failure_code": "account_closed", "amount_captured": 0},
    ),
    "bank debit processing → succeeded": (
        lambda: bank_debit("succeeded"),
        {"status": "succeeded", "amount_captured": 5000},
    ),
    "partial capture then refund": (
        partial_capture_then_refund,
        {"status": "partially_refunded", "amount_captured": 3000, "amount_refunded": 1000},
    ),
    "dispute opened → won → funds reinstated": (
        dispute_won,
        {"status": "succeeded", "amount_disputed": 0, "amount_captured": 5000},
    ),
    "refund pending → failed": (
        refund_fails,
        {"status": "succeeded", "amount_refunded": 0, "amount_captured": 5000},
    ),
}


class FakeStripe:
    """Stripe at the end of a lifecycle: each object as its last event shows it."""

    def __init__(self, events: list[Doc]) -> None:
        self.objects = {
            payload["data"]["object"]["id"]: payload["data"]["object"] for payload in events
        }
        self.reads = 0

    def resync(self, doc: Doc) -> Doc:
        wanted = unsettled(doc)
        self.reads += len(wanted)
        fetched = {item: self.objects[item[1]] for item in wanted}
        event, change = resync_change(
            doc["payment_id"], fetched, second=T, resync_id=f"resync_{self.reads}", account=None
        )
        return apply_change(doc, change, event, tenant_id="tenant_1").document


def apply(doc: Doc | None, payload: Doc) -> Doc:
    event = StripeEvent.from_payload(payload)
    change = EVENT_HANDLERS[event.type](event)
    assert isinstance(change, PaymentChange)
    return apply_change(doc, change, event, tenant_id="tenant_1").document


def seen(doc: Doc) -> Doc:
    failure = doc.get("failure") or {}
    return {
        "status": doc["status"],
        "failure_code": failure.get("code"),
        "amount_captured": doc["amount_captured"],
        "amount_refunded": doc["amount_refunded"],
        "amount_disputed": doc["amount_disputed"],
        "client_reference_id": doc["client_reference_id"],
        "ledger": sorted(doc["ledger"]),
    }


def every_order(events: list[Doc], stripe: FakeStripe, *, resync_at_once: bool) -> list[Doc]:
    """The end of every delivery order. Events that are not ready wait for the queue; a
    resync is answered at once when asked for, or else once everything was delivered."""
    ends: list[Doc] = []

    def step(doc: Doc | None, payload: Doc) -> Doc:
        doc = apply(doc, payload)
        return stripe.resync(doc) if resync_at_once and doc["resync_needed"] else doc

    def walk(doc: Doc | None, remaining: list[Doc], waiting: list[Doc]) -> None:
        if not remaining:
            for payload in waiting:
                doc = step(doc, payload)
            assert doc is not None
            ends.append(stripe.resync(doc) if doc["resync_needed"] else doc)
            return
        for index, payload in enumerate(remaining):
            rest = remaining[:index] + remaining[index + 1 :]
            try:
                walk(step(doc, payload), rest, waiting)
            except EventNotReady:
                walk(doc, rest, [*waiting, payload])

    walk(None, events, [])
    return ends


@pytest.mark.parametrize("name", LIFECYCLES)
@pytest.mark.parametrize("resync_at_once", [False, True], ids=["resync-at-end", "resync-at-once"])
def test_every_order_of_a_lifecycle_ends_where_stripe_ends(
    name: str, resync_at_once: bool, measurements: list[str]
) -> None:
    build, expected = LIFECYCLES[name][0], dict(LIFECYCLES[name][1])
    events = build()
    stripe = FakeStripe(events)
    started = time.perf_counter()
    ends = every_order(events, stripe, resync_at_once=resync_at_once)
    in_order = seen(ends[0])
    for end in ends:
        assert not end["resync_needed"]
        assert seen(end) == in_order
    if expected.pop("resync_reads", False):
        assert stripe.reads > 0
        assert ends[0]["sources"]["payment_intent"]["pi_1"]["state"]["latest_charge"] == "ch_worse"
    assert {name: in_order[name] for name in expected} == expected
    if not resync_at_once:
        measurements.append(
            f"lifecycle {name!r}: {len(ends)} orders end where Stripe ends, "
            f"{stripe.reads} resync reads ({time.perf_counter() - started:.1f} s)"
        )
