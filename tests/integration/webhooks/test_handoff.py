"""The hand-off to the apply queue never makes Stripe wait: with Pub/Sub unreachable, a delivery
is answered at once (the publisher keeps trying in the background; when it gives up, the failure
is logged), the event stays durably `received`, and the sweeper applies it once the delivery's
claim has run out."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from emulators.gcloud import free_port
from ledger.collections import PAYMENTS, WEBHOOK_EVENTS
from ledger.memory import MemoryStore
from ledger.store import DocKey
from payments.webhooks import operations, service
from payments.webhooks.queues import PubSubQueue, publisher
from tests.support import stripe_events as se
from tests.support import webhooks as ws

FAST_DELIVERY_SECONDS = 0.2  # the delivery does not wait for Pub/Sub at all


@pytest.fixture
def unreachable_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubQueue]:
    """The product's Pub/Sub publisher, pointed at a port nothing listens on (Pub/Sub down)."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", f"127.0.0.1:{free_port()}")
    client = publisher()
    topics = "projects/demo-tests/topics"
    yield PubSubQueue(
        lambda: client, apply_topic=f"{topics}/webhook-events", retry_topic=f"{topics}/retries"
    )


def test_pubsub_down_costs_a_delivery_no_wait_and_loses_nothing(
    unreachable_queue: PubSubQueue,
) -> None:
    store = MemoryStore()
    ws.create_tenant(store)
    deps = replace(ws.make_deps(store), queue=unreachable_queue)
    created = se.payment_lifecycle()[0]

    started = time.monotonic()
    receipt = service.receive(*ws.signed(created), deps)
    waited = time.monotonic() - started

    assert receipt.status == "received"
    assert waited < FAST_DELIVERY_SECONDS
    inbox = store.get(DocKey(WEBHOOK_EVENTS, created["id"]))
    assert inbox is not None and inbox["status"] == "received"
    assert operations.sweep(deps) == {}  # the delivery's claim still runs: not yet
    later = ws.make_deps(store, clock=lambda: inbox["claim"]["until"])
    assert operations.sweep(later) == {"processed": 1}
    assert store.get(DocKey(PAYMENTS, "pi_1")) is not None
