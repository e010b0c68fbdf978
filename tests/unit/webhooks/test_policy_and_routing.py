from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ledger.memory import MemoryStore
from payments.events.model import StripeEvent
from payments.webhooks.policy import RetryPolicy
from payments.webhooks.routing import EventRoute, TenantDirectory, route_event
from tests.support import stripe_events as se

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base_backoff_seconds=30, max_backoff_seconds=600)
    delays = [(policy.next_retry_at(NOW, n, jitter=1.0) - NOW).total_seconds() for n in range(1, 8)]
    assert delays == [30, 60, 120, 240, 480, 600, 600]
    assert policy.next_retry_at(NOW, 2, jitter=0.5) - NOW == timedelta(seconds=30)
    jittered = {policy.next_retry_at(NOW, 3) for _ in range(20)}
    assert len(jittered) > 1
    assert all(NOW + timedelta(seconds=60) <= t < NOW + timedelta(seconds=180) for t in jittered)


def route(
    payload: dict[str, object], store: MemoryStore | None = None, livemode: bool = False
) -> EventRoute:
    directory = TenantDirectory(store or MemoryStore())
    return route_event(StripeEvent.from_payload(payload), livemode=livemode, tenants=directory)


def test_connected_account_events_route_to_the_tenant_owning_the_account() -> None:
    store = MemoryStore()
    store.docs[("tenants", "t_9")] = {"merchant_account_id": se.ACCOUNT}
    payload = se.event("payment_intent.created", se.payment_intent(), created=se.T0)
    assert route(payload, store) == EventRoute("t_9")


def test_an_account_event_routes_by_metadata_before_the_link_is_stored() -> None:
    account = se.stripe_object("account", id="acct_new", metadata={"tenant_id": "t_new"})
    payload = se.event("account.updated", account, created=se.T0, account="acct_new")
    assert route(payload) == EventRoute("t_new")


def test_platform_events_route_by_metadata() -> None:
    intent = se.payment_intent(metadata={"tenant_id": "t_1"})
    payload = se.event("payment_intent.created", intent, created=se.T0, account=None)
    assert route(payload) == EventRoute("t_1")


def test_reasons_to_only_record_an_event() -> None:
    intent = se.event("payment_intent.created", se.payment_intent(), created=se.T0)
    assert route(intent, livemode=True).ignored_reason == "livemode_mismatch"
    assert route(intent).ignored_reason == "unknown_account"
    platform = se.event("payment_intent.created", se.payment_intent(), created=se.T0, account=None)
    assert route(platform).ignored_reason == "no_tenant"
    store = MemoryStore()
    store.docs[("tenants", "t_9")] = {"merchant_account_id": se.ACCOUNT}
    invoice = se.event("invoice.paid", se.stripe_object("invoice"), created=se.T0)
    assert route(invoice, store) == EventRoute("t_9", "unhandled_type")
