"""The correctness check: the ledger the bench produced against the in-order result.

The in-order result is what the product's own webhook service (`payments.webhooks.service`)
writes when each payment's events arrive once, in Stripe's order, one at a time — computed
in memory with the unit tests' `MemoryStore`, so it costs no emulator time. The check then
requires, collection by collection (`payments`, `payment_transactions`, `refunds`,
`disputes`), the same documents; one inbox record `processed` and one timeline entry per
unique event; and no event left `failed`, `received` or `dead`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ledger.collections import (
    DISPUTES,
    EVENT_LOGS,
    PAYMENT_TRANSACTIONS,
    PAYMENTS,
    REFUNDS,
    TENANTS,
    WEBHOOK_EVENTS,
)
from ledger.memory import MemoryStore
from ledger.store import AbstractStore, Doc, DocKey, Query
from payments.webhooks import service
from payments.webhooks.policy import RetryPolicy
from payments.webhooks.queues import AbstractQueue, HandOff
from payments.webhooks.routing import TenantDirectory
from payments.webhooks.signature import sign

__all__ = [
    "LEDGER_COLLECTIONS",
    "Check",
    "Ledger",
    "check_ledger",
    "in_order_ledger",
    "resync_counts",
]

LEDGER_COLLECTIONS = (PAYMENTS, PAYMENT_TRANSACTIONS, REFUNDS, DISPUTES)
Ledger = dict[str, dict[str, Doc]]


class _NoQueue(AbstractQueue):
    """Keeps the last hand-off, for the run to apply at once; anything else is a failure."""

    handoff: HandOff | None = None

    def hand_off(self, handoff: HandOff) -> None:
        self.handoff = handoff

    def publish(self, event_id: str) -> None:
        raise AssertionError(f"the in-order run failed event {event_id}")

    def request_resync(self, payment_id: str) -> None:
        raise AssertionError(f"the in-order run could not order the events of {payment_id}")


def in_order_ledger(
    events_by_payment: Mapping[str, list[Doc]], tenants: Mapping[str, str], *, secret: str
) -> Ledger:
    """Each payment's events once, in Stripe's order, through the webhook service in memory."""
    store = MemoryStore()
    for tenant_id, account in tenants.items():
        store.create(DocKey(TENANTS, tenant_id), {"merchant_account_id": account})
    deps = service.WebhookDeps(
        store=store,
        queue=_NoQueue(),
        tenants=TenantDirectory(store),
        signing_secrets=lambda: (secret,),
        livemode=False,
        policy=RetryPolicy(),
        clock=lambda: datetime.now(UTC),
        jitter=lambda: 1.0,
    )
    queue = deps.queue
    assert isinstance(queue, _NoQueue)
    now = int(time.time())
    for events in events_by_payment.values():
        for payload in sorted(events, key=lambda e: (e["created"], e["id"])):
            body = json.dumps(payload).encode()
            receipt = service.receive(body, sign(body, secret, now), deps)
            if receipt.status == "received" and queue.handoff is not None:
                receipt = service.apply_handed_off(queue.handoff, deps)
            if receipt.status != "processed":
                raise AssertionError(f"in order, {payload['id']} was {receipt.status}")
    return {name: dict(store.query(Query(name))) for name in LEDGER_COLLECTIONS}


@dataclass
class Check:
    passed: bool = True
    problems: list[str] = field(default_factory=list)
    compared: dict[str, int] = field(default_factory=dict)

    def fail(self, problem: str) -> None:
        self.passed = False
        if len(self.problems) < 20:
            self.problems.append(problem)


def check_ledger(
    store: AbstractStore, expected: Ledger, *, unique_event_ids: set[str], db: Any = None
) -> Check:
    """With the Firestore client `db`, the inbox and timeline are read with field masks
    (status; ids only): thousands of payloads and timeline entries need not be decoded."""
    check = Check()
    for name in LEDGER_COLLECTIONS:
        actual = {doc_id: _canonical(doc) for doc_id, doc in store.query(Query(name))}
        wanted = {doc_id: _canonical(doc) for doc_id, doc in expected[name].items()}
        check.compared[name] = len(wanted)
        for doc_id in sorted(set(actual) | set(wanted)):
            if doc_id not in actual:
                check.fail(f"{name}/{doc_id} missing")
            elif doc_id not in wanted:
                check.fail(f"{name}/{doc_id} should not exist (a double effect)")
            elif actual[doc_id] != wanted[doc_id]:
                check.fail(f"{name}/{doc_id} differs from the in-order result")
    if db is None:
        inbox = dict(store.query(Query(WEBHOOK_EVENTS)))
        timeline = set(dict(store.query(Query(EVENT_LOGS))))
    else:
        statuses = db.collection(WEBHOOK_EVENTS).select(["status"]).stream()
        inbox = {snap.id: snap.to_dict() or {} for snap in statuses}
        timeline = {snap.id for snap in db.collection(EVENT_LOGS).select(["__name__"]).stream()}
    check.compared[WEBHOOK_EVENTS] = len(inbox)
    check.compared[EVENT_LOGS] = len(timeline)
    if set(inbox) != unique_event_ids:
        check.fail(f"{len(inbox)} inbox records for {len(unique_event_ids)} unique events")
    if timeline != unique_event_ids:
        check.fail(f"{len(timeline)} timeline entries for {len(unique_event_ids)} unique events")
    for event_id, record in sorted(inbox.items()):
        if record.get("status") != "processed":
            check.fail(f"webhook_events/{event_id} is {record.get('status')}")
    return check


def resync_counts(store: AbstractStore, *, unique_events: int) -> dict[str, Any]:
    """How often the ledger had to read an object back from Stripe to order its events
    (`resyncs` on each payment), and what still waits for such a read."""
    payments = [doc for _, doc in store.query(Query(PAYMENTS))]
    fetches = sum(int(doc.get("resyncs") or 0) for doc in payments)
    return {
        "fetches": fetches,
        "payments": sum(1 for doc in payments if doc.get("resyncs")),
        "waiting": sum(1 for doc in payments if doc.get("resync_needed")),
        "share_of_events": round(fetches / unique_events, 4) if unique_events else 0.0,
    }


def _canonical(doc: Doc) -> Any:
    """A document as Firestore returns it: tuples are arrays, times are compared as text."""
    return json.loads(json.dumps(doc, sort_keys=True, default=str))
