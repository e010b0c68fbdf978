"""The timeline orders a second's events by the payment's lifecycle, not by event id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger.memory import MemoryStore
from payments import payment_queries
from tests.support import stripe_events as se
from tests.support import webhooks as ws


def test_events_of_one_second_appear_in_lifecycle_order_whatever_their_ids() -> None:
    store = MemoryStore()
    store.docs[("tenants", "t_1")] = {"merchant_account_id": se.ACCOUNT}
    clock = [datetime(2026, 11, 25, 12, tzinfo=UTC)]
    deps = ws.make_deps(store, clock=lambda: clock[0])
    succeeded = se.payment_intent(status="succeeded", amount_received=5000, latest_charge="ch_1")
    delivered = [  # ids sort in the wrong order on purpose; all in one Stripe second
        ("evt_a", "charge.dispute.funds_withdrawn", se.dispute()),
        ("evt_b", "checkout.session.completed", se.checkout_session()),
        ("evt_c", "charge.dispute.created", se.dispute()),
        ("evt_d", "payment_intent.succeeded", succeeded),
        ("evt_e", "charge.succeeded", se.charge()),
    ]
    for event_id, event_type, obj in delivered:
        payload = se.event(event_type, obj, created=se.T0, event_id=event_id)
        ws.receive_and_apply(*ws.signed(payload, timestamp=int(clock[0].timestamp())), deps)
        clock[0] += timedelta(milliseconds=5)

    timeline = payment_queries.payment_timeline(store, "t_1", "pi_1")["data"]

    assert [entry["type"] for entry in timeline] == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
    ]
