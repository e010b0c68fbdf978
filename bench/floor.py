"""Section 2, the floor: the same number of bare Firestore transactions as webhook deliveries,
from the same client library and store adapter (`ledger.store.FirestoreStore.transact`), at
the same concurrency, with no HTTP, no signature and no handler.

Each transaction reads one document and writes as many documents as an apply transaction of
the webhook run wrote (the distribution is taken from the run's own `Commit` requests, sample
by sample). Every transaction has documents of its own: the floor has no contention, so
whatever contention costs the webhook path shows up in the ratio.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bench import stats
from bench.rpc import RpcCounter
from ledger.store import AbstractStore, Doc, DocKey, WriteSet

__all__ = ["FLOOR_COLLECTION", "closed_loop", "measure_collision", "run_ack_floor", "run_floor"]

FLOOR_COLLECTION = "bench_floor"
ACK_FLOOR_COLLECTION = "bench_ack_floor"
PADDING = "x" * 512  # documents of a few hundred bytes, like a timeline entry


def run_floor(
    store: AbstractStore,
    counter: RpcCounter,
    *,
    transactions: int,
    writes_per_transaction: Sequence[int],
    concurrency: int,
    tag: str,
) -> dict[str, Any]:
    sizes = [
        max(1, writes_per_transaction[i % len(writes_per_transaction)]) for i in range(transactions)
    ]
    counter.reset()

    def one(index: int) -> float:
        with counter.unit():
            return _one(store, f"{tag}_{index}", sizes[index])

    latencies, wall = closed_loop(transactions, concurrency, one)
    rpc = counter.snapshot()
    return {
        "concurrency": concurrency,
        "transactions": stats.summarize(latencies, wall),
        "writes_per_transaction": round(sum(sizes) / len(sizes), 2),
        "rpc": {
            "per_transaction": round(rpc["total"] / transactions, 2),
            "by_method": dict(sorted(rpc["calls"].items())),
            "ms_per_call": rpc["ms_per_call"],
            "time": rpc["time"],
        },
    }


def run_ack_floor(
    store: AbstractStore,
    counter: RpcCounter,
    records: Sequence[tuple[str, Doc, str, bytes]],
    *,
    concurrency: int,
    publisher: Any,
    topic: str,
) -> dict[str, Any]:
    """The ack's bare mechanism, from the driver: for each (id, inbox record, ordering key,
    payload), create the record and publish the payload with that key without waiting for it,
    as `/webhook` does, minus HTTP, signature and routing."""
    counter.reset()

    def one(index: int) -> float:
        doc_id, record, key, payload = records[index]
        started = time.perf_counter()
        with counter.unit():
            store.create(DocKey(ACK_FLOOR_COLLECTION, doc_id), record)
            publisher.publish(topic, payload, ordering_key=key)
        return time.perf_counter() - started

    latencies, wall = closed_loop(len(records), concurrency, one)
    return {"concurrency": concurrency, "acks": stats.summarize(latencies, wall)}


def closed_loop(
    count: int, concurrency: int, one: Callable[[int], float]
) -> tuple[list[float], float]:
    """`one(0..count-1)` by `concurrency` threads, each taking the next index when done: each
    call's latency (what `one` returns), and the wall time."""
    latencies: list[float] = [0.0] * count
    next_index = iter(range(count))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                latencies[index] = one(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    return latencies, wall


def _one(store: AbstractStore, doc_id: str, writes: int) -> float:
    key = DocKey(FLOOR_COLLECTION, doc_id)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        write_set = WriteSet()
        seen = docs[key]
        write_set.set(key, {"n": 1 + int((seen or {}).get("n", 0)), "pad": PADDING})
        for k in range(writes - 1):
            write_set.set(DocKey(FLOOR_COLLECTION, f"{doc_id}_{k}"), {"k": k, "pad": PADDING})
        return write_set, None

    started = time.perf_counter()
    store.transact([key], decide)
    return time.perf_counter() - started


def measure_collision(store: AbstractStore, *, hold_s: float = 0.05) -> dict[str, Any]:
    """Two transactions that read the same document and then write it (the pattern of two
    events of one payment), one attempt each: how long each took and how it ended."""
    from core.errors import Contention

    key = DocKey(FLOOR_COLLECTION, "collision")
    outcomes: list[tuple[str, float]] = []
    lock = threading.Lock()

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        time.sleep(hold_s)  # both have read before either commits
        write_set = WriteSet()
        write_set.set(key, {"n": 1 + int((docs[key] or {}).get("n", 0))})
        return write_set, None

    def one() -> None:
        started = time.perf_counter()
        try:
            store.transact([key], decide, max_attempts=1)
            outcome = "committed"
        except Contention:
            outcome = "contention"
        with lock:
            outcomes.append((outcome, time.perf_counter() - started))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return {
        "outcomes": sorted(outcome for outcome, _ in outcomes),
        "slowest_s": round(max(seconds for _, seconds in outcomes), 2),
        "fastest_s": round(min(seconds for _, seconds in outcomes), 2),
    }
