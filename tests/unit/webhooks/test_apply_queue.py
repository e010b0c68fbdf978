"""The ack and the ordered apply, with fakes at the ports: a delivery writes one record and hands
it off; the queue's message applies it once, under the delivery's claim, and is done after one
attempt whatever happens; a lost hand-off is swept."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import flask
import pytest

import bootstrap
from core.errors import Unavailable
from functions import process_event
from ledger.collections import PAYMENTS
from ledger.memory import MemoryStore
from ledger.store import DocKey
from payments.webhooks import operations, service
from payments.webhooks.queues import HandOff
from tests.support import stripe_events as se
from tests.support import webhooks as ws
from tests.support.settings import INTERNAL_HEADERS, INTERNAL_TOKEN, settings_from

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


class CountingStore(MemoryStore):
    """Counts what the delivery asks of Firestore."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def get(self, key: DocKey) -> Any:
        self.calls.append(f"get {key.collection}")
        return super().get(key)

    def create(self, key: DocKey, doc: Any) -> bool:
        self.calls.append(f"create {key.collection}")
        return super().create(key, doc)

    def transact(self, reads: Any, decide: Any, **kwargs: Any) -> Any:
        self.calls.append("transaction")
        return super().transact(reads, decide, **kwargs)


@pytest.fixture
def store() -> CountingStore:
    store = CountingStore()
    ws.create_tenant(store)
    return store


@pytest.fixture
def deps(store: CountingStore) -> service.WebhookDeps:
    return ws.make_deps(store, clock=lambda: NOW)


def deliver(deps: service.WebhookDeps, payload: dict[str, Any]) -> service.Receipt:
    return service.receive(*ws.signed(payload, timestamp=int(NOW.timestamp())), deps)


def handoffs(deps: service.WebhookDeps) -> list[HandOff]:
    queue = deps.queue
    assert isinstance(queue, ws.FakeQueue)
    return queue.handoffs


def test_a_delivery_writes_one_record_and_hands_it_off(
    deps: service.WebhookDeps, store: CountingStore
) -> None:
    succeeded = se.payment_lifecycle()[1]
    ws.create_tenant(store)  # routing reads the tenant once; then it is cached
    deliver(deps, se.payment_lifecycle()[0])
    store.calls.clear()

    receipt = deliver(deps, succeeded)

    assert receipt.status == "received"
    assert store.calls == ["create webhook_events"]  # no transaction, no read of the payment
    record = ws.inbox(store, succeeded["id"])
    assert record is not None and record["status"] == "received"
    assert record["ordering_key"] == "pi_1" and record["claim"]["until"] > NOW
    handoff = handoffs(deps)[-1]
    assert (handoff.event_id, handoff.ordering_key, handoff.tenant_id) == (
        succeeded["id"],
        "pi_1",
        ws.TENANT,
    )
    assert handoff.claim_token == record["claim"]["token"]
    assert json.loads(handoff.payload) == succeeded


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        (se.payment_lifecycle()[2], "pi_1"),  # charge.succeeded: its intent
        (se.payment_lifecycle()[4], "pi_1"),  # refund.created: its charge's intent
        (
            se.event("account.updated", se.stripe_object("account", id=se.ACCOUNT), created=se.T0),
            se.ACCOUNT,
        ),
    ],
    ids=["charge", "refund", "account"],
)
def test_the_ordering_key_is_the_payment_or_the_account(
    deps: service.WebhookDeps, payload: dict[str, Any], key: str
) -> None:
    deliver(deps, payload)
    assert handoffs(deps)[-1].ordering_key == key


def test_a_message_delivered_twice_applies_once(
    deps: service.WebhookDeps, store: CountingStore
) -> None:
    deliver(deps, se.payment_lifecycle()[0])
    (handoff,) = handoffs(deps)
    assert service.apply_handed_off(handoff, deps).status == "processed"
    again = service.apply_handed_off(handoff, deps)
    assert again.status == "duplicate"
    record = ws.inbox(store, handoff.event_id)
    assert record is not None and record["status"] == "processed" and record["attempts"] == 1


@pytest.mark.parametrize(
    "forge",
    [
        lambda h: replace(h, claim_token="0" * 32),
        lambda h: replace(h, tenant_id="t_other"),
        lambda h: replace(h, payload=h.payload.replace(b"5000", b"9000")),
    ],
    ids=["another claim", "another tenant", "another payload"],
)
def test_a_message_that_is_not_the_records_applies_nothing(
    deps: service.WebhookDeps, store: CountingStore, forge: Any
) -> None:
    deliver(deps, se.payment_lifecycle()[0])
    (handoff,) = handoffs(deps)
    assert service.apply_handed_off(forge(handoff), deps).status == "in_progress"
    assert store.get(DocKey(PAYMENTS, "pi_1")) is None
    assert service.apply_handed_off(handoff, deps).status == "processed"  # the real one still


def test_a_poison_event_is_retried_with_backoff_and_does_not_hold_its_payment(
    deps: service.WebhookDeps, store: CountingStore
) -> None:
    events = se.payment_lifecycle()
    early_refund = events[4]
    deliver(deps, early_refund)
    for payload in events[:4]:
        deliver(deps, payload)
    refund_message, *later = handoffs(deps)

    failed = service.apply_handed_off(refund_message, deps)  # first in the key's order

    assert failed.status == "failed"  # recorded, and on the retry queue with backoff
    assert deps.queue.published == [early_refund["id"]]  # type: ignore[attr-defined]
    assert ws.inbox(store, early_refund["id"])["next_retry_at"] > NOW  # type: ignore[index]
    assert [service.apply_handed_off(m, deps).status for m in later] == ["processed"] * 4
    retry = ws.make_deps(store, clock=lambda: NOW + timedelta(minutes=2))
    assert service.process_recorded(early_refund["id"], retry).status == "processed"


class FailingQueue(ws.FakeQueue):
    def hand_off(self, handoff: HandOff) -> None:
        raise TimeoutError("Pub/Sub is down")


def test_an_event_whose_hand_off_failed_is_applied_by_the_sweeper(store: CountingStore) -> None:
    deps = replace(ws.make_deps(store, clock=lambda: NOW), queue=FailingQueue())
    created = se.payment_lifecycle()[0]
    assert deliver(deps, created).status == "received"  # still 2xx: the record is durable
    assert operations.sweep(deps) == {}  # within the delivery's claim, the queue may yet come
    after_lease = ws.make_deps(store, clock=lambda: NOW + timedelta(seconds=61))
    assert operations.sweep(after_lease) == {"processed": 1}
    assert store.get(DocKey(PAYMENTS, "pi_1")) is not None


def push(handoff: HandOff | None, body: Any = None) -> tuple[int, dict[str, Any]]:
    if body is None:
        assert handoff is not None
        body = {
            "message": {
                "data": base64.b64encode(handoff.payload).decode(),
                "attributes": handoff.attributes(),
                "messageId": "1",
            }
        }
    with (
        settings_from(INTERNAL_TOKEN=INTERNAL_TOKEN),
        flask.Flask(__name__).test_request_context(
            "/tasks/apply-event", method="POST", json=body, headers=INTERNAL_HEADERS
        ) as ctx,
    ):
        response = process_event.process_event(ctx.request)
    return response.status_code, response.get_json()


def test_the_ordered_endpoint_acknowledges_every_outcome_but_firestore_down(
    deps: service.WebhookDeps, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bootstrap, "webhook_deps", lambda: deps)
    events = se.payment_lifecycle()
    deliver(deps, events[4])
    deliver(deps, events[0])
    early_refund, created = handoffs(deps)
    status, receipt = push(early_refund)
    assert (status, receipt["status"]) == (200, "failed")  # on the retry queue now
    assert push(created)[1]["status"] == "processed"
    assert push(created)[1]["status"] == "duplicate"
    assert push(None, {"message": {"data": "e30="}}) == (
        200,
        {
            "received": True,
            "status": "rejected",
            "detail": "The message needs the attributes event_id, claim, tenant_id, payment",
        },
    )

    def down(*args: Any, **kwargs: Any) -> Any:
        raise Unavailable("Firestore is not reachable", code="firestore_unavailable")

    monkeypatch.setattr(deps.store, "transact", down)
    deliver(deps, events[1])
    assert push(handoffs(deps)[-1])[0] == 503  # redelivered later
