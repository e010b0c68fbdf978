"""Section 2, the floor's second rung: the webhook path's own Firestore work, and nothing else.

For each of the workload's events (at concurrency 1): create its inbox record as `receive`
does (the real `inbox_record`, raw payload included), then one transaction that reads the inbox
record and the event's payment snapshot (put in place beforehand, as the in-order run left it)
and writes what an apply writes — the payment snapshot, a timeline entry, the inbox update, and
as many transaction documents as make up the apply's count (taken from the webhook run's own
commits, sample by sample). No
HTTP, no signature, no routing, no reducer; every event has documents of its own (no
contention). So `ledger floor / floor` is what the design's Firestore work costs over a bare
transaction — the claim's extra RPC and documents of a payment's weight — and
`webhook / ledger floor` is what the rest of the path costs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from bench import stats
from bench.events import Workload
from bench.reference import Ledger
from bench.rpc import RpcCounter
from ledger.collections import PAYMENT_TRANSACTIONS, PAYMENTS
from ledger.store import AbstractStore, Doc, DocKey, WriteSet
from payments.events.model import StripeEvent
from payments.webhooks.records import inbox_record, timeline_entry
from payments.webhooks.routing import EventRoute

__all__ = ["PAYMENTS_COLLECTION", "run_ledger_floor"]

PREFIX = "bench_ledger_"  # collections of their own: nothing the product reads
PAYMENTS_COLLECTION = f"{PREFIX}payments"


def run_ledger_floor(
    store: AbstractStore,
    counter: RpcCounter,
    workload: Workload,
    expected: Ledger,
    *,
    transactions: int,
    writes_per_transaction: Sequence[int],
    tag: str,
    seed_payments: Callable[[list[tuple[str, Doc]]], None],
) -> dict[str, Any]:
    """`seed_payments(rows)` puts (id, document) rows in `PREFIX + "payments"` beforehand."""
    payment_of = {
        event["id"]: payment_id
        for payment_id, events in workload.events_by_payment.items()
        for event in events
    }
    facts_of: dict[str, list[Doc]] = {}
    for fact in expected[PAYMENT_TRANSACTIONS].values():
        facts_of.setdefault(str(fact["payment_id"]), []).append(fact)
    events = [d.payload for d in workload.deliveries if not d.duplicate][:transactions]
    seed_payments(
        [(f"{tag}_{i}", expected[PAYMENTS][payment_of[e["id"]]]) for i, e in enumerate(events)]
    )
    counter.reset()
    latencies = []
    started = time.perf_counter()
    for index, payload in enumerate(events):
        payment_id = payment_of[payload["id"]]
        size = max(3, writes_per_transaction[index % len(writes_per_transaction)])
        with counter.unit():
            latencies.append(
                _one(
                    store,
                    payload,
                    f"{tag}_{index}",
                    payment=expected[PAYMENTS][payment_id],
                    facts=facts_of.get(payment_id, [])[: size - 3],
                )
            )
    wall = time.perf_counter() - started
    rpc = counter.snapshot()
    return {
        "concurrency": 1,
        "transactions": stats.summarize(latencies, wall),
        "rpc": {
            "per_transaction": round(rpc["total"] / max(1, len(events)), 2),
            "by_method": dict(sorted(rpc["calls"].items())),
            "ms_per_call": rpc["ms_per_call"],
            "time": rpc["time"],
        },
    }


def _one(
    store: AbstractStore, payload: Doc, doc_id: str, *, payment: Doc, facts: list[Doc]
) -> float:
    raw = json.dumps(payload)
    event = StripeEvent.from_payload(payload)
    now = datetime.now(UTC)
    tenant_id = str(payment["tenant_id"])
    inbox = DocKey(f"{PREFIX}webhook_events", doc_id)
    payment_key = DocKey(PAYMENTS_COLLECTION, doc_id)
    claim = {"token": doc_id, "until": now}

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        writes = WriteSet()
        writes.set(payment_key, payment)
        writes.set(
            DocKey(f"{PREFIX}event_logs", doc_id),
            timeline_entry(
                event, tenant_id=tenant_id, payment_id=doc_id, summary="", applied=True, now=now
            ),
        )
        for n, fact in enumerate(facts):
            writes.set(DocKey(f"{PREFIX}payment_transactions", f"{doc_id}_{n}"), fact)
        writes.update(
            inbox,
            {
                "status": "processed",
                "processed_at": now,
                "attempts": 1,
                "claim": None,
                "last_error": None,
                "next_retry_at": None,
                "tenant_id": tenant_id,
                "applied": True,
                "payment_id": doc_id,
            },
        )
        return writes, None

    started = time.perf_counter()
    store.create(inbox, inbox_record(event, raw, EventRoute(tenant_id), now=now, claim=claim))
    store.transact([inbox, payment_key], decide)
    return time.perf_counter() - started
