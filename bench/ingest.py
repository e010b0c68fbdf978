"""Section 1, webhook ingest: the workload posted to `POST /webhook` at one concurrency (the
ack: what Stripe waits for), then the wait until the queues have applied every event (the
official Pub/Sub emulator pushes the ordered apply queue to `/tasks/apply-event` and the retry
queue to `/tasks/process-event` by itself), then the correctness check.

Measured per concurrency: the ack's throughput and latency; end to end, from the first delivery
to the moment no event waits; each event's lag from received to applied (`processed_at -
received_at`); Firestore RPCs per unique event, split by the request path that made them (the
ack, the apply, the retries); and the in-order check.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from bench import stats
from bench.events import TENANTS, Workload, signed_bodies
from bench.load import Request, Response, run_requests
from bench.reference import Ledger, check_ledger, resync_counts
from bench.server import BenchServer
from ledger.collections import TENANTS as TENANTS_COLLECTION
from ledger.collections import WEBHOOK_EVENTS
from ledger.store import AbstractStore, DocKey
from payments.events.model import StripeEvent
from payments.webhooks.routing import ordering_key

__all__ = ["SETTLE_DEADLINE_S", "ordering_keys", "run_ack_alone", "run_ingest", "seed_tenants"]

SLOW_S = 1.0  # no delivery should take this long (bench/README.md)
SETTLE_DEADLINE_S = 180.0
POLL_S = 0.1
WAITING = ["received", "failed"]
ACK_PATH = "/webhook"
APPLY_PATHS = ("/tasks/apply-event", "/tasks/process-event")


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
    db: Any,
) -> dict[str, Any]:
    """`db`: the driver's Firestore client (counting what waits, reading the lags)."""
    server.rpc(reset=True)
    requests = _deliveries(workload)
    started = time.perf_counter()
    responses, ack_wall = run_requests(server.webhook_url, requests, concurrency=concurrency)
    settled_after, left_waiting = _wait_until_applied(db, started)
    rpc = server.rpc(reset=True)
    unique_ids = {e["id"] for events in workload.events_by_payment.values() for e in events}
    check = check_ledger(store, expected, unique_event_ids=unique_ids, db=db)
    inbox = _inbox_times(db)
    deliveries = len(responses)
    latencies = [r.latency_s for r in responses]
    return {
        "concurrency": concurrency,
        "deliveries": stats.summarize(latencies, ack_wall),
        "slow_deliveries": sum(1 for t in latencies if t >= SLOW_S),
        "end_to_end": {
            "wall_s": round(settled_after, 3),
            "per_s": round(deliveries / settled_after, 1),
        },
        "lag": _lag(inbox),
        "statuses": dict(sorted(Counter(_status(r) for r in responses).items())),
        # what a non-2xx answer said (Stripe retries those deliveries; the bench does not)
        "errors": sorted(
            {
                f"{r.status} {r.body[:300].decode(errors='replace')}"
                for r in responses
                if r.status >= 300
            }
        )[:5],
        "retries": {
            "events_retried": sum(1 for doc in inbox if int(doc.get("attempts") or 0) > 1),
            "contentions": sum(int(doc.get("contentions") or 0) for doc in inbox),
            "left_waiting": left_waiting,
        },
        "rpc": _rpc_split(rpc, unique_events=len(unique_ids), deliveries=deliveries),
        "apply_writes": rpc["apply_writes"],
        "resyncs": resync_counts(store, unique_events=len(unique_ids)),
        "correctness": {
            "passed": check.passed,
            "problems": check.problems,
            "compared": check.compared,
        },
    }


def run_ack_alone(server: BenchServer, workload: Workload, *, concurrency: int) -> dict[str, Any]:
    """The same deliveries with nothing applying them (the caller has detached the apply
    queue's subscription): what the ack costs when it has the machine to itself."""
    responses, wall = run_requests(
        server.webhook_url, _deliveries(workload), concurrency=concurrency
    )
    return {
        "deliveries": stats.summarize([r.latency_s for r in responses], wall),
        "statuses": dict(sorted(Counter(_status(r) for r in responses).items())),
    }


def _deliveries(workload: Workload) -> list[Request]:
    """The workload's deliveries to `POST /webhook`, signed now."""
    payloads = [delivery.payload for delivery in workload.deliveries]
    return [
        Request("POST", "/webhook", body, (("Stripe-Signature", header),))
        for body, header in signed_bodies(payloads, timestamp=int(time.time()))
    ]


def ordering_keys(workload: Workload) -> list[str]:
    """The apply queue's ordering key of each unique event, in delivery order."""
    keys, seen = [], set()
    for delivery in workload.deliveries:
        event = StripeEvent.from_payload(delivery.payload)
        if event.id not in seen:
            seen.add(event.id)
            keys.append(ordering_key(event))
    return keys


def _wait_until_applied(db: Any, started: float) -> tuple[float, int]:
    """Seconds from `started` until no event is `received` or `failed` (the queues are done),
    and how many still waited at the deadline."""
    waiting = db.collection(WEBHOOK_EVENTS).where(filter=FieldFilter("status", "in", WAITING))
    while True:
        left = int(waiting.count().get()[0][0].value)
        elapsed = time.perf_counter() - started
        if left == 0 or elapsed > SETTLE_DEADLINE_S:
            return elapsed, left
        time.sleep(POLL_S)


def _inbox_times(db: Any) -> list[dict[str, Any]]:
    fields = ["received_at", "processed_at", "attempts", "contentions"]
    return [snap.to_dict() or {} for snap in db.collection(WEBHOOK_EVENTS).select(fields).stream()]


def _lag(inbox: list[dict[str, Any]]) -> dict[str, Any]:
    """Received → applied, over every applied event (a retried one's includes its backoff)."""
    lags = [
        (doc["processed_at"] - doc["received_at"]).total_seconds()
        for doc in inbox
        if doc.get("processed_at") and doc.get("received_at")
    ]
    if not lags:
        return {"events": 0}
    return {
        "events": len(lags),
        "p50_s": round(stats.percentile(lags, 50), 3),
        "p99_s": round(stats.percentile(lags, 99), 3),
        "max_s": round(max(lags), 3),
    }


def _rpc_split(rpc: dict[str, Any], *, unique_events: int, deliveries: int) -> dict[str, Any]:
    by_path = rpc["by_path"]
    ack = by_path.get(ACK_PATH, {"total": 0, "calls": {}, "time": {}})
    apply = sum(by_path.get(path, {}).get("total", 0) for path in APPLY_PATHS)
    return {
        "per_unique_event": round(rpc["total"] / unique_events, 2),
        "ack_per_delivery": round(ack["total"] / deliveries, 2),
        "ack_per_unique_event": round(ack["total"] / unique_events, 2),
        "apply_per_unique_event": round(apply / unique_events, 2),
        "ack_time": ack["time"],  # server time per delivery: RPCs, the rest
        "apply_time": by_path.get(APPLY_PATHS[0], {}).get("time", {}),
        "by_path": by_path,
        "ms_per_call": rpc["ms_per_call"],
        "by_method": rpc["calls"],
        "documents_written": rpc["documents_written"],
    }


def _status(response: Response) -> str:
    """The receipt's status (`received`, `duplicate`, `ignored`...)."""
    try:
        status = json.loads(response.body).get("status")
    except (ValueError, AttributeError):
        status = None
    return str(status) if status else f"http_{response.status}"
