"""The home page's numbers: the last 30 days of one tenant, from the ledger's documents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.dashboard._chart import daily_volume_chart
from payments.insights import WINDOW_DAYS, last_30_days, payment_transactions
from tests.unit.test_firestore_indexes import RecordingStore, declared, needs_composite, served

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)
TODAY = int(datetime(2026, 11, 25, tzinfo=UTC).timestamp())
DAY = 86400


def payment(store: RecordingStore, pid: str, **fields: object) -> None:
    doc = {"payment_id": pid, "tenant_id": "t_1", "currency": "usd", "created": TODAY + 60}
    store.docs[("payments", pid)] = {**doc, **fields}


def refund(store: RecordingStore, refund_id: str, status: str, amount: int) -> None:
    store.docs[("refunds", refund_id)] = {
        "refund_id": refund_id,
        "tenant_id": "t_1",
        "status": status,
        "amount": amount,
        "currency": "usd",
        "created": TODAY,
    }


def dispute(store: RecordingStore, dispute_id: str, status: str, tenant: str) -> None:
    store.docs[("disputes", dispute_id)] = {
        "dispute_id": dispute_id,
        "tenant_id": tenant,
        "status": status,
        "created": TODAY,
    }


def world() -> RecordingStore:
    store = RecordingStore()
    captured = {"status": "succeeded", "amount_captured": 4800, "payment_intent_id": "pi_a"}
    payment(store, "pi_a", **captured)
    payment(store, "pi_b", **{**captured, "amount_captured": 2000}, created=TODAY - 3 * DAY)
    payment(store, "pi_c", status="requires_payment_method", payment_intent_id="pi_c")  # declined
    payment(store, "cs_d", status="requires_payment_method")  # checkout opened, never paid
    payment(store, "pi_e", status="requires_capture", payment_intent_id="pi_e")  # authorized
    payment(store, "pi_f", **{**captured, "amount_captured": 1200}, currency="eur")
    payment(store, "pi_old", **captured, created=TODAY - WINDOW_DAYS * DAY)  # before the window
    payment(store, "pi_other", **captured, tenant_id="t_2")
    refund(store, "re_1", "succeeded", 500)
    refund(store, "re_2", "failed", 900)
    dispute(store, "dp_1", "needs_response", "t_1")
    dispute(store, "dp_2", "won", "t_1")
    dispute(store, "dp_3", "needs_response", "t_2")
    return store


def test_the_summary_counts_the_tenants_window_only() -> None:
    summary = last_30_days(world(), "t_1", now=NOW)
    assert summary.since == datetime(2026, 10, 27, tzinfo=UTC)
    assert summary.volume == {"usd": 6800, "eur": 1200}
    assert summary.currency == "usd"
    assert (summary.payments, summary.successful, summary.failed) == (6, 4, 1)
    assert summary.success_rate == 4 / 5
    assert (summary.refunds, summary.refunded) == (1, {"usd": 500})
    assert summary.open_disputes == 1
    assert len(summary.daily) == WINDOW_DAYS
    assert summary.daily[-1].amount == 4800 and summary.daily[-4].amount == 2000
    assert sum(day.amount for day in summary.daily) == 6800
    assert summary.complete


def test_a_tenant_without_payments_has_no_rate_and_an_empty_chart() -> None:
    summary = last_30_days(world(), "t_new", now=NOW)
    assert summary.success_rate is None and summary.currency is None
    chart = daily_volume_chart(summary.daily, summary.currency)
    assert all(bar.height == 0 for bar in chart.bars)
    assert chart.ticks[-1].label == "$1.00"  # an empty chart still has a scale


def test_the_chart_scales_to_a_round_top_and_labels_the_busiest_day() -> None:
    summary = last_30_days(world(), "t_1", now=NOW)
    chart = daily_volume_chart(summary.daily, summary.currency)
    assert [tick.label for tick in chart.ticks] == ["$0.00", "$12.50", "$25.00", "$37.50", "$50.00"]
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.label == "Nov 25, 2026: $48.00"
    top = chart.ticks[-1].y
    assert tallest.y == pytest.approx(top + (chart.baseline - top) * (1 - 48 / 50), abs=0.01)
    assert chart.x_labels[0].label == "Oct 27"
    assert "busiest day Nov 25, 2026 with $48.00" in chart.summary


def test_transactions_are_the_payments_facts_in_order() -> None:
    store = world()
    store.docs[("payments", "pi_a")]["ledger"] = {
        "refund_re_1": {"type": "refund", "amount": 500, "currency": "usd", "created": 20},
        "capture_ch_1": {"type": "capture", "amount": 4800, "currency": "usd", "created": 10},
        "charge_ch_1": {"type": "charge", "amount": 4800, "currency": "usd", "created": 10},
    }
    facts = payment_transactions(store, "t_1", "pi_a")
    assert [fact["id"] for fact in facts] == ["charge_ch_1", "capture_ch_1", "refund_re_1"]


def test_the_summary_queries_are_indexed() -> None:
    store = world()
    last_30_days(store, "t_1", now=NOW)
    composite = [query for query in store.queries if needs_composite(query)]
    assert len(composite) == 2 + 4  # payments and refunds of the window; disputes by status
    indexes = declared()
    assert [query for query in composite if not served(query, indexes)] == []


def test_a_failed_payment_counts_as_failed() -> None:
    store = world()
    failure = {"code": "card_declined", "decline_code": "generic_decline", "message": None}
    payment(store, "pi_g", status="failed", payment_intent_id="pi_g", failure=failure)
    summary = last_30_days(store, "t_1", now=NOW)
    assert (summary.payments, summary.successful, summary.failed) == (7, 4, 2)
    assert summary.success_rate == 4 / 6
