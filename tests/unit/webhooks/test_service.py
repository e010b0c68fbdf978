"""The webhook service with fakes at its ports: claims, leases, retries, replay, sweeping."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.errors import Contention, NotFound
from ledger.collections import PAYMENTS, SUPPORT_TICKETS, WEBHOOK_EVENTS
from ledger.memory import MemoryStore
from ledger.store import DocKey
from payments.webhooks import operations, service
from payments.webhooks.policy import RetryPolicy
from payments.webhooks.routing import TenantDirectory
from payments.webhooks.service import WebhookDeps
from payments.webhooks.signature import sign
from tests.support import stripe_events as se
from tests.support import webhooks as ws
from tests.support.webhooks import FakeQueue

SECRET = "whsec_unit"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 12, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deps(clock: Clock) -> WebhookDeps:
    store = MemoryStore()
    store.docs[("tenants", "t_1")] = {"merchant_account_id": se.ACCOUNT}
    return WebhookDeps(
        store=store,
        queue=FakeQueue(),
        tenants=TenantDirectory(store),
        signing_secrets=lambda: (SECRET,),
        livemode=False,
        policy=RetryPolicy(max_attempts=3, base_backoff_seconds=10, lease_seconds=60),
        clock=clock,
        jitter=lambda: 1.0,
    )


def deliver(deps: WebhookDeps, payload: dict[str, object]) -> service.Receipt:
    import json

    body = json.dumps(payload).encode()
    return ws.receive_and_apply(body, sign(body, SECRET, int(deps.clock().timestamp())), deps)


def inbox(deps: WebhookDeps, event_id: str) -> dict[str, object]:
    record = deps.store.get(DocKey(WEBHOOK_EVENTS, event_id))
    assert record is not None
    return record


def test_first_delivery_processes_and_later_ones_are_duplicates(deps: WebhookDeps) -> None:
    payload = se.payment_lifecycle()[0]
    assert deliver(deps, payload).status == "processed"
    again = deliver(deps, payload)
    assert (again.status, again.detail) == ("duplicate", "already processed")
    assert inbox(deps, payload["id"])["attempts"] == 1


def test_a_delivery_while_another_holds_the_claim_is_acknowledged_as_in_progress(
    deps: WebhookDeps,
) -> None:
    payload = se.payment_lifecycle()[0]
    deliver(deps, payload)
    deps.store.update(DocKey(WEBHOOK_EVENTS, payload["id"]), {"status": "received"})
    assert deliver(deps, payload).status == "in_progress"


class LockedInbox(MemoryStore):
    """The emulator's answer to a create while another delivery's transaction holds the record."""

    def create(self, key: DocKey, doc: dict[str, object]) -> bool:
        raise Contention("Transaction lock timeout")


def test_a_duplicate_that_collides_with_the_first_delivery_is_acknowledged(
    deps: WebhookDeps,
) -> None:
    payload = se.payment_lifecycle()[0]
    deliver(deps, payload)
    deps.store.update(DocKey(WEBHOOK_EVENTS, payload["id"]), {"status": "processing"})
    locked = LockedInbox()
    locked.docs = deps.store.docs  # type: ignore[attr-defined]
    assert deliver(replace(deps, store=locked), payload).status == "in_progress"


def test_a_collision_with_no_record_behind_it_is_not_acknowledged(deps: WebhookDeps) -> None:
    with pytest.raises(Contention):
        deliver(replace(deps, store=LockedInbox()), se.payment_lifecycle()[0])


def test_a_failure_is_recorded_queued_and_retried_on_schedule(
    deps: WebhookDeps, clock: Clock
) -> None:
    early_refund = se.payment_lifecycle()[4]
    failed = deliver(deps, early_refund)
    assert failed.status == "failed" and "EventNotReady" in (failed.detail or "")
    assert deps.queue.published == [early_refund["id"]]  # type: ignore[attr-defined]
    record = inbox(deps, early_refund["id"])
    assert record["attempts"] == 1 and record["next_retry_at"] == clock.now + timedelta(seconds=10)
    assert service.process_recorded(early_refund["id"], deps).status == "scheduled"
    for payload in se.payment_lifecycle()[:4]:
        deliver(deps, payload)
    clock.advance(10)
    assert service.process_recorded(early_refund["id"], deps).status == "processed"
    assert inbox(deps, early_refund["id"])["attempts"] == 2


def test_after_the_maximum_attempts_the_event_is_dead_with_a_ticket(
    deps: WebhookDeps, clock: Clock
) -> None:
    lonely = se.payment_lifecycle()[4]
    deliver(deps, lonely)
    clock.advance(10)
    assert service.process_recorded(lonely["id"], deps).status == "failed"
    clock.advance(20)
    assert service.process_recorded(lonely["id"], deps).status == "dead"
    assert service.process_recorded(lonely["id"], deps).status == "dead"  # nothing more to do
    ticket = deps.store.get(DocKey(SUPPORT_TICKETS, f"webhook_{lonely['id']}"))
    assert ticket is not None and ticket["attempts"] == 3 and ticket["priority"] == "high"


def test_a_claim_whose_holder_died_is_taken_over_after_the_lease(
    deps: WebhookDeps, clock: Clock
) -> None:
    payload = se.payment_lifecycle()[0]
    deliver(deps, payload)
    key = DocKey(WEBHOOK_EVENTS, payload["id"])
    deps.store.update(
        key,
        {
            "status": "received",
            "claim": {"token": "dead-holder", "until": clock.now + timedelta(seconds=60)},
        },
    )
    assert service.process_recorded(payload["id"], deps).status == "in_progress"
    assert operations.sweep(deps) == {}
    clock.advance(61)
    assert operations.sweep(deps) == {"processed": 1}


def test_the_sweeper_retries_only_what_is_due(deps: WebhookDeps, clock: Clock) -> None:
    events = se.payment_lifecycle()
    deliver(deps, events[4])
    for payload in events[:4]:
        deliver(deps, payload)
    assert operations.sweep(deps) == {}
    clock.advance(10)
    assert operations.sweep(deps) == {"processed": 1}


class OneLockedRecord(MemoryStore):
    """A dead holder's transaction still locks one inbox record: every transaction on it aborts."""

    locked = ""

    def transact(self, reads: Any, decide: Any, **kwargs: Any) -> Any:
        if DocKey(WEBHOOK_EVENTS, self.locked) in reads:
            raise Contention("Transaction lock timeout")
        return super().transact(reads, decide, **kwargs)


def test_one_locked_event_does_not_stop_the_sweep(deps: WebhookDeps, clock: Clock) -> None:
    events = se.payment_lifecycle()
    for payload in (events[4], events[5]):  # refunds before their payment: both fail, retry
        deliver(deps, payload)
    for payload in events[:4]:
        deliver(deps, payload)
    clock.advance(60)
    locked = OneLockedRecord()
    locked.docs = deps.store.docs  # type: ignore[attr-defined]
    locked.locked = events[4]["id"]
    assert operations.sweep(replace(deps, store=locked)) == {"processed": 1, "skipped": 1}
    assert operations.sweep(deps) == {"processed": 1}  # the lock is gone: the next sweep


def test_replay_reapplies_idempotently_and_respects_the_tenant(deps: WebhookDeps) -> None:
    for payload in se.payment_lifecycle():
        deliver(deps, payload)
    before = deps.store.get(DocKey(PAYMENTS, "pi_1"))
    refund_id = se.payment_lifecycle()[4]["id"]
    assert operations.replay_event(deps, refund_id, tenant_id="t_1").status == "processed"
    assert deps.store.get(DocKey(PAYMENTS, "pi_1")) == before
    with pytest.raises(NotFound):
        operations.replay_event(deps, refund_id, tenant_id="t_other")


def test_replaying_an_ignored_event_routes_it_again(deps: WebhookDeps) -> None:
    stranger = se.event(
        "payment_intent.created",
        se.payment_intent(pi_id="pi_9"),
        created=se.T0,
        account="acct_later",
    )
    assert deliver(deps, stranger).status == "ignored"
    deps.store.create(DocKey("tenants", "t_2"), {"merchant_account_id": "acct_later"})
    assert operations.replay_event(deps, stranger["id"], tenant_id=None).status == "processed"
    assert deps.store.get(DocKey(PAYMENTS, "pi_9"))["tenant_id"] == "t_2"  # type: ignore[index]


def test_listing_filters_by_tenant_and_status(deps: WebhookDeps) -> None:
    deliver(deps, se.payment_lifecycle()[4])
    deliver(deps, se.payment_lifecycle()[0])
    failed = operations.list_events(deps, tenant_id="t_1", status="failed")
    assert [e["id"] for e in failed] == [se.payment_lifecycle()[4]["id"]]
    assert "payload" not in failed[0]
    assert operations.list_events(deps, tenant_id="t_other", status=None) == []


def account_updated(account: str, tenant_id: str, created: int = se.T0) -> dict[str, object]:
    """A signed `account.updated` of `account` (onboarded) whose metadata names `tenant_id`."""
    obj = se.stripe_object(
        "account", id=account, charges_enabled=True, metadata={"tenant_id": tenant_id}
    )
    return se.event("account.updated", obj, created=created, account=account)


def test_an_unlinked_account_never_changes_or_links_a_tenant_its_metadata_names(
    deps: WebhookDeps, clock: Clock
) -> None:
    """Issue 14, item 7: an event's metadata is the sender's word, not a link."""
    foreign = account_updated("acct_foreign", "t_1")  # t_1 owns se.ACCOUNT
    assert deliver(deps, foreign).status == "processed"
    assert deps.store.get(DocKey("tenants", "t_1")) == {"merchant_account_id": se.ACCOUNT}
    deps.store.create(DocKey("tenants", "t_2"), {"name": "no account yet"})
    claimed = account_updated("acct_claimer", "t_2", created=se.T0 + 1)
    assert deliver(deps, claimed).status == "failed"  # waits: the tenant may be linking now
    assert deps.store.get(DocKey("tenants", "t_2")) == {"name": "no account yet"}


def test_an_account_event_ahead_of_its_link_applies_once_the_link_is_stored(
    deps: WebhookDeps, clock: Clock
) -> None:
    deps.store.create(DocKey("tenants", "t_3"), {"name": "onboarding"})
    early = account_updated("acct_new", "t_3")
    assert deliver(deps, early).status == "failed"
    deps.store.update(DocKey("tenants", "t_3"), {"merchant_account_id": "acct_new"})
    clock.advance(60)
    assert service.process_recorded(str(early["id"]), deps).status == "processed"
    tenant = deps.store.get(DocKey("tenants", "t_3"))
    assert tenant is not None and tenant["charges_enabled"] is True
