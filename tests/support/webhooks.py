"""Shared pieces for webhook tests: signed deliveries, a fake queue, ledger reads."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import ledger
from ledger.collections import PAYMENT_TRANSACTIONS, PAYMENTS, TENANTS, WEBHOOK_EVENTS
from ledger.store import AbstractStore, DocKey, FirestoreStore, Query
from payments.stripe_gateway import AbstractStripeGateway
from payments.webhooks import service
from payments.webhooks.policy import RetryPolicy
from payments.webhooks.queues import AbstractQueue, HandOff
from payments.webhooks.routing import TenantDirectory
from payments.webhooks.service import Receipt, WebhookDeps
from payments.webhooks.signature import sign
from tests.conftest import PROJECT
from tests.support import stripe_events as se

SECRET = "whsec_test_platform"
CONNECT_SECRET = "whsec_test_connect"
TENANT = "tenant_1"

Doc = dict[str, Any]


class FakeQueue(AbstractQueue):
    def __init__(self) -> None:
        self.published: list[str] = []
        self.handoffs: list[HandOff] = []

    def hand_off(self, handoff: HandOff) -> None:
        self.handoffs.append(handoff)

    def publish(self, event_id: str) -> None:
        self.published.append(event_id)

    def request_resync(self, payment_id: str) -> None:
        self.published.append(f"resync:{payment_id}")


def receive_and_apply(body: bytes, header: str, deps: WebhookDeps) -> Receipt:
    """A delivery, then the apply queue's message for it as if Pub/Sub pushed it at once: the
    apply's receipt, or the delivery's when it handed nothing off."""
    receipt = service.receive(body, header, deps)
    queue = deps.queue
    if receipt.status != "received" or not isinstance(queue, FakeQueue):
        return receipt
    (handoff,) = [h for h in queue.handoffs if h.event_id == receipt.event_id]
    queue.handoffs.remove(handoff)
    return service.apply_handed_off(handoff, deps)


def signed(
    payload: Doc, *, secret: str = CONNECT_SECRET, timestamp: int | None = None
) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, sign(body, secret, timestamp if timestamp is not None else int(time.time()))


def firestore_store(**kwargs: Any) -> FirestoreStore:
    return FirestoreStore(ledger.connect(PROJECT), **kwargs)


def make_deps(
    store: AbstractStore,
    *,
    queue: FakeQueue | None = None,
    max_attempts: int = 8,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    stripe: Callable[[], AbstractStripeGateway] | None = None,
) -> WebhookDeps:
    return WebhookDeps(
        store=store,
        queue=queue or FakeQueue(),
        tenants=TenantDirectory(store),
        signing_secrets=lambda: (SECRET, CONNECT_SECRET),
        livemode=False,
        policy=RetryPolicy(max_attempts=max_attempts),
        clock=clock,
        jitter=lambda: 1.0,
        stripe=stripe,
    )


def create_tenant(store: AbstractStore, tenant_id: str = TENANT, account: str = se.ACCOUNT) -> None:
    store.create(DocKey(TENANTS, tenant_id), {"name": "Test shop", "merchant_account_id": account})


def all_docs(store: AbstractStore, collection: str) -> dict[str, Doc]:
    return dict(store.query(Query(collection)))


def ledger_state(store: AbstractStore) -> tuple[dict[str, Doc], dict[str, Doc]]:
    return all_docs(store, PAYMENTS), all_docs(store, PAYMENT_TRANSACTIONS)


def inbox(store: AbstractStore, event_id: str) -> Doc | None:
    return store.get(DocKey(WEBHOOK_EVENTS, event_id))
