"""Faults over real HTTP with real signatures, each bounded in time: Firestore frozen in the
middle of a payment's deliveries, the server killed in the middle of a burst, Pub/Sub down.

Stripe redelivers what got no 2xx; the apply queue (Pub/Sub) and the sweeper (`POST
/jobs/retry-sweep`) apply what was acknowledged. After each fault every event has one inbox
record, `processed`, and the ledger is the one the same events make delivered once each, in
Stripe's order (`bench.reference.in_order_ledger`: the webhook service over an in-memory store).
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from bench.reference import check_ledger, in_order_ledger
from emulators import gcloud
from ledger.collections import PAYMENTS, WEBHOOK_EVENTS
from ledger.store import AbstractStore, Query
from tests.conftest import PROJECT
from tests.e2e.webhooks.conftest import SERVER_ENV
from tests.e2e.webhooks.test_delivery import WAITING, deliver, post
from tests.support import stripe_events as se
from tests.support import webhooks as ws
from tests.support.settings import INTERNAL_HEADERS
from tests.support.stacks import Server, functions_server, wire_queues
from tests.support.waiting import eventually

pytestmark = [pytest.mark.emulators, pytest.mark.timeout(60)]

Doc = dict[str, Any]
Burst = dict[str, list[Doc]]  # each payment's events, in Stripe's order
LIFECYCLE_IDS = ("pi_1", "ch_1", "re_1", "re_2", "dp_1", "cs_test_1")
SETTLE_S = 30.0
STALL_S = 5.0  # how long Firestore stays frozen
STALLED_ANSWER_S = 3.0  # FIRESTORE_DEADLINE_SECONDS=1, plus a margin
UNQUEUED_ANSWER_S = 1.0  # a delivery's answer with Pub/Sub down
STOPPED = {"T", "t", "Z", "X"}  # /proc thread states that run no code


def burst(payments: int) -> Burst:
    """`payments` copies of `se.payment_lifecycle()`, each with ids of its own."""
    template = json.dumps(se.payment_lifecycle())
    events: Burst = {}
    for n in range(payments):
        text = template
        for old in LIFECYCLE_IDS:
            text = text.replace(f'"{old}"', f'"{old}_{n}"')
        lifecycle = json.loads(text)
        for event in lifecycle:
            event["id"] = f"{event['id']}_{n}"
        events[f"pi_1_{n}"] = lifecycle
    return events


def interleaved(events: Burst) -> list[Doc]:
    """Every payment's first event, then every payment's second, ...: a busy shop's burst."""
    return [event for step in zip(*events.values(), strict=True) for event in step]


def waiting(store: AbstractStore) -> list[str]:
    inbox = ws.all_docs(store, WEBHOOK_EVENTS)
    return [f"{i}:{d['status']}" for i, d in inbox.items() if d["status"] in WAITING]


def sweep_until_applied(server: Server, store: AbstractStore) -> int:
    """Run the sweeper (as Cloud Scheduler would, but often) until no event waits: the
    number of sweeps. Each sweep answers 200."""
    sweeps = 0

    def swept_all() -> bool:
        nonlocal sweeps
        if not waiting(store):
            return True
        response = requests.post(
            f"{server.url}/jobs/retry-sweep", headers=INTERNAL_HEADERS, timeout=30
        )
        assert response.status_code == 200, response.text
        sweeps += 1
        return False

    eventually(swept_all, "the sweeper to apply every event", timeout=SETTLE_S, interval=0.2)
    return sweeps


def assert_applied_once(store: AbstractStore, events: Burst) -> None:
    expected = in_order_ledger(events, {ws.TENANT: se.ACCOUNT}, secret=ws.CONNECT_SECRET)
    unique = {event["id"] for lifecycle in events.values() for event in lifecycle}
    check = check_ledger(store, expected, unique_event_ids=unique)
    assert check.passed, check.problems
    assert check.compared[PAYMENTS] == len(events)


def logged_statuses(*servers: Server) -> list[int]:
    """The status of every request the servers answered (their JSON request log lines)."""
    lines = [line for s in servers for line in s.output().splitlines() if line.startswith("{")]
    requests_ = [json.loads(line).get("httpRequest") for line in lines]
    return [int(r["status"]) for r in requests_ if r]


@pytest.fixture
def own_firestore(monkeypatch: pytest.MonkeyPatch) -> Iterator[gcloud.RunningEmulator]:
    """A Firestore emulator of this test's own, to freeze without touching the session's."""
    emulator = gcloud.start("firestore", project=PROJECT)
    monkeypatch.setenv("FIRESTORE_EMULATOR_HOST", emulator.host_port)
    try:
        yield emulator
    finally:
        emulator.stop()


def thread_states(pgid: int) -> list[str]:
    """The state of every thread of every process in the group, from /proc."""
    states = []
    for stat in Path("/proc").glob("[0-9]*/task/[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except OSError:
            continue  # exited meanwhile
        if int(pgrp) == pgid:
            states.append(state)
    return states


@contextmanager
def frozen(emulator: gcloud.RunningEmulator) -> Iterator[None]:
    """SIGSTOP the emulator's process group (the gcloud wrapper and its Java grandchild), and
    SIGCONT it when the block ends, whatever happens. The block starts once every thread has
    stopped: `killpg` returns before a busy JVM's threads all have, and they serve meanwhile."""
    pgid = emulator.process.pid
    os.killpg(pgid, signal.SIGSTOP)
    try:
        deadline = time.monotonic() + 5
        while not set(thread_states(pgid)) <= STOPPED:
            assert time.monotonic() < deadline, "the emulator's threads did not all stop"
            time.sleep(0.005)
        yield
    finally:
        os.killpg(pgid, signal.SIGCONT)


def test_a_delivery_while_firestore_is_frozen_answers_503_within_the_deadline(
    own_firestore: gcloud.RunningEmulator,
    pubsub_emulator: gcloud.RunningEmulator,
    measurements: list[str],
) -> None:
    store = ws.firestore_store()
    ws.create_tenant(store)
    events = se.payment_lifecycle()
    env = {
        **SERVER_ENV,
        "GOOGLE_CLOUD_PROJECT": PROJECT,
        "FIRESTORE_EMULATOR_HOST": own_firestore.host_port,
        "FIRESTORE_DEADLINE_SECONDS": "1",
        "WEBHOOK_LEASE_SECONDS": "2",
    }
    with functions_server(**env) as server:
        wire_queues(pubsub_emulator.host_port, server.url)
        for payload in events[:4]:
            assert deliver(server, payload).status_code == 200
        stalled = events[4]
        with frozen(own_firestore):
            frozen_at = time.monotonic()
            response = deliver(server, stalled)
            answered_s = time.monotonic() - frozen_at
            time.sleep(max(0.0, STALL_S - answered_s))
        assert response.status_code == 503, response.text
        assert response.json()["error"]["code"] == "firestore_unavailable"
        assert answered_s < STALLED_ANSWER_S
        thawed_at = time.monotonic()
        redelivered = deliver(server, stalled)
        redelivered_s = time.monotonic() - thawed_at
        assert redelivered.status_code == 200, redelivered.text
        for payload in events[5:]:
            assert deliver(server, payload).status_code == 200
        sweeps = sweep_until_applied(server, store)
        assert 500 not in logged_statuses(server)
    assert_applied_once(store, {"pi_1": events})
    measurements.append(
        f"faults, Firestore frozen {STALL_S:.0f} s: a delivery answered 503 in {answered_s:.2f} s"
        f" (deadline 1 s); redelivered after SIGCONT: {redelivered.json()['status']} in "
        f"{redelivered_s:.2f} s; applied after {sweeps} sweeps"
    )


def applied(store: AbstractStore) -> int:
    processed = Query(WEBHOOK_EVENTS, where=(("status", "==", "processed"),))
    return len(store.query(processed))


def deliver_until_killed(
    server: Server, store: AbstractStore, payloads: list[Doc], *, kill_after: int
) -> tuple[list[Doc], int]:
    """Deliver 8 at a time; SIGKILL the server's process group once `kill_after` answers have
    come back and the apply queue is at work (an event applied). The deliveries that got no
    answer (Stripe redelivers those: every answer is 2xx), and the events applied by then."""
    answered: set[str] = set()
    applied_at_kill = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {pool.submit(deliver, server, payload): payload for payload in payloads}
        for future in as_completed(futures):
            try:
                response = future.result()
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                continue  # the server died with the delivery in flight, or before it
            assert response.status_code == 200, response.text
            answered.add(futures[future]["id"])
            ready = not applied_at_kill and len(answered) >= kill_after
            if ready and (applied_at_kill := applied(store)):
                os.killpg(server.process.pid, signal.SIGKILL)
    assert applied_at_kill, "every delivery was answered before the apply queue applied one"
    return [payload for payload in payloads if payload["id"] not in answered], applied_at_kill


def test_a_server_killed_mid_burst_loses_nothing_and_doubles_nothing(
    firestore: gcloud.RunningEmulator,
    pubsub_emulator: gcloud.RunningEmulator,
    measurements: list[str],
) -> None:
    store = ws.firestore_store()
    ws.create_tenant(store)
    events = burst(20)
    deliveries = interleaved(events)
    env = {**SERVER_ENV, "WEBHOOK_LEASE_SECONDS": "2"}
    with functions_server(**env) as doomed:
        wire_queues(pubsub_emulator.host_port, doomed.url)
        unanswered, applied_at_kill = deliver_until_killed(
            doomed, store, deliveries, kill_after=len(deliveries) // 3
        )
    assert doomed.process.wait(timeout=5) == -signal.SIGKILL
    stranded = len(waiting(store))  # recorded by the dead server, not applied
    with functions_server(**env) as fresh:
        wire_queues(pubsub_emulator.host_port, fresh.url)
        redelivered = [deliver(fresh, payload) for payload in unanswered]
        assert [r.status_code for r in redelivered] == [200] * len(unanswered)
        sweeps = sweep_until_applied(fresh, store)
    statuses = logged_statuses(doomed, fresh)
    assert statuses and 500 not in statuses
    assert_applied_once(store, events)
    measurements.append(
        f"faults, server SIGKILLed mid-burst: {len(deliveries)} deliveries, "
        f"{len(deliveries) - len(unanswered)} answered before the kill ({applied_at_kill} "
        f"applied, {stranded} recorded but not); {len(unanswered)} redelivered to a fresh server "
        f"{dict(Counter(r.json()['status'] for r in redelivered))}; applied after {sweeps} sweeps"
    )


def test_with_pubsub_down_deliveries_answer_at_once_and_the_sweeper_applies_them(
    firestore: gcloud.RunningEmulator, measurements: list[str]
) -> None:
    store = ws.firestore_store()
    ws.create_tenant(store)
    events = burst(5)
    nowhere = f"127.0.0.1:{gcloud.free_port()}"
    env = {**SERVER_ENV, "PUBSUB_EMULATOR_HOST": nowhere, "WEBHOOK_LEASE_SECONDS": "1"}

    def timed_delivery(payload: Doc) -> tuple[requests.Response, float]:
        started = time.monotonic()
        return deliver(server, payload), time.monotonic() - started

    with functions_server(**env) as server:
        unsigned = post(server, json.dumps(se.payment_lifecycle()[0]).encode(), None)
        assert unsigned.status_code == 400  # the webhook path is loaded; nothing is written
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(timed_delivery, interleaved(events)))
        assert [r.json()["status"] for r, _ in answers] == ["received"] * len(answers)
        slowest = max(seconds for _, seconds in answers)
        assert slowest < UNQUEUED_ANSWER_S
        inbox = ws.all_docs(store, WEBHOOK_EVENTS)
        assert {d["status"] for d in inbox.values()} == {"received"}
        assert ws.all_docs(store, PAYMENTS) == {}
        sweeps = sweep_until_applied(server, store)
        assert 500 not in logged_statuses(server)
    assert_applied_once(store, events)
    measurements.append(
        f"faults, Pub/Sub down: {len(answers)} deliveries answered 200, slowest "
        f"{slowest:.3f} s; applied after {sweeps} sweeps"
    )
