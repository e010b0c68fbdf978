"""A failed payment in the API: `status: failed`, Stripe's `failure` and raw intent status,
the `?status=failed` filter, and cancel still allowed. The documents are written by hand
with the fields the reducer gives every payment (see payment_queries' docstring)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from openapi_schema_validator import OAS31Validator

from core.errors import ValidationError
from functions.discovery import OPENAPI_FILE
from ledger.memory import MemoryStore
from payments import payment_actions, payment_queries
from payments.commands import CancelPayment
from tests.support.fakes import (
    BANK_CLOSED,
    DECLINED,
    FakeStripeGateway,
    add_failed_payment,
    add_payment,
)
from tests.unit.test_firestore_indexes import RecordingStore, declared, needs_composite, served

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
TENANT = "t_1"


def world() -> MemoryStore:
    store = MemoryStore()
    add_payment(store, "pi_ok", created=101)
    add_failed_payment(store, "pi_declined", DECLINED, created=102)
    add_failed_payment(store, "pi_bank", BANK_CLOSED, created=103)
    add_failed_payment(store, "pi_other", DECLINED, tenant_id="t_2", created=104)
    return store


@pytest.fixture(scope="module")
def payment_schema() -> Any:
    """The documented `Payment`, as an OpenAPI 3.1 schema validator."""
    spec = yaml.safe_load(OPENAPI_FILE.read_text())
    return OAS31Validator(
        {"$ref": "#/components/schemas/Payment", "components": spec["components"]}
    )


def test_a_failed_payment_shows_its_failure_and_stripes_own_status() -> None:
    view = payment_queries.get_payment(world(), TENANT, "pi_declined")
    assert view["status"] == "failed"
    assert view["payment_intent_status"] == "requires_payment_method"
    assert view["failure"] == DECLINED


def test_a_succeeded_payment_has_no_failure() -> None:
    view = payment_queries.get_payment(world(), TENANT, "pi_ok")
    assert (view["status"], view["payment_intent_status"], view["failure"]) == (
        "succeeded",
        "succeeded",
        None,
    )


def test_the_failure_always_has_the_same_four_keys() -> None:
    store = world()
    add_failed_payment(
        store, "pi_3ds", {"code": "payment_intent_authentication_failure", "extra": 1}
    )
    assert payment_queries.get_payment(store, TENANT, "pi_3ds")["failure"] == {
        "code": "payment_intent_authentication_failure",
        "decline_code": None,
        "message": None,
        "charge_id": None,
    }


def test_the_intent_status_is_null_until_the_intent_is_known() -> None:
    store = world()
    add_payment(
        store,
        "cs_open",
        status="requires_payment_method",
        payment_intent_id=None,
        payment_intent_status=None,
        amount_captured=0,
    )
    assert payment_queries.get_payment(store, TENANT, "cs_open")["payment_intent_status"] is None


def test_a_document_older_than_the_field_reads_the_intent_status_from_its_sources() -> None:
    store = world()
    intent = {"key": [1, 2], "event_id": "evt_1", "state": {"status": "requires_capture"}}
    add_payment(store, "pi_old", sources={"payment_intent": {"pi_old": intent}})
    del store.docs[("payments", "pi_old")]["payment_intent_status"]
    del store.docs[("payments", "pi_old")]["failure"]
    view = payment_queries.get_payment(store, TENANT, "pi_old")
    assert (view["payment_intent_status"], view["failure"]) == ("requires_capture", None)


def test_status_failed_filters_the_tenants_failed_payments() -> None:
    assert "failed" in payment_queries.STATUSES
    listed = payment_queries.list_payments(world(), TENANT, {"status": "failed"})
    assert [row["id"] for row in listed["data"]] == ["pi_bank", "pi_declined"]
    assert {row["status"] for row in listed["data"]} == {"failed"}
    assert listed["data"][0]["failure"] == BANK_CLOSED
    everything = payment_queries.list_payments(world(), TENANT, {})
    assert [row["id"] for row in everything["data"]] == ["pi_bank", "pi_declined", "pi_ok"]
    with pytest.raises(ValidationError) as refused:
        payment_queries.list_payments(world(), TENANT, {"status": "declined"})
    assert refused.value.param == "status"


def test_the_failed_filter_is_served_by_an_index() -> None:
    store = RecordingStore()
    payment_queries.list_payments(store, TENANT, {"status": "failed"})
    payment_queries.list_payments(store, TENANT, {"status": "failed", "created_gte": "1"})
    composite = [query for query in store.queries if needs_composite(query)]
    assert len(composite) == 2
    assert [query for query in composite if not served(query, declared())] == []


def test_views_match_the_documented_payment_schema(payment_schema: Any) -> None:
    store = world()
    for payment_id in ("pi_ok", "pi_declined", "pi_bank"):
        view = payment_queries.get_payment(store, TENANT, payment_id)
        assert [error.message for error in payment_schema.iter_errors(view)] == []
    bad = {**payment_queries.get_payment(store, TENANT, "pi_declined"), "failure": {"code": 1}}
    assert list(payment_schema.iter_errors(bad))  # the schema does check the failure


def test_a_failed_payment_can_still_be_canceled() -> None:
    store, stripe = world(), FakeStripeGateway()
    result = payment_actions.cancel_payment(
        CancelPayment(TENANT, "pi_declined"), store, stripe, idempotency_key="k", now=NOW
    )
    assert stripe.names() == ["cancel"]
    assert result["payment"]["failure"] == DECLINED  # the webhook moves it on, not the API
