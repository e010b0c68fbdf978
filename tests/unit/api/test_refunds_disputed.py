"""A refund of a disputed payment is refused before Stripe is asked, by Stripe's own rule: a
dispute that says `is_charge_refundable: false` blocks it whatever its status; an inquiry
does not."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.errors import Conflict
from ledger.memory import MemoryStore
from payments import refunds
from payments.commands import CreateRefund
from tests.support.fakes import FakeStripeGateway
from tests.unit.api.test_services import TENANT, payment, world

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def dispute(status: str, *, refundable: bool | None) -> dict[str, Any]:
    state: dict[str, Any] = {"status": status, "amount": 6000, "currency": "usd"}
    if refundable is not None:
        state["is_charge_refundable"] = refundable
    return {"key": [200, 2], "event_id": "evt_1", "state": state}


def disputed_world(*entries: dict[str, Any]) -> tuple[MemoryStore, FakeStripeGateway]:
    store, stripe = world()
    sources = {"disputes": {f"dp_{n}": entry for n, entry in enumerate(entries)}}
    payment(store, status="disputed", amount_disputed=6000, sources=sources)
    return store, stripe


def recorded(store: MemoryStore) -> list[str]:
    return [doc_id for collection, doc_id in store.docs if collection == "refunds"]


def refund(store: MemoryStore, stripe: FakeStripeGateway, amount: int | None = None) -> Any:
    return refunds.create_refund(
        CreateRefund(TENANT, "pi_1", amount), store, stripe, idempotency_key="k", now=NOW
    )


@pytest.mark.parametrize("status", ["needs_response", "under_review", "won", "lost"])
def test_a_charged_back_payment_is_refused_before_stripe_is_asked(status: str) -> None:
    store, stripe = disputed_world(dispute(status, refundable=False))
    with pytest.raises(Conflict) as raised:
        refund(store, stripe, 100)
    assert (raised.value.status, raised.value.code) == (409, "charge_disputed")
    assert raised.value.message.startswith("Refunds are not possible while the payment is disputed")
    assert "dp_0" in raised.value.message
    assert stripe.calls == [] and not recorded(store)


def test_a_dispute_without_the_flag_counts_as_a_chargeback() -> None:
    store, stripe = disputed_world(dispute("needs_response", refundable=None))
    with pytest.raises(Conflict):
        refund(store, stripe)
    assert stripe.calls == []


def test_an_inquiry_leaves_the_payment_refundable_as_stripe_does() -> None:
    store, stripe = disputed_world(dispute("warning_needs_response", refundable=True))
    made = refund(store, stripe, 1000)
    assert made["amount"] == 1000 and stripe.names() == ["create_refund"]
    store, stripe = disputed_world(
        dispute("warning_closed", refundable=True), dispute("lost", refundable=False)
    )
    with pytest.raises(Conflict) as raised:
        refund(store, stripe)
    assert "dp_1" in raised.value.message


def test_an_undisputed_payment_is_not_blocked() -> None:
    store, stripe = world()
    payment(store)
    assert refunds.blocking_dispute(store.docs[("payments", "pi_1")]) is None
    assert refund(store, stripe)["amount"] == 6000


def test_stripes_own_refusal_is_a_409_too() -> None:
    """The ledger may not know the dispute yet: Stripe's `charge_disputed` (translated by the
    gateway) reaches the caller as the same 409, and nothing is recorded."""
    store, stripe = world()
    payment(store)
    stripe.fail_with = Conflict("Charge ch_1 has been charged back", code="charge_disputed")
    with pytest.raises(Conflict) as raised:
        refund(store, stripe)
    assert raised.value.code == "charge_disputed" and stripe.names() == ["create_refund"]
    assert not recorded(store)
