"""Webhook lag: each inbox record's delivery (Stripe's `created` → received) and apply (received
→ applied) seconds, the page's p50/p99, and both in `GET /api/v1/webhook-events` as
documented."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import flask
import pytest
import yaml
from openapi_schema_validator import OAS31Validator

import bootstrap
import functions._auth
from auth.principal import Principal, Role
from functions import webhooks
from functions.discovery import OPENAPI_FILE
from payments.webhooks import operations
from payments.webhooks.lag import event_lag, lag_summary
from tests.support import pending_events as pe

RECEIVED = datetime(2026, 12, 2, 12, 0, 0, 456_700, tzinfo=UTC)
RECORD = {
    "created": int(RECEIVED.timestamp()) - 2,
    "received_at": RECEIVED,
    "processed_at": RECEIVED + timedelta(seconds=1, microseconds=250_000),
}


def test_a_record_has_its_delivery_and_apply_seconds_to_the_millisecond() -> None:
    assert event_lag(RECORD) == {"delivery_s": 2.457, "apply_s": 1.25}


def test_an_event_not_applied_yet_has_no_apply_lag() -> None:
    assert event_lag({**RECORD, "processed_at": None}) == {"delivery_s": 2.457, "apply_s": None}
    assert event_lag({"created": None, "received_at": None}) == {
        "delivery_s": None,
        "apply_s": None,
    }


def test_the_summary_takes_nearest_rank_percentiles_over_the_events_with_the_figure() -> None:
    lags: list[dict[str, float | None]] = [
        {"delivery_s": float(n), "apply_s": None if n % 2 else n / 10} for n in range(1, 101)
    ]
    assert lag_summary(lags) == {
        "events": 100,
        "delivery_p50_s": 50.0,
        "delivery_p99_s": 99.0,
        "apply_p50_s": 5.0,  # the 25th of the 50 even n: 50 / 10
        "apply_p99_s": 10.0,  # the 50th: 100 / 10
    }
    few = [{"delivery_s": 3.0, "apply_s": None}, {"delivery_s": 0.2, "apply_s": None}]
    assert lag_summary(few) == {
        "events": 2,
        "delivery_p50_s": 0.2,
        "delivery_p99_s": 3.0,
        "apply_p50_s": None,
        "apply_p99_s": None,
    }
    assert lag_summary([])["delivery_p50_s"] is None


def test_the_inbox_lists_each_events_lag() -> None:
    world = pe.build()
    listed = operations.list_events(world.deps, tenant_id=pe.TENANT, status=None)
    assert {event["id"]: event["lag"] for event in listed} == {
        pe.CREATED: {"delivery_s": 0.4, "apply_s": 0.3},
        pe.SUCCEEDED: {"delivery_s": 1.5, "apply_s": None},
        pe.REFUND: {"delivery_s": 0.2, "apply_s": None},
    }
    world.at(pe.SUCCEEDED_AT + 3.5)
    world.apply(pe.SUCCEEDED)
    processed = operations.list_events(world.deps, tenant_id=pe.TENANT, status="processed")
    assert {event["id"]: event["lag"] for event in processed} == {
        pe.SUCCEEDED: {"delivery_s": 1.5, "apply_s": 2.0},
        pe.CREATED: {"delivery_s": 0.4, "apply_s": 0.3},
    }


@pytest.fixture
def list_response_schema() -> Any:
    spec = yaml.safe_load(OPENAPI_FILE.read_text())
    operation = spec["paths"]["/api/v1/webhook-events"]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return OAS31Validator({**schema, "components": spec["components"]})


def test_the_list_answers_the_pages_lag_as_documented(
    monkeypatch: pytest.MonkeyPatch, list_response_schema: Any
) -> None:
    world = pe.build()
    admin = Principal(pe.TENANT, Role.ADMIN, None, "key_1", True, via="api_key")
    monkeypatch.setattr(bootstrap, "webhook_deps", lambda: world.deps)
    monkeypatch.setattr(functions._auth, "require", lambda request, permission: admin)
    with flask.Flask(__name__).test_request_context("/api/v1/webhook-events"):
        response = webhooks.list_events(flask.request)
    body = json.loads(response.get_data(as_text=True))
    assert [error.message for error in list_response_schema.iter_errors(body)] == []
    assert body["lag"] == {
        "events": 3,
        "delivery_p50_s": 0.4,  # of 0.2, 0.4, 1.5
        "delivery_p99_s": 1.5,
        "apply_p50_s": 0.3,  # only evt_created is applied
        "apply_p99_s": 0.3,
    }
    assert list(list_response_schema.iter_errors({**body, "lag": {"events": 3}}))
