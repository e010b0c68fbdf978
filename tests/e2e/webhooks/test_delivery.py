"""`POST /webhook` over real HTTP with real signatures, against the Firestore emulator."""

from __future__ import annotations

import base64
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from emulators import gcloud
from ledger.collections import EVENT_LOGS, PAYMENT_TRANSACTIONS, WEBHOOK_EVENTS
from payments.webhooks.signature import sign
from tests.support import stripe_events as se
from tests.support import webhooks as ws
from tests.support.settings import INTERNAL_HEADERS
from tests.support.stacks import Server
from tests.support.waiting import eventually

Doc = dict[str, Any]
WAITING = {"received", "failed"}


def post(server: Server, body: bytes, header: str | None) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return requests.post(f"{server.url}/webhook", data=body, headers=headers, timeout=30)


def deliver(server: Server, payload: Doc, **kwargs: Any) -> requests.Response:
    return post(server, *ws.signed(payload, **kwargs))


def settle(store: Any, timeout: float = 30.0) -> dict[str, Doc]:
    """Wait until the queues have applied every event (nothing `received` or `failed`): the
    inbox then. Pub/Sub pushes the apply queue and the retry queue to the server by itself."""

    def applied() -> tuple[dict[str, Doc]] | None:
        records = ws.all_docs(store, WEBHOOK_EVENTS)
        return None if any(d["status"] in WAITING for d in records.values()) else (records,)

    return eventually(applied, "the queues to apply every event", timeout=timeout)[0]


def drive_retries(server: Server, store: Any, timeout: float = 30.0) -> None:
    """Act as the retry queue (for a server with none) until no event is left waiting."""

    def retried_all() -> bool:
        waiting = [
            i for i, d in ws.all_docs(store, WEBHOOK_EVENTS).items() if d["status"] in WAITING
        ]
        for event_id in waiting:
            data = base64.b64encode(json.dumps({"event_id": event_id}).encode()).decode()
            envelope = {"message": {"data": data}}
            requests.post(
                f"{server.url}/tasks/process-event",
                json=envelope,
                headers=INTERNAL_HEADERS,
                timeout=30,
            )
        return not waiting

    eventually(retried_all, "the retries to apply every event", timeout=timeout)


@pytest.fixture
def store(firestore: gcloud.RunningEmulator) -> Any:
    store = ws.firestore_store()
    ws.create_tenant(store)
    return store


def test_the_same_event_twenty_times_at_once_has_one_set_of_effects(
    webhook_server: Server, store: Any
) -> None:
    for payload in se.payment_lifecycle()[:3]:
        assert deliver(webhook_server, payload).json()["status"] == "received"
    settle(store)
    refund = se.event("refund.created", se.refund("re_1", 1000), created=se.T0 + 100)
    body, header = ws.signed(refund)
    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: post(webhook_server, body, header), range(20)))
    assert [r.status_code for r in responses] == [200] * 20
    statuses = sorted(r.json()["status"] for r in responses)
    assert statuses.count("received") == 1, statuses
    assert set(statuses) <= {"received", "duplicate", "in_progress"}
    settle(store)
    payment = ws.all_docs(store, "payments")["pi_1"]
    assert payment["amount_refunded"] == 1000
    refunds = [
        t for t in ws.all_docs(store, PAYMENT_TRANSACTIONS).values() if t["type"] == "refund"
    ]
    assert len(refunds) == 1
    record = ws.inbox(store, refund["id"])
    assert record is not None and record["status"] == "processed" and record["attempts"] == 1


def test_sampled_delivery_orders_end_in_the_same_ledger(
    webhook_server: Server, firestore: gcloud.RunningEmulator
) -> None:
    events = se.payment_lifecycle()
    orders = [events, list(reversed(events))]
    rng = random.Random(20261125)
    orders += [rng.sample(events, len(events)) for _ in range(6)]
    results = []
    for order in orders:
        gcloud.reset_firestore(firestore.host_port, "demo-tests")
        store = ws.firestore_store()
        ws.create_tenant(store)
        for payload in order:
            response = deliver(webhook_server, payload)
            assert response.status_code == 200
        settle(store)
        results.append(ws.ledger_state(store))
    first = results[0]
    assert first[0]["pi_1"]["status"] == "disputed"
    for result in results[1:]:
        assert result == first


def test_the_events_of_one_payment_all_at_once_converge_without_contention(
    webhook_server: Server, store: Any
) -> None:
    events = se.payment_lifecycle()
    with ThreadPoolExecutor(max_workers=len(events)) as pool:
        responses = list(pool.map(lambda p: deliver(webhook_server, p), events))
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    inbox = settle(store)
    # one payment's events are applied one at a time: none collided with another
    assert [d.get("contentions", 0) for d in inbox.values()] == [0] * len(events)
    payments, transactions = ws.ledger_state(store)
    assert payments["pi_1"]["amount_refunded"] == 1500
    assert payments["pi_1"]["status"] == "disputed"
    assert len(transactions) == 6
    assert len(ws.all_docs(store, EVENT_LOGS)) == 8


def signature_cases() -> list[tuple[str, bytes, str | None]]:
    payload = se.payment_lifecycle()[0]
    body, good = ws.signed(payload)
    now = int(time.time())
    return [
        ("missing header", body, None),
        ("tampered body", body.replace(b"5000", b"9000"), good),
        ("wrong secret", body, sign(body, "whsec_wrong", now)),
        ("old timestamp", body, sign(body, ws.CONNECT_SECRET, now - 301)),
        ("malformed header", body, "v1=abc"),
        ("not an event", b'{"object": "charge"}', sign(b'{"object": "charge"}', ws.SECRET, now)),
        ("not json", b"hello", sign(b"hello", ws.SECRET, now)),
    ]


@pytest.mark.parametrize(
    ("case", "body", "header"), signature_cases(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_rejected_deliveries_answer_400_and_write_nothing(
    webhook_server: Server,
    firestore: gcloud.RunningEmulator,
    case: str,
    body: bytes,
    header: str | None,
) -> None:
    store = ws.firestore_store()
    response = post(webhook_server, body, header)
    assert response.status_code == 400, case
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and error["message"]
    for collection in (WEBHOOK_EVENTS, "payments", PAYMENT_TRANSACTIONS, EVENT_LOGS):
        assert ws.all_docs(store, collection) == {}, (case, collection)


def test_a_rotated_secret_and_the_platform_secret_are_accepted(
    webhook_server: Server, store: Any
) -> None:
    payload = se.payment_lifecycle()[0]
    body = json.dumps(payload).encode()
    for secret in ("whsec_old_rotated", ws.SECRET):
        response = post(webhook_server, body, sign(body, secret, int(time.time())))
        assert response.status_code == 200
    assert settle(store)[payload["id"]]["status"] == "processed"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (
            se.event("payment_intent.created", se.payment_intent(), created=se.T0, livemode=True),
            "livemode_mismatch",
        ),
        (
            se.event(
                "payment_intent.created", se.payment_intent(), created=se.T0, account="acct_nobody"
            ),
            "unknown_account",
        ),
        (se.event("invoice.paid", se.stripe_object("invoice"), created=se.T0), "unhandled_type"),
        (
            se.event("payment_intent.created", se.payment_intent(), created=se.T0, account=None),
            "no_tenant",
        ),
    ],
    ids=["livemode", "unknown account", "unknown type", "platform event without tenant"],
)
def test_events_that_apply_nothing_are_recorded_and_acknowledged(
    webhook_server: Server, store: Any, payload: Doc, reason: str
) -> None:
    response = deliver(webhook_server, payload)
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    record = ws.inbox(store, payload["id"])
    assert (
        record is not None and record["status"] == "ignored" and record["ignored_reason"] == reason
    )
    assert ws.all_docs(store, "payments") == {}


def test_an_event_that_never_applies_goes_dead_with_a_support_ticket(
    impatient_server: Server, store: Any
) -> None:
    lonely_refund = se.event("refund.created", se.refund("re_1", 1000), created=se.T0 + 100)
    assert deliver(impatient_server, lonely_refund).json()["status"] == "received"
    drive_retries(impatient_server, store)  # acts as the queues, honouring next_retry_at
    record = ws.inbox(store, lonely_refund["id"])
    assert record is not None and record["status"] == "dead" and record["attempts"] == 2
    tickets = ws.all_docs(store, "support_tickets")
    assert list(tickets) == [f"webhook_{lonely_refund['id']}"]
    ticket = tickets[f"webhook_{lonely_refund['id']}"]
    assert ticket["priority"] == "high" and ticket["status"] == "open"
    assert ticket["event_type"] == "refund.created" and ticket["tenant_id"] == ws.TENANT
    assert "before the capture" in ticket["error"]


def test_the_retry_queue_applies_a_refund_once_its_payment_arrives(
    webhook_server: Server, store: Any
) -> None:
    events = se.payment_lifecycle()
    early_refund = events[4]
    assert deliver(webhook_server, early_refund).json()["status"] == "received"
    eventually(  # applied from the apply queue: too early, handed to the retry queue
        lambda: (ws.inbox(store, early_refund["id"]) or {}).get("status") == "failed",
        "the early refund to fail",
    )
    for payload in events[:4]:
        assert deliver(webhook_server, payload).status_code == 200
    eventually(  # Pub/Sub pushes the retry to /tasks/process-event by itself
        lambda: (ws.inbox(store, early_refund["id"]) or {}).get("status") == "processed",
        "the retry queue to apply the refund",
        interval=0.2,
    )
    assert ws.all_docs(store, "payments")["pi_1"]["amount_refunded"] == 1000
