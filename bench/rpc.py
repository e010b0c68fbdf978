"""Counting Firestore RPCs: a gRPC client interceptor on a client's channel.

`instrument(client, counter)` builds the client's gRPC channel now, wrapped in an interceptor
that counts every call by method (`Commit`, `BeginTransaction`, `BatchGetDocuments`, ...) and,
for each `Commit`, how many documents it writes. The product's code is untouched: the bench
instruments the client the product's composition root builds (`payments.bootstrap`), in the
process that serves the functions (`bench.server`), and its own clients in the driver.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import grpc

__all__ = ["RpcCounter", "instrument"]

APPLY_MARKER = "/documents/event_logs/"  # an apply transaction writes the event's timeline entry


class RpcCounter:
    """Thread-safe counts of RPCs by method, and of documents written per apply commit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.apply_writes: list[int] = []  # documents written by each apply commit
        self.documents_written = 0

    def record(self, method: str, request: Any) -> None:
        name = method.rsplit("/", 1)[-1]
        writes = list(getattr(request, "writes", ())) if name == "Commit" else []
        is_apply = any(APPLY_MARKER in _written_name(w) for w in writes)
        with self._lock:
            self.calls[name] += 1
            self.documents_written += len(writes)
            if is_apply:
                self.apply_writes.append(len(writes))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.apply_writes.clear()
            self.documents_written = 0

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "calls": dict(self.calls),
                "total": sum(self.calls.values()),
                "documents_written": self.documents_written,
                "apply_writes": list(self.apply_writes),
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
        return continuation(details, request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        self._counter.record(details.method, request)
        return continuation(details, request)

    def intercept_stream_unary(self, continuation: Any, details: Any, requests: Any) -> Any:
        self._counter.record(details.method, None)
        return continuation(details, requests)

    def intercept_stream_stream(self, continuation: Any, details: Any, requests: Any) -> Any:
        self._counter.record(details.method, None)
        return continuation(details, requests)


def instrument(client: Any, counter: RpcCounter) -> None:
    """Build `client`'s channel (to the emulator) now, with the counting interceptor on it.

    The Firestore client creates its channel lazily with `grpc.insecure_channel` when it talks
    to the emulator; the bench wraps that one call while it forces the channel into being.
    """
    real = grpc.insecure_channel

    def counted_channel(*args: Any, **kwargs: Any) -> grpc.Channel:
        return grpc.intercept_channel(real(*args, **kwargs), _Counting(counter))

    grpc.insecure_channel = counted_channel  # type: ignore[assignment]
    try:
        client._firestore_api  # noqa: B018 - builds the GAPIC client and its channel now
    finally:
        grpc.insecure_channel = real  # type: ignore[assignment]
