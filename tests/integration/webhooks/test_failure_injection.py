"""A failure at any step of applying an event leaves no partial state, and the retry converges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from emulators import gcloud
from ledger.collections import DISPUTES, EVENT_LOGS, REFUNDS, TENANTS
from ledger.store import AbstractStore, DocKey
from payments.webhooks import service
from tests.conftest import PROJECT
from tests.support import stripe_events as se
from tests.support import webhooks as ws


class InjectedFault(Exception):
    pass


def observable(store: AbstractStore) -> tuple[object, ...]:
    """Everything an event may change, except its own inbox record (and wall-clock stamps)."""
    timeline = {
        event_id: {k: v for k, v in entry.items() if k != "recorded_at"}
        for event_id, entry in ws.all_docs(store, EVENT_LOGS).items()
    }
    others = (ws.all_docs(store, c) for c in (REFUNDS, DISPUTES, TENANTS))
    return (*ws.ledger_state(store), timeline, *others)


def fault_at(index: int) -> tuple[list[DocKey], object]:
    staged: list[DocKey] = []

    def before_write(key: DocKey) -> None:
        staged.append(key)
        if len(staged) == index + 1:
            raise InjectedFault(f"injected before write {index} ({key.collection})")

    return staged, before_write


@pytest.mark.parametrize("position", range(len(se.payment_lifecycle())))
def test_a_fault_at_each_write_of_each_event(
    firestore: gcloud.RunningEmulator, position: int
) -> None:
    events = se.payment_lifecycle()
    target = events[position]
    expected_after = None
    for index in range(20):
        gcloud.reset_firestore(firestore.host_port, PROJECT)
        store = ws.firestore_store()
        ws.create_tenant(store)
        deps = ws.make_deps(store)
        for payload in events[:position]:
            ws.receive_and_apply(*ws.signed(payload), deps)
        before = observable(store)
        _, hook = fault_at(index)
        faulty = ws.make_deps(ws.firestore_store(before_write=hook), queue=deps.queue)  # type: ignore[arg-type]
        receipt = ws.receive_and_apply(*ws.signed(target), faulty)
        if receipt.status == "processed":  # the fault index is past the last write: done
            assert index > 0
            assert observable(store) == expected_after  # the same as every converged retry
            break
        assert receipt.status == "failed", receipt
        assert "InjectedFault" in (receipt.detail or "")
        assert observable(store) == before, f"partial state after a fault at write {index}"
        record = ws.inbox(store, target["id"])
        assert record is not None and record["status"] == "failed" and record["attempts"] == 1
        assert deps.queue.published == [target["id"]]  # type: ignore[attr-defined]

        later = ws.make_deps(store, clock=lambda: datetime.now(UTC) + timedelta(minutes=2))
        retried = service.process_recorded(target["id"], later)
        assert retried.status == "processed"
        after = observable(store)
        expected_after = expected_after or after
        assert after == expected_after
        assert ws.inbox(store, target["id"])["attempts"] == 2  # type: ignore[index]
    else:
        pytest.fail("the event never got through")
