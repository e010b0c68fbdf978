"""The queues the webhook path hands work to, as one port, and its Pub/Sub adapter (the
official Pub/Sub emulator plays it locally; `emulators.pubsub` and `cloudbuild.yaml` create the
same topics and subscriptions).

- **The apply queue** (`hand_off`): every received event, once its inbox record is durable.
  The topic has message ordering; a message's ordering key is the payment (or account) its
  event belongs to, and an ordered push subscription delivers it to `/tasks/apply-event`.
  Pub/Sub keeps one message per key outstanding, so one payment's apply transactions never
  collide while different payments go in parallel. The message is the event as Stripe sent it;
  its attributes name the event, the claim its delivery took (the capability to apply it), the
  tenant and the payment (the push body carries no ordering key). The apply checks all of it
  against the inbox record inside its transaction.
- **The retry queue** (`publish`, `request_resync`): an unordered topic whose push subscription
  delivers to `/tasks/process-event` events to process again after a failure (`{"event_id"}`)
  and payments to read back from Stripe (`{"resync"}`); Pub/Sub's backoff spaces redeliveries.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["PUBLISH_TIMEOUT_SECONDS", "AbstractQueue", "HandOff", "PubSubQueue", "publisher"]

# A retry or resync request waits this long for Pub/Sub, at most (it is off Stripe's path; if
# it fails, the sweeper finds the failed event when due). A hand-off does not wait at all.
PUBLISH_TIMEOUT_SECONDS = 0.5
# The publisher's batch wait: its default (10 ms) would dominate the answer Stripe waits for.
PUBLISH_MAX_LATENCY_SECONDS = 0.001


@dataclass(frozen=True)
class HandOff:
    event_id: str
    claim_token: str  # the claim the delivery took when it created the inbox record
    tenant_id: str
    ordering_key: str  # the payment (or account) the event belongs to; "" for no order
    payload: bytes  # the event as Stripe sent it, verified and recorded before the hand-off

    def attributes(self) -> dict[str, str]:
        return {
            "event_id": self.event_id,
            "claim": self.claim_token,
            "tenant_id": self.tenant_id,
            "payment": self.ordering_key,
        }


class AbstractQueue(abc.ABC):
    @abc.abstractmethod
    def hand_off(self, handoff: HandOff) -> None:
        """Ask for a recorded event to be applied, in order with its payment's (at least once)."""

    @abc.abstractmethod
    def publish(self, event_id: str) -> None:
        """Ask for `event_id` to be processed again (at least once, later)."""

    @abc.abstractmethod
    def request_resync(self, payment_id: str) -> None:
        """Ask for the payment's unsettled objects to be read from Stripe (at least once)."""


class PubSubQueue(AbstractQueue):
    def __init__(self, publisher: Callable[[], Any], *, apply_topic: str, retry_topic: str) -> None:
        self._publisher = publisher  # built on first publish
        self._apply_topic = apply_topic
        self._retry_topic = retry_topic

    def hand_off(self, handoff: HandOff) -> None:
        """Publish and return at once: Stripe is waiting, and the event is durable already. If
        the publish fails (now or later), it is logged and the sweeper applies the event once
        its delivery's claim runs out."""
        client = self._publisher()
        future = client.publish(
            self._apply_topic,
            handoff.payload,
            ordering_key=handoff.ordering_key,
            **handoff.attributes(),
        )
        future.add_done_callback(
            lambda done: _after_hand_off(client, self._apply_topic, handoff, done)
        )

    def publish(self, event_id: str) -> None:
        data = json.dumps({"event_id": event_id}).encode()
        self._send(self._retry_topic, data, attributes={"event_id": event_id})

    def request_resync(self, payment_id: str) -> None:
        data = json.dumps({"resync": payment_id}).encode()
        self._send(self._retry_topic, data, attributes={"payment_id": payment_id})

    def _send(self, topic: str, data: bytes, *, attributes: dict[str, str]) -> None:
        future = self._publisher().publish(topic, data, **attributes)
        future.result(timeout=PUBLISH_TIMEOUT_SECONDS)


def publisher() -> Any:
    """A Pub/Sub publisher that keeps ordering keys in order and batches for at most 1 ms."""
    from google.cloud.pubsub_v1 import PublisherClient, types

    return PublisherClient(
        batch_settings=types.BatchSettings(max_latency=PUBLISH_MAX_LATENCY_SECONDS),
        publisher_options=types.PublisherOptions(enable_message_ordering=True),
    )


def _after_hand_off(client: Any, topic: str, handoff: HandOff, done: Any) -> None:
    """A failed ordered publish pauses its key in this client until resumed: resume it, so
    that the payment's next events are handed off again."""
    if done.exception() is None:
        return
    from payments.webhooks import logs

    logs.log_handoff_failed(event_id=handoff.event_id, error=repr(done.exception()))
    if handoff.ordering_key:
        client.resume_publish(topic, handoff.ordering_key)
