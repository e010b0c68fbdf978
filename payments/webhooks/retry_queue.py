"""The retry queue port, and its Pub/Sub adapter (a topic with a push subscription to the
`process_event` function; the official Pub/Sub emulator plays it locally). A message names
an event to process again (`{"event_id"}`) or a payment to resync (`{"resync"}`)."""

from __future__ import annotations

import abc
import json
from collections.abc import Callable
from typing import Any

__all__ = ["AbstractRetryQueue", "PubSubRetryQueue"]

# The hand-off happens while Stripe waits for its answer (5 s timeout on the emulator, 10 s at
# Stripe's side of a slow endpoint): a Pub/Sub outage may cost it this much, no more; an event
# whose hand-off timed out is still durably `failed` and the sweeper retries it.
PUBLISH_TIMEOUT_SECONDS = 1.0


class AbstractRetryQueue(abc.ABC):
    @abc.abstractmethod
    def publish(self, event_id: str) -> None:
        """Ask for `event_id` to be processed again (at least once, later)."""

    @abc.abstractmethod
    def request_resync(self, payment_id: str) -> None:
        """Ask for the payment's unsettled objects to be read from Stripe (at least once)."""


class PubSubRetryQueue(AbstractRetryQueue):
    def __init__(self, publisher: Callable[[], Any], topic_path: str) -> None:
        self._publisher = publisher  # built on first publish: most requests never need it
        self._topic_path = topic_path

    def publish(self, event_id: str) -> None:
        self._send({"event_id": event_id}, event_id=event_id)

    def request_resync(self, payment_id: str) -> None:
        self._send({"resync": payment_id}, payment_id=payment_id)

    def _send(self, message: dict[str, str], **attributes: str) -> None:
        data = json.dumps(message).encode()
        future = self._publisher().publish(self._topic_path, data, **attributes)
        future.result(timeout=PUBLISH_TIMEOUT_SECONDS)
