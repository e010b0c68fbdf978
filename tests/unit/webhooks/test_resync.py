"""Resync on the apply path, with fakes at the ports: the reducer asks, the queue carries the
request, Stripe is read outside the transaction, and the reducer applies what it answered."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from ledger.collections import CHECKOUT_REFS, EVENT_LOGS, PAYMENTS
from ledger.memory import MemoryStore
from ledger.store import DocKey
from payments.checkout import create_checkout_session
from payments.commands import CreateCheckoutSession, LineItem
from payments.webhooks import operations, service
from payments.webhooks.resync import resync_payment
from payments.webhooks.service import WebhookDeps
from tests.support import stripe_events as se
from tests.support import webhooks as ws
from tests.support.fakes import FakeStripeGateway

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
def gateway() -> FakeStripeGateway:
    return FakeStripeGateway()


@pytest.fixture
def deps(gateway: FakeStripeGateway) -> WebhookDeps:
    store = MemoryStore()
    store.docs[("tenants", "t_1")] = {"merchant_account_id": se.ACCOUNT, "charges_enabled": True}
    return ws.make_deps(store, clock=lambda: NOW, stripe=lambda: gateway)


def deliver(deps: WebhookDeps, payload: dict[str, object]) -> service.Receipt:
    return ws.receive_and_apply(*ws.signed(payload, timestamp=int(NOW.timestamp())), deps)


def failed_attempt(charge: str, decline_code: str, **fields: Any) -> dict[str, Any]:
    error = {"code": "card_declined", "decline_code": decline_code, "charge": charge}
    return se.payment_intent(
        status="requires_payment_method", latest_charge=charge, last_payment_error=error, **fields
    )


def payment(deps: WebhookDeps, payment_id: str = "pi_1") -> dict[str, Any]:
    doc = deps.store.get(DocKey(PAYMENTS, payment_id))
    assert doc is not None
    return doc


def docs(deps: WebhookDeps) -> dict[tuple[str, str], dict[str, Any]]:
    assert isinstance(deps.store, MemoryStore)
    return deps.store.docs


def two_declines_in_one_second(deps: WebhookDeps) -> None:
    for n, (charge, code) in enumerate([("ch_a", "generic_decline"), ("ch_b", "expired_card")]):
        intent = failed_attempt(charge, code)
        event = se.event(
            "payment_intent.payment_failed", intent, created=se.T0, event_id=f"evt_{n}"
        )
        assert deliver(deps, event).status == "processed"


def test_states_nothing_orders_are_settled_by_reading_stripe(
    deps: WebhookDeps, gateway: FakeStripeGateway
) -> None:
    two_declines_in_one_second(deps)
    assert payment(deps)["resync_needed"] is True
    assert isinstance(deps.queue, ws.FakeQueue)
    assert deps.queue.published.count("resync:pi_1") == 1  # asked once, by the second event

    gateway.objects["pi_1"] = failed_attempt("ch_b", "expired_card")
    receipt = resync_payment("pi_1", deps)

    assert receipt.status == "processed"
    assert ("retrieve_object", (se.ACCOUNT, "payment_intent", "pi_1"), {}) in gateway.calls
    settled = payment(deps)
    assert settled["resync_needed"] is False
    assert settled["status"] == "failed"
    assert settled["failure"]["decline_code"] == "expired_card"
    assert settled["resyncs"] == 1
    timeline = [doc for (collection, _), doc in docs(deps).items() if collection == EVENT_LOGS]
    assert any(entry["type"] == "ledger.resync" for entry in timeline)
    assert resync_payment("pi_1", deps).detail == "nothing to settle"  # idempotent
    assert gateway.names().count("retrieve_object") == 1


def test_a_later_real_event_still_wins_over_the_resync(
    deps: WebhookDeps, gateway: FakeStripeGateway
) -> None:
    two_declines_in_one_second(deps)
    gateway.objects["pi_1"] = failed_attempt("ch_b", "expired_card")
    resync_payment("pi_1", deps)
    succeeded = se.payment_intent(status="succeeded", amount_received=5000, latest_charge="ch_c")
    deliver(deps, se.event("payment_intent.succeeded", succeeded, created=se.T0 + 1))
    assert payment(deps)["status"] == "succeeded"
    assert payment(deps)["failure"] is None


def test_the_sweeper_resyncs_a_payment_whose_request_was_lost(
    deps: WebhookDeps, gateway: FakeStripeGateway
) -> None:
    two_declines_in_one_second(deps)
    gateway.objects["pi_1"] = failed_attempt("ch_a", "generic_decline")
    swept = operations.sweep(deps)
    assert swept == {"resync_processed": 1}
    assert payment(deps)["failure"]["decline_code"] == "generic_decline"


def test_a_declined_checkout_attempt_folds_the_sessions_payment_into_its_intents(
    deps: WebhookDeps, gateway: FakeStripeGateway
) -> None:
    cmd = CreateCheckoutSession(
        tenant_id="t_1",
        line_items=(LineItem("Tea", 5000, 1, "usd"),),
        success_url="https://shop.test/ok",
        cancel_url="https://shop.test/cancel",
        client_reference_id="order_7",
    )
    session = create_checkout_session(cmd, deps.store, gateway, idempotency_key="k1", now=NOW)
    params = gateway.calls[0][1][1]
    metadata = params["payment_intent_data"]["metadata"]
    assert deps.store.get(DocKey(CHECKOUT_REFS, metadata["checkout_ref"])) is not None

    declined = failed_attempt("ch_a", "generic_decline", metadata=metadata)
    deliver(deps, se.event("payment_intent.payment_failed", declined, created=se.T0))

    payments = {key: doc for (collection, key), doc in docs(deps).items() if collection == PAYMENTS}
    assert list(payments) == ["pi_1"]  # the session's row was folded in, not left beside it
    assert payments["pi_1"]["client_reference_id"] == "order_7"
    assert payments["pi_1"]["checkout_session_id"] == session["id"]
    assert payments["pi_1"]["status"] == "failed"


def test_an_event_that_lands_while_stripe_is_read_is_not_overwritten_by_the_read(
    gateway: FakeStripeGateway,
) -> None:
    """The read is as old as its start: an event of a later second, applied while Stripe was
    being read, is newer than what the read saw."""
    store = MemoryStore()
    store.docs[("tenants", "t_1")] = {"merchant_account_id": se.ACCOUNT}
    clock = [datetime.fromtimestamp(se.T0, UTC)]
    deps = ws.make_deps(store, clock=lambda: clock[0], stripe=lambda: gateway)
    for n, (charge, code) in enumerate([("ch_a", "generic_decline"), ("ch_b", "expired_card")]):
        failed = se.event(
            "payment_intent.payment_failed",
            failed_attempt(charge, code),
            created=se.T0,
            event_id=f"evt_{n}",
        )
        ws.receive_and_apply(*ws.signed(failed, timestamp=se.T0), deps)
    assert payment(deps)["resync_needed"] is True
    succeeded = se.payment_intent(status="succeeded", amount_received=5000, latest_charge="ch_c")

    class SlowStripe(FakeStripeGateway):
        def retrieve_object(self, account: str, kind: str, object_id: str) -> dict[str, Any]:
            seen = failed_attempt("ch_b", "expired_card")  # Stripe when the read began
            clock[0] = datetime.fromtimestamp(se.T0 + 3, UTC)
            later = se.event("payment_intent.succeeded", succeeded, created=se.T0 + 1)
            ws.receive_and_apply(*ws.signed(later, timestamp=se.T0 + 3), deps)
            return seen

    slow = SlowStripe()
    resync_payment("pi_1", replace(deps, stripe=lambda: slow))
    assert payment(deps)["status"] == "succeeded"
