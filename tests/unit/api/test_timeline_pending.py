"""The timeline shows an event from its acknowledgement: `processing` while the apply queue has
it, `retrying` once its apply failed, then once, from the event log, as `applied` (or
`recorded`). The events go through the real webhook service (tests/support/pending_events.py)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS31Validator

from functions.discovery import OPENAPI_FILE
from ledger.collections import WEBHOOK_EVENTS
from ledger.store import DocKey
from payments import payment_queries
from payments.webhooks import service
from tests.support import pending_events as pe
from tests.support import stripe_events as se


def timeline(world: pe.World) -> list[dict[str, Any]]:
    body = payment_queries.payment_timeline(world.store, pe.TENANT, "pi_1")
    return list(body["data"])


def states(world: pe.World) -> list[tuple[str, str, bool]]:
    return [(e["event_id"], e["state"], e["applied"]) for e in timeline(world)]


@pytest.fixture(scope="module")
def timeline_schema() -> Any:
    spec = yaml.safe_load(OPENAPI_FILE.read_text())
    return OAS31Validator(
        {"$ref": "#/components/schemas/Timeline", "components": spec["components"]}
    )


def test_an_acknowledged_event_is_processing_and_a_failed_one_retrying(
    timeline_schema: Any,
) -> None:
    world = pe.build()
    body = payment_queries.payment_timeline(world.store, pe.TENANT, "pi_1")
    assert [error.message for error in timeline_schema.iter_errors(body)] == []
    created, succeeded, refund = body["data"]
    assert created["state"] == "applied" and created["applied"] is True
    assert succeeded == {
        "source": "stripe",
        "event_id": pe.SUCCEEDED,
        "type": "payment_intent.succeeded",
        "created": pe.SUCCEEDED_AT,
        "summary": "Processing",
        "applied": False,
        "state": "processing",
    }
    assert refund["state"] == "retrying" and refund["applied"] is False
    assert refund["summary"] == (
        "Waiting to retry: EventNotReady: a refund arrived before the capture it refunds"
    )


def test_once_applied_an_event_appears_once_as_applied() -> None:
    world = pe.build()
    world.at(pe.SUCCEEDED_AT + 3)
    assert world.apply(pe.SUCCEEDED).status == "processed"
    assert states(world) == [
        (pe.CREATED, "applied", True),
        (pe.SUCCEEDED, "applied", True),
        (pe.REFUND, "retrying", False),
    ]
    world.deliver(se.event("charge.succeeded", se.charge(), created=pe.SUCCEEDED_AT))
    world.apply(f"evt_charge_succeeded_ch_1_{pe.SUCCEEDED_AT}")
    world.at(se.T0 + 500)  # the refund's retry is due
    assert service.process_recorded(pe.REFUND, world.deps).status == "processed"
    assert [(event_id, state) for event_id, state, _ in states(world)][-1] == (pe.REFUND, "applied")
    assert [e["event_id"] for e in timeline(world)].count(pe.REFUND) == 1


def test_an_event_that_changed_nothing_is_recorded() -> None:
    world = pe.build()
    stale = se.event(
        "payment_intent.created", se.payment_intent(), created=se.T0 - 1, event_id="evt_stale"
    )
    world.deliver(stale)
    world.apply("evt_stale")
    (entry,) = [e for e in timeline(world) if e["event_id"] == "evt_stale"]
    assert (entry["state"], entry["applied"]) == ("recorded", False)


def test_an_event_in_the_log_is_not_shown_again_from_the_inbox() -> None:
    """A replay of an applied event that failed leaves it `failed` in the inbox: the timeline
    still shows it once, from the log, as applied."""
    world = pe.build()
    world.store.update(
        DocKey(WEBHOOK_EVENTS, pe.CREATED), {"status": "failed", "last_error": "Contention: busy"}
    )
    assert states(world)[0] == (pe.CREATED, "applied", True)
    assert [e["event_id"] for e in timeline(world)].count(pe.CREATED) == 1


def test_only_the_first_line_of_the_error_is_shown() -> None:
    world = pe.build()
    world.store.update(
        DocKey(WEBHOOK_EVENTS, pe.REFUND),
        {"last_error": "RuntimeError: boom\nTraceback (most recent call last):\n  ..."},
    )
    (refund,) = [e for e in timeline(world) if e["event_id"] == pe.REFUND]
    assert refund["summary"] == "Waiting to retry: RuntimeError: boom"


def test_events_of_other_tenants_and_payments_and_settled_ones_stay_out() -> None:
    world = pe.build()
    inbox = world.store.docs[(WEBHOOK_EVENTS, pe.SUCCEEDED)]
    for event_id, changes in {
        "evt_other_tenant": {"tenant_id": "t_2"},
        "evt_other_payment": {"ordering_key": "pi_2"},
        "evt_dead": {"status": "dead"},
        "evt_ignored": {"status": "ignored"},
    }.items():
        world.store.docs[(WEBHOOK_EVENTS, event_id)] = {**inbox, "id": event_id, **changes}
    assert [e["event_id"] for e in timeline(world)] == [pe.CREATED, pe.SUCCEEDED, pe.REFUND]


def test_a_waiting_event_takes_its_place_by_stripe_time() -> None:
    world = pe.build()
    world.at(se.T0 + 2.2)
    early = se.event(
        "charge.succeeded", se.charge(), created=se.T0 + 2, event_id="evt_charge_early"
    )
    world.deliver(early)
    assert [e["event_id"] for e in timeline(world)] == [
        pe.CREATED,
        "evt_charge_early",
        pe.SUCCEEDED,
        pe.REFUND,
    ]
