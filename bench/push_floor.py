"""The apply queue's bare mechanism: what the Pub/Sub emulator's ordered push delivers when the
endpoint does nothing, next to what the product's apply path reaches (end to end).

One message per unique event of the workload, in its delivery order and with its ordering key
(the payment, as the product derives it), is published to a topic of their own with an
ordered push subscription to a bare HTTP endpoint in the driver (it answers 204 at once). The
figures: messages per second from the first publish to the last push, and how many pushes the
emulator kept in flight at most. The emulator's push loops, not the product, set this ceiling.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from emulators import pubsub
from emulators.gcloud import free_port
from payments.webhooks import queues

__all__ = ["run_push_floor"]

TOPIC = "bench-push-floor"
SUBSCRIPTION = "bench-push-floor-push"
DEADLINE_S = 120.0


def run_push_floor(pubsub_host: str, project: str, ordering_keys: Sequence[str]) -> dict[str, Any]:
    """Publish one message per key in `ordering_keys` (in that order) with the product's
    publisher settings, and time their pushes."""

    with _bare_endpoint() as endpoint:
        pubsub.ensure_topic(pubsub_host, project, TOPIC)
        pubsub.create_subscription(
            pubsub_host,
            project,
            SUBSCRIPTION,
            {
                "topic": f"projects/{project}/topics/{TOPIC}",
                "pushConfig": {"pushEndpoint": endpoint.url},
                "enableMessageOrdering": True,
                "ackDeadlineSeconds": 30,
            },
        )
        publisher = queues.publisher()
        topic = f"projects/{project}/topics/{TOPIC}"
        started = time.perf_counter()
        futures = [
            publisher.publish(topic, b"{}", ordering_key=key, event_id=str(i))
            for i, key in enumerate(ordering_keys)
        ]
        for future in futures:
            future.result(timeout=30)
        done = endpoint.wait_for(len(ordering_keys), started + DEADLINE_S)
        wall = time.perf_counter() - started
        pubsub.delete_subscription(pubsub_host, project, SUBSCRIPTION)
        return {
            "messages": len(ordering_keys),
            "keys": len(set(ordering_keys)),
            "pushed": done,
            "wall_s": round(wall, 3),
            "per_s": round(done / wall, 1),
            "max_in_flight": endpoint.max_in_flight,
        }


class _Endpoint:
    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.Condition()
        self.pushed = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def arrived(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def answered(self) -> None:
        with self._lock:
            self.in_flight -= 1
            self.pushed += 1
            self._lock.notify_all()

    def wait_for(self, count: int, deadline: float) -> int:
        with self._lock:
            while self.pushed < count and time.perf_counter() < deadline:
                self._lock.wait(timeout=0.1)
            return self.pushed


@contextmanager
def _bare_endpoint() -> Iterator[_Endpoint]:
    port = free_port()
    endpoint = _Endpoint(f"http://127.0.0.1:{port}/push")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            endpoint.arrived()
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            endpoint.answered()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        thread.join(timeout=5)
