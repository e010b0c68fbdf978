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
from collections.abc import Mapping, Sequence
from typing import Any

from bench import stats
from bench.rpc import RpcCounter
from ledger.store import AbstractStore, Doc, DocKey, WriteSet

__all__ = ["FLOOR_COLLECTION", "measure_collision", "run_floor"]

FLOOR_COLLECTION = "bench_floor"
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
    latencies: list[float] = [0.0] * transactions
    next_index = iter(range(transactions))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                with counter.unit():
                    latencies[index] = _one(store, f"{tag}_{index}", sizes[index])
        except BaseException as error:
            errors.append(error)

    counter.reset()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
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
    from payments.errors import Contention

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
