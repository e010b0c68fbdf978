"""The benchmark's correctness check (bench/reference.py) must be able to fail: a ledger that
differs from the in-order result in any document, misses one or has one too many is caught."""

from __future__ import annotations

import random

import pytest

from bench.events import CONNECT_SECRET, TENANTS, Workload, build_workload
from bench.reference import Ledger, check_ledger, in_order_ledger
from ledger.collections import EVENT_LOGS, PAYMENT_TRANSACTIONS, PAYMENTS, WEBHOOK_EVENTS
from ledger.memory import MemoryStore
from ledger.store import DocKey


@pytest.fixture(scope="module")
def workload_and_expected() -> tuple[Workload, Ledger]:
    workload = build_workload(120, seed=3, prefix="t")
    return workload, in_order_ledger(workload.events_by_payment, TENANTS, secret=CONNECT_SECRET)


def _store_holding(expected: Ledger, event_ids: set[str]) -> MemoryStore:
    store = MemoryStore()
    for collection, docs in expected.items():
        for doc_id, doc in docs.items():
            store.create(DocKey(collection, doc_id), doc)
    for event_id in event_ids:
        store.create(DocKey(WEBHOOK_EVENTS, event_id), {"status": "processed"})
        store.create(DocKey(EVENT_LOGS, event_id), {"event_id": event_id})
    return store


def _ids(workload: Workload) -> set[str]:
    return {e["id"] for events in workload.events_by_payment.values() for e in events}


def test_the_in_order_ledger_passes(workload_and_expected: tuple[Workload, Ledger]) -> None:
    workload, expected = workload_and_expected
    check = check_ledger(
        _store_holding(expected, _ids(workload)), expected, unique_event_ids=_ids(workload)
    )
    assert check.passed, check.problems
    assert check.compared[PAYMENTS] == workload.payments


def test_a_different_amount_fails(workload_and_expected: tuple[Workload, Ledger]) -> None:
    workload, expected = workload_and_expected
    store = _store_holding(expected, _ids(workload))
    payment_id = sorted(expected[PAYMENTS])[0]
    store.update(DocKey(PAYMENTS, payment_id), {"amount_captured": 1})
    check = check_ledger(store, expected, unique_event_ids=_ids(workload))
    assert not check.passed
    assert check.problems == [f"{PAYMENTS}/{payment_id} differs from the in-order result"]


def test_a_double_effect_and_a_missing_fact_fail(
    workload_and_expected: tuple[Workload, Ledger],
) -> None:
    workload, expected = workload_and_expected
    store = _store_holding(expected, _ids(workload))
    fact_id = sorted(expected[PAYMENT_TRANSACTIONS])[0]
    store.docs.pop((PAYMENT_TRANSACTIONS, fact_id))
    store.create(DocKey(PAYMENT_TRANSACTIONS, "ch_extra:capture"), {"amount": 1})
    check = check_ledger(store, expected, unique_event_ids=_ids(workload))
    assert not check.passed
    assert f"{PAYMENT_TRANSACTIONS}/{fact_id} missing" in check.problems
    assert any("double effect" in problem for problem in check.problems)


def test_an_event_left_failed_or_unrecorded_fails(
    workload_and_expected: tuple[Workload, Ledger],
) -> None:
    workload, expected = workload_and_expected
    ids = _ids(workload)
    store = _store_holding(expected, ids - {min(ids)})
    store.update(DocKey(WEBHOOK_EVENTS, max(ids)), {"status": "failed"})
    check = check_ledger(store, expected, unique_event_ids=ids)
    assert not check.passed
    assert f"{WEBHOOK_EVENTS}/{max(ids)} is failed" in check.problems


def test_the_in_order_ledger_does_not_depend_on_the_order_payments_are_given() -> None:
    workload = build_workload(120, seed=5, prefix="o")
    items = list(workload.events_by_payment.items())
    random.Random(1).shuffle(items)
    a = in_order_ledger(workload.events_by_payment, TENANTS, secret=CONNECT_SECRET)
    b = in_order_ledger(dict(items), TENANTS, secret=CONNECT_SECRET)
    assert a == b
