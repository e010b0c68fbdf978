"""Webhook delivery: Stripe's signature, a background worker, retries with backoff, chaos.

Deliveries wait in a heap ordered by due time. One worker thread posts each to its
endpoint outside the store lock; a non-2xx answer or a timeout is retried after
`60 s * 2**(attempt - 1) * retry_scale`, up to `max_delivery_attempts`. With chaos on,
every delivery gets a random delay (so deliveries reorder) and some are sent twice.
"""

from __future__ import annotations

import dataclasses
import hashlib
import heapq
import hmac
import itertools
import json
import random
import threading
import time
from dataclasses import dataclass

import requests

from .config import EmulatorConfig
from .store import Obj, Store, new_id, public

BASE_RETRY_SECONDS = 60.0
CHAOS_MAX_DELAY = 0.3
CHAOS_DUPLICATE_RATE = 0.3


def sign(payload: str, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header value Stripe computes for a payload."""
    signed = f"{timestamp}.{payload}".encode()
    digest = hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def endpoint_matches(endpoint: Obj, owner: str | None, event: Obj) -> bool:
    """Platform endpoints get platform events; `connect` endpoints get connected-account ones."""
    if endpoint.get("status") != "enabled":
        return False
    event_account = event.get("account")
    if endpoint["_connect"]:
        if owner is not None or event_account is None:
            return False
    elif owner != event_account:
        return False
    enabled = endpoint["enabled_events"] or []
    return "*" in enabled or event["type"] in enabled


@dataclass
class Delivery:
    event_id: str
    endpoint_id: str
    url: str
    secret: str
    payload: str
    generation: int
    attempt: int = 0


class Dispatcher:
    """Delivers events to endpoints in the background, retrying failures."""

    def __init__(self, store: Store, config: EmulatorConfig) -> None:
        self._store = store
        self._config = config
        self._heap: list[tuple[float, int, Delivery]] = []
        self._order = itertools.count()
        self._wakeup = threading.Condition()
        self._generation = 0
        self.attempts: list[Obj] = []
        self._thread = threading.Thread(target=self._run, name="stripe-webhooks", daemon=True)
        self._thread.start()

    def reset(self) -> None:
        with self._wakeup:
            self._generation += 1
            self._heap.clear()
            self.attempts = []

    def enqueue(self, event: Obj, endpoints: list[Obj]) -> None:
        payload = json.dumps(public(event), indent=2)
        with self._wakeup:
            for endpoint in endpoints:
                delivery = Delivery(
                    event["id"],
                    endpoint["id"],
                    endpoint["url"],
                    endpoint["_secret"],
                    payload,
                    self._generation,
                )
                self._schedule(delivery, self._chaos_delay())
                if self._config.chaos and random.random() < CHAOS_DUPLICATE_RATE:
                    duplicate = dataclasses.replace(delivery)
                    self._schedule(duplicate, self._chaos_delay())
            self._wakeup.notify()

    def pending_count(self) -> int:
        with self._wakeup:
            return len(self._heap)

    def attempts_for(self, event_id: str | None) -> list[Obj]:
        """Delivery attempts, optionally for one event, oldest first."""
        with self._wakeup:
            return [dict(a) for a in self.attempts if event_id in (None, a["event"])]

    def _chaos_delay(self) -> float:
        return random.uniform(0, CHAOS_MAX_DELAY) if self._config.chaos else 0.0

    def _schedule(self, delivery: Delivery, delay: float) -> None:
        heapq.heappush(self._heap, (time.monotonic() + delay, next(self._order), delivery))

    def _next_due(self) -> Delivery:
        with self._wakeup:
            while True:
                if self._heap and self._heap[0][0] <= time.monotonic():
                    return heapq.heappop(self._heap)[2]
                timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                self._wakeup.wait(timeout)

    def _run(self) -> None:
        while True:
            delivery = self._next_due()
            status, error = self._post(delivery)
            self._record(delivery, status, error)

    def _post(self, delivery: Delivery) -> tuple[int | None, str | None]:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Stripe-Signature": sign(delivery.payload, delivery.secret, int(time.time())),
        }
        try:
            response = requests.post(
                delivery.url,
                data=delivery.payload.encode("utf-8"),
                headers=headers,
                timeout=self._config.delivery_timeout,
            )
        except requests.RequestException as exc:
            return None, type(exc).__name__
        return response.status_code, None

    def _record(self, delivery: Delivery, status: int | None, error: str | None) -> None:
        succeeded = status is not None and 200 <= status < 300
        with self._wakeup:
            if delivery.generation != self._generation:
                return
            delivery.attempt += 1
            self.attempts.append(
                {
                    "id": new_id("wd_"),
                    "event": delivery.event_id,
                    "endpoint": delivery.endpoint_id,
                    "url": delivery.url,
                    "attempt": delivery.attempt,
                    "status_code": status,
                    "error": error,
                    "succeeded": succeeded,
                    "at": time.time(),
                }
            )
            if not succeeded and delivery.attempt < self._config.max_delivery_attempts:
                backoff = BASE_RETRY_SECONDS * 2 ** (delivery.attempt - 1)
                self._schedule(delivery, backoff * self._config.retry_scale)
        if succeeded:
            self._mark_delivered(delivery)

    def _mark_delivered(self, delivery: Delivery) -> None:
        with self._store.lock:
            event = self._store.objects.get(delivery.event_id)
            if event is None:
                return
            pending: set[str] = event["_pending_endpoints"]
            pending.discard(delivery.endpoint_id)
            event["pending_webhooks"] = len(pending)
