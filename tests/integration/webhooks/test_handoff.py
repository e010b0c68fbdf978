"""The hand-off to the retry queue never makes Stripe wait: with Pub/Sub unreachable, a failed
event is answered within a bounded time, stays durably `failed`, and the sweeper retries it."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from emulators.gcloud import free_port
from ledger.collections import WEBHOOK_EVENTS
from ledger.store import DocKey
from payments.webhooks import operations, service
from payments.webhooks.retry_queue import PUBLISH_TIMEOUT_SECONDS, PubSubRetryQueue
from tests import stripe_events as se
from tests import webhook_support as ws
from tests.unit.webhooks.fakes import FakeStore

STRIPE_TIMEOUT_SECONDS = 5.0  # the Stripe emulator's, and well under Stripe's own


@pytest.fixture
def unreachable_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubRetryQueue]:
    """The real Pub/Sub client, pointed at a port nothing listens on (Pub/Sub down)."""
    from google.cloud.pubsub_v1 import PublisherClient

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", f"127.0.0.1:{free_port()}")
    publisher = PublisherClient()
    yield PubSubRetryQueue(lambda: publisher, "projects/demo-tests/topics/webhook-retries")


def test_pubsub_down_costs_a_delivery_a_bounded_wait_and_loses_nothing(
    unreachable_queue: PubSubRetryQueue, caplog: pytest.LogCaptureFixture
) -> None:
    store = FakeStore()
    ws.create_tenant(store)
    deps = replace(ws.make_deps(store), queue=unreachable_queue)
    early_refund = se.event("refund.created", se.refund("re_1", 1000), created=se.T0 + 100)

    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="payments"):
        receipt = service.receive(*ws.signed(early_refund), deps)
    waited = time.monotonic() - started

    assert receipt.status == "failed"  # not ready: its payment has not arrived
    assert PUBLISH_TIMEOUT_SECONDS <= waited < STRIPE_TIMEOUT_SECONDS
    assert "could not queue webhook event" in caplog.text
    inbox = store.get(DocKey(WEBHOOK_EVENTS, early_refund["id"]))
    assert inbox is not None and inbox["status"] == "failed" and inbox["next_retry_at"]
    for payload in se.payment_lifecycle()[:4]:
        service.receive(*ws.signed(payload), deps)
    later = ws.make_deps(store, clock=lambda: inbox["next_retry_at"])
    assert operations.sweep(later) == {"processed": 1}
