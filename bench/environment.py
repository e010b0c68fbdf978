"""The emulators the bench runs against, started on free loopback ports and stopped at the end,
and the bench's own clients (instrumented to count RPCs)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import ledger
from bench.rpc import RpcCounter, instrument
from emulators import gcloud
from emulators.processes import serving
from emulators.stack import stripe_command
from ledger.client import Firestore
from ledger.store import FirestoreStore

__all__ = ["PROJECT", "Emulators", "running_emulators", "running_stripe_emulator"]

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "demo-bench"


@dataclass
class Emulators:
    firestore: gcloud.RunningEmulator
    pubsub: gcloud.RunningEmulator
    counter: RpcCounter  # the driver's own Firestore RPCs (the floor's)
    client: Firestore  # the driver's Firestore client (instrumented) ...
    store: FirestoreStore  # ... and its store: seeding, settling, checking, the floor

    def reset(self) -> None:
        gcloud.reset_firestore(self.firestore.host_port, PROJECT)

    def server_env(self) -> dict[str, str]:
        return {
            "GOOGLE_CLOUD_PROJECT": PROJECT,
            "FIRESTORE_EMULATOR_HOST": self.firestore.host_port,
            "PUBSUB_EMULATOR_HOST": self.pubsub.host_port,
        }


@contextmanager
def running_emulators() -> Iterator[Emulators]:
    """The official Firestore and Pub/Sub emulators (the queues are created once the server that
    their push subscriptions call is up: `emulators.pubsub.ensure_queues`)."""
    with ExitStack() as stack:
        firestore = gcloud.start("firestore", project=PROJECT)
        stack.callback(firestore.stop)
        pubsub = gcloud.start("pubsub", project=PROJECT)
        stack.callback(pubsub.stop)
        names = ("FIRESTORE_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST")
        saved = {name: os.environ.get(name) for name in names}
        os.environ["FIRESTORE_EMULATOR_HOST"] = firestore.host_port
        os.environ["PUBSUB_EMULATOR_HOST"] = pubsub.host_port
        stack.callback(_restore, saved)
        client = ledger.connect(PROJECT)
        counter = RpcCounter()
        instrument(client, counter)
        yield Emulators(firestore, pubsub, counter, client, FirestoreStore(client))


@contextmanager
def running_stripe_emulator() -> Iterator[str]:
    """The local Stripe emulator (`python -m emulators.stripe`) on a free loopback port: its
    URL. The functions call it, never Stripe: `connect` and `checkout` need it to answer 200."""
    port = gcloud.free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with serving(
        stripe_command(port), port=port, env=env, cwd=ROOT, ready_path="/_emulator/health",
        timeout=60.0,
    ) as emulator:  # fmt: skip
        yield emulator.url


def _restore(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
