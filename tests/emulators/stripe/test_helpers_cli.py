"""The `/_emulator` helpers, `stripe trigger`-style flows, the ACH timer, and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.waiting import eventually

from .conftest import REPO_ROOT, make_client

TRIGGERS = {
    "payment_intent.succeeded": {
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
    },
    "payment_intent.payment_failed": {
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
    },
    "payment_intent.canceled": {"payment_intent.created", "payment_intent.canceled"},
    "payment_intent.amount_capturable_updated": {
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
    },
    "payment_intent.processing": {
        "payment_intent.created",
        "charge.pending",
        "payment_intent.processing",
    },
    "charge.captured": {
        "payment_intent.created",
        "charge.succeeded",
        "charge.captured",
        "payment_intent.amount_capturable_updated",
        "payment_intent.succeeded",
    },
    "charge.refunded": {
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "refund.created",
        "charge.refunded",
    },
    "charge.dispute.closed": {
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.closed",
    },
    "checkout.session.completed": {
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    },
    "checkout.session.expired": {"checkout.session.expired"},
    "checkout.session.async_payment_failed": {
        "payment_intent.created",
        "charge.pending",
        "payment_intent.processing",
        "checkout.session.completed",
        "charge.failed",
        "payment_intent.payment_failed",
        "checkout.session.async_payment_failed",
    },
    "customer.deleted": {"customer.created", "customer.deleted"},
}


@pytest.mark.parametrize(("event_type", "expected"), TRIGGERS.items())
def test_trigger_runs_the_flow(helper, event_type, expected):
    created = helper("trigger", {"type": event_type})["events"]
    assert {e["type"] for e in created} == expected


def test_trigger_in_a_connected_account(client, helper, account):
    helper("trigger", {"type": "payment_intent.succeeded", "account": account})
    assert client.v1.payment_intents.list(options={"stripe_account": account}).data
    assert client.v1.payment_intents.list().data == []


def test_trigger_for_an_existing_object(client, helper):
    customer = client.v1.customers.create({})
    helper("trigger", {"type": "customer.updated", "object": customer.id})
    event = client.v1.events.list({"type": "customer.updated"}).data[0]
    assert event.data.object.id == customer.id
    helper("trigger", {"type": "charge.refunded", "object": customer.id}, expect=400)


def test_unknown_trigger_type_is_refused(helper):
    error = helper("trigger", {"type": "invoice.paid"}, expect=400)["error"]
    assert "Supported" in error["message"]
    assert "payment_intent.succeeded" in helper("trigger", method="GET")["types"]


def test_ach_settles_by_itself_after_the_delay(in_process_emulator):
    url = in_process_emulator(ach_delay=0.2)
    client = make_client(url)
    intent = client.v1.payment_intents.create(
        {
            "amount": 900,
            "currency": "usd",
            "allowed_payment_method_types": ["us_bank_account"],
            "payment_method": "pm_usBankAccount",
            "confirm": True,
        }
    )
    assert intent.status == "processing"
    eventually(lambda: client.v1.payment_intents.retrieve(intent.id).status == "succeeded")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "emulators.stripe", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_cli_trigger(stripe_emulator_url, client):
    result = _cli("trigger", "payment_intent.succeeded", "--url", stripe_emulator_url)
    assert result.returncode == 0, result.stderr
    types = {e["type"] for e in json.loads(result.stdout)["events"]}
    assert "payment_intent.succeeded" in types
    assert client.v1.payment_intents.list().data[0].status == "succeeded"


def test_cli_pay_and_deliveries(stripe_emulator_url, client):
    session = client.v1.checkout.sessions.create(
        {
            "mode": "payment",
            "success_url": "https://x.test",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": 500,
                        "product_data": {"name": "Pin"},
                    },
                }
            ],
        }
    )
    paid = _cli("pay", session.id, "--card", "4242424242424242", "--url", stripe_emulator_url)
    assert paid.returncode == 0, paid.stderr
    assert json.loads(paid.stdout)["session"]["status"] == "complete"
    listed = _cli("deliveries", "--url", stripe_emulator_url)
    assert json.loads(listed.stdout)["data"] == []
