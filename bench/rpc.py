"""Counting and timing Firestore RPCs: a gRPC client interceptor on a client's channel.

`instrument(client, counter)` builds the client's gRPC channel now, wrapped in an interceptor
that counts every call by method (`Commit`, `BeginTransaction`, `BatchGetDocuments`, ...) and,
for each `Commit`, how many documents it writes. It also times each call on the calling thread
(a streaming call until its last response is read), so `counter.unit()` can split one unit of
work — a request served, a floor transaction — into time waiting on Firestore and the rest.
The product's code is untouched: the bench instruments the client the product's composition
root builds (`bootstrap`), in the process that serves the functions (`bench.server`),
and its own clients in the driver.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc  # type: ignore[import-untyped]  # grpcio ships no stubs

__all__ = ["RpcCounter", "instrument"]

APPLY_MARKER = "/documents/event_logs/"  # an apply transaction writes the event's timeline entry


class RpcCounter:
    """Thread-safe counts of RPCs by method, and of documents written per apply commit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread = threading.local()
        self.calls: Counter[str] = Counter()
        self.apply_writes: list[int] = []  # documents written by each apply commit
        self.documents_written = 0
        self.units: list[tuple[float, float]] = []  # (seconds, of which in RPCs) per unit
        self.units_by_path: dict[str, list[tuple[float, float]]] = {}
        self.seconds: dict[str, float] = {}  # time waiting on each method, all threads
        self.by_path: dict[str, Counter[str]] = {}  # RPCs by the request path that made them

    def add_rpc_time(self, method: str, seconds: float) -> None:
        self._thread.rpc_s = getattr(self._thread, "rpc_s", 0.0) + seconds
        with self._lock:
            name = method.rsplit("/", 1)[-1]
            self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    @contextmanager
    def unit(self, path: str = "") -> Iterator[None]:
        """Time one unit of work on this thread (a request to `path`), and its share spent
        waiting on RPCs; the RPCs it makes are counted under `path` too."""
        self._thread.rpc_s = 0.0
        self._thread.path = path
        started = time.perf_counter()
        try:
            yield
        finally:
            total = time.perf_counter() - started
            self._thread.path = ""
            with self._lock:
                self.units.append((total, self._thread.rpc_s))
                self.units_by_path.setdefault(path, []).append((total, self._thread.rpc_s))

    def record(self, method: str, request: Any) -> None:
        name = method.rsplit("/", 1)[-1]
        writes = list(getattr(request, "writes", ())) if name == "Commit" else []
        is_apply = any(APPLY_MARKER in _written_name(w) for w in writes)
        path = getattr(self._thread, "path", "")
        with self._lock:
            self.calls[name] += 1
            self.by_path.setdefault(path, Counter())[name] += 1
            self.documents_written += len(writes)
            if is_apply:
                self.apply_writes.append(len(writes))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.apply_writes.clear()
            self.documents_written = 0
            self.units.clear()
            self.units_by_path.clear()
            self.seconds.clear()
            self.by_path.clear()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "total": sum(self.calls.values()),
                "documents_written": self.documents_written,
                "apply_writes": list(self.apply_writes),
                "time": _time_split(self.units),
                "by_path": {
                    path: {
                        "calls": dict(calls),
                        "total": sum(calls.values()),
                        "time": _time_split(self.units_by_path.get(path, [])),
                    }
                    for path, calls in sorted(self.by_path.items())
                },
                "ms_per_call": {
                    name: round(self.seconds[name] / count * 1000, 2)
                    for name, count in sorted(self.calls.items())
                    if name in self.seconds
                },
            }


def _time_split(units: list[tuple[float, float]]) -> dict[str, Any]:
    """Mean milliseconds per unit: in all, waiting on Firestore RPCs, and the rest."""
    if not units:
        return {"units": 0}
    total = sum(seconds for seconds, _ in units) / len(units) * 1000
    rpc = sum(rpc for _, rpc in units) / len(units) * 1000
    return {
        "units": len(units),
        "mean_ms": round(total, 2),
        "rpc_ms": round(rpc, 2),
        "other_ms": round(total - rpc, 2),
    }


def _written_name(write: Any) -> str:
    if write.delete:
        return str(write.delete)
    return str(write.update.name)


class _Counting(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    def __init__(self, counter: RpcCounter) -> None:
        self._counter = counter

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        self._counter.record(details.method, request)
        started = time.perf_counter()
        try:
            return continuation(details, request)
        finally:
            self._counter.add_rpc_time(details.method, time.perf_counter() - started)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        self._counter.record(details.method, request)
        started = time.perf_counter()
        call = continuation(details, request)
        self._counter.add_rpc_time(details.method, time.perf_counter() - started)
        return _TimedStream(call, self._counter, details.method)

    def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        self._counter.record(details.method, None)
        return continuation(details, requests)

    def intercept_stream_stream(self, continuation: Any, details: Any, requests: Any) -> Any:
        self._counter.record(details.method, None)
        return continuation(details, requests)


class _TimedStream:
    """A streaming call whose reads are timed on the reading thread; all else delegated."""

    def __init__(self, call: Any, counter: RpcCounter, method: str) -> None:
        self._call = call
        self._counter = counter
        self._method = method

    def __iter__(self) -> _TimedStream:
        return self

    def __next__(self) -> Any:
        started = time.perf_counter()
        try:
            return next(self._call)
        finally:
            self._counter.add_rpc_time(self._method, time.perf_counter() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._call, name)


def instrument(client: Any, counter: RpcCounter) -> None:
    """Build `client`'s channel (to the emulator) now, with the counting interceptor on it.

    The Firestore client creates its channel lazily with `grpc.insecure_channel` when it talks
    to the emulator; the bench wraps that one call while it forces the channel into being.
    """
    real = grpc.insecure_channel

    def counted_channel(*args: Any, **kwargs: Any) -> grpc.Channel:
        return grpc.intercept_channel(real(*args, **kwargs), _Counting(counter))

    grpc.insecure_channel = counted_channel
    try:
        client._firestore_api  # noqa: B018 - builds the GAPIC client and its channel now
    finally:
        grpc.insecure_channel = real
