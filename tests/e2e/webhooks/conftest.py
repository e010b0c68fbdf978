"""A running all-functions server wired to the emulators, with the retry queue's push
subscription pointing at it, for webhook tests over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators import gcloud
from tests.support import webhooks as ws
from tests.support.stacks import Server, functions_server, wire_queues

SERVER_ENV = {
    "STRIPE_WEBHOOK_SECRET": f"whsec_old_rotated,{ws.SECRET}",
    "STRIPE_CONNECT_WEBHOOK_SECRET": ws.CONNECT_SECRET,
    "AUTH_SIGNING_KEY": "test-signing-key-for-webhook-e2e-0123456789",
    "WEBHOOK_MAX_ATTEMPTS": "8",
    "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
}


@pytest.fixture(scope="module")
def webhook_server(
    firestore_emulator: gcloud.RunningEmulator, pubsub_emulator: gcloud.RunningEmulator
) -> Iterator[Server]:
    with functions_server(**SERVER_ENV) as server:
        wire_queues(pubsub_emulator.host_port, server.url)
        yield server


@pytest.fixture
def impatient_server(firestore_emulator: gcloud.RunningEmulator) -> Iterator[Server]:
    """A server that gives up on an event after two attempts. Its queues' topics do not exist,
    so nothing is queued (the failure is logged) and the test drives the processing itself; a
    delivery's claim lasts a second, so a received event can be taken over at once."""
    env = {
        **SERVER_ENV,
        "WEBHOOK_MAX_ATTEMPTS": "2",
        "WEBHOOK_APPLY_TOPIC": "no-such-topic",
        "WEBHOOK_RETRY_TOPIC": "no-such-topic",
        "WEBHOOK_LEASE_SECONDS": "1",
    }
    with functions_server(**env) as server:
        yield server
