"""Section 1, webhook ingest: the workload posted to `POST /webhook` at one concurrency, the
retries driven until nothing waits, then the correctness check.

Retries: the product answers a collision on a payment document, or a refund that came before
its payment (`EventNotReady`), with a `failed` inbox record, a short `next_retry_at` and a
message on the retry queue. The bench plays the queue (its Pub/Sub topic has no subscriber):
in rounds, it posts `/tasks/process-event` for every `failed` or `received` event, oldest
Stripe time first, at the same concurrency, until none is left.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from typing import Any

from bench import stats
from bench.events import TENANTS, Workload, signed_bodies
from bench.load import Request, Response, run_requests
from bench.reference import Ledger, check_ledger, resync_counts
from bench.server import BenchServer
from ledger.collections import TENANTS as TENANTS_COLLECTION
from ledger.collections import WEBHOOK_EVENTS
from ledger.store import AbstractStore, DocKey, Query

__all__ = ["SETTLE_MAX_ROUNDS", "run_ingest", "seed_tenants"]

STALL_S = 1.0  # a delivery this slow waited on a lock (see bench/README.md)
SETTLE_MAX_ROUNDS = 200
SETTLE_DEADLINE_S = 120.0
WAITING = ("failed", "received")


def seed_tenants(store: AbstractStore) -> None:
    for tenant_id, account in TENANTS.items():
        store.create(
            DocKey(TENANTS_COLLECTION, tenant_id),
            {"name": tenant_id, "merchant_account_id": account},
        )


def run_ingest(
    server: BenchServer,
    store: AbstractStore,
    workload: Workload,
    expected: Ledger,
    *,
    concurrency: int,
    db: Any = None,
) -> dict[str, Any]:
    """`db`: the driver's Firestore client, for a faster correctness check."""
    server.rpc(reset=True)
    payloads = [delivery.payload for delivery in workload.deliveries]
    requests = [
        Request("POST", "/webhook", body, (("Stripe-Signature", header),))
        for body, header in signed_bodies(payloads, timestamp=int(time.time()))
    ]
    responses, wall = run_requests(server.url, requests, concurrency=concurrency)
    delivery_rpc = server.rpc(reset=True)
    statuses = Counter(_status(response) for response in responses)
    settle = _settle(server, store, concurrency=concurrency)
    settle_rpc = server.rpc(reset=True)
    unique_ids = {e["id"] for events in workload.events_by_payment.values() for e in events}
    check = check_ledger(store, expected, unique_event_ids=unique_ids, db=db)
    deliveries = len(responses)
    latencies = [r.latency_s for r in responses]
    stalled = [t for t in latencies if t >= STALL_S]
    total_rpc = delivery_rpc["total"] + settle_rpc["total"]
    end_to_end_s = wall + settle["wall_s"]
    calls = Counter(delivery_rpc["calls"]) + Counter(settle_rpc["calls"])
    return {
        "concurrency": concurrency,
        "deliveries": stats.summarize(latencies, wall),
        "stalls": {
            "deliveries": len(stalled),
            "share_of_worker_time": round(sum(stalled) / (wall * concurrency), 3),
            "others": stats.summarize([t for t in latencies if t < STALL_S], wall),
        },
        "end_to_end": {
            "wall_s": round(end_to_end_s, 3),
            "per_s": round(deliveries / end_to_end_s, 1),
        },
        "statuses": dict(sorted(statuses.items())),
        # what a non-2xx answer said (Stripe retries those deliveries; the bench does not)
        "errors": sorted(
            {
                f"{r.status} {r.body[:300].decode(errors='replace')}"
                for r in responses
                if r.status >= 300
            }
        )[:5],
        "retries": settle,
        "rpc": {
            "per_delivery": round(total_rpc / deliveries, 2),
            "per_unique_event": round(total_rpc / len(unique_ids), 2),
            "during_deliveries": delivery_rpc["total"],
            "delivery_time": delivery_rpc["time"],  # server time per delivery: RPCs, the rest
            "ms_per_call": delivery_rpc["ms_per_call"],
            "during_retries": settle_rpc["total"],
            "by_method": dict(sorted(calls.items())),
            "documents_written": delivery_rpc["documents_written"]
            + settle_rpc["documents_written"],
        },
        "apply_writes": delivery_rpc["apply_writes"] + settle_rpc["apply_writes"],
        "resyncs": resync_counts(store, unique_events=len(unique_ids)),
        "correctness": {
            "passed": check.passed,
            "problems": check.problems,
            "compared": check.compared,
        },
    }


def _status(response: Response) -> str:
    """The receipt's status (`processed`, `duplicate`, `failed`, `scheduled`...)."""
    try:
        status = json.loads(response.body).get("status")
    except (ValueError, AttributeError):
        status = None
    return str(status) if status else f"http_{response.status}"


def _settle(server: BenchServer, store: AbstractStore, *, concurrency: int) -> dict[str, Any]:
    """Act as the retry queue until no event waits; what it took."""
    outcomes: Counter[str] = Counter()
    rounds = 0
    started = time.perf_counter()
    retried: set[str] = set()
    while rounds < SETTLE_MAX_ROUNDS and time.perf_counter() - started < SETTLE_DEADLINE_S:
        waiting = _waiting(store)
        if not waiting:
            break
        rounds += 1
        retried.update(event_id for event_id, _ in waiting)
        requests = [
            Request("POST", "/tasks/process-event", _envelope(event_id)) for event_id, _ in waiting
        ]
        responses, _ = run_requests(server.url, requests, concurrency=concurrency)
        outcomes.update(_status(response) for response in responses)
        if all(_status(response) == "scheduled" for response in responses):
            time.sleep(0.05)  # every retry was early: wait for `next_retry_at`
    return {
        "requests": sum(outcomes.values()),
        "events_retried": len(retried),
        "rounds": rounds,
        "wall_s": round(time.perf_counter() - started, 3),
        "outcomes": dict(sorted(outcomes.items())),
        "left_waiting": len(_waiting(store)),
    }


def _waiting(store: AbstractStore) -> list[tuple[str, int]]:
    """(event id, Stripe created) of every `failed` or `received` event, oldest first."""
    rows = [
        (event_id, int(doc.get("created") or 0))
        for status in WAITING
        for event_id, doc in store.query(Query(WEBHOOK_EVENTS, where=(("status", "==", status),)))
    ]
    return sorted(rows, key=lambda row: (row[1], row[0]))


def _envelope(event_id: str) -> bytes:
    data = base64.b64encode(json.dumps({"event_id": event_id}).encode()).decode()
    return json.dumps({"message": {"data": data}}).encode()
