"""Webhook delivery to a real HTTP receiver: signatures, routing, retries, chaos."""

from __future__ import annotations

import json

import pytest
import requests
import stripe

from tests.support.waiting import eventually

from .conftest import make_client

PAY = {"amount": 1200, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}


def _endpoint(client, receiver, **params):
    return client.v1.webhook_endpoints.create(
        {"url": receiver.url, "enabled_events": ["*"], **params}
    )


def test_deliveries_are_signed_as_stripe_signs(client, receiver):
    endpoint = _endpoint(client, receiver)
    intent = client.v1.payment_intents.create(PAY)
    eventually(lambda: receiver.events_of_type("payment_intent.succeeded"))
    for delivery in receiver.received:
        event = stripe.Webhook.construct_event(
            delivery["body"], delivery["signature"], endpoint.secret
        )
        assert event.livemode is False and event.api_version
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(
            receiver.received[0]["body"], receiver.received[0]["signature"], "whsec_wrong"
        )
    succeeded = receiver.events_of_type("payment_intent.succeeded")[0]
    assert succeeded["data"]["object"]["id"] == intent.id
    assert succeeded["data"]["object"]["status"] == "succeeded"
    assert "account" not in succeeded


def test_enabled_events_filter_deliveries(client, receiver):
    _endpoint(client, receiver, enabled_events=["charge.succeeded"])
    client.v1.payment_intents.create(PAY)
    eventually(lambda: receiver.bodies())
    client.v1.customers.create({})
    eventually(lambda: client.v1.events.list({"delivery_success": True}).data)
    assert {b["type"] for b in receiver.bodies()} == {"charge.succeeded"}


def test_connect_endpoints_get_connected_account_events_only(client, receiver, account):
    platform = _endpoint(client, receiver)
    connect = _endpoint(client, receiver, connect=True)
    client.v1.customers.create({})
    client.v1.customers.create({}, {"stripe_account": account})
    eventually(lambda: len(receiver.bodies()) >= 2)
    by_account = {b.get("account"): b for b in receiver.bodies()}
    assert set(by_account) == {None, account}
    for delivery in receiver.received:
        body_account = json.loads(delivery["body"]).get("account")
        secret = connect.secret if body_account else platform.secret
        stripe.Webhook.construct_event(delivery["body"], delivery["signature"], secret)


def test_failed_deliveries_are_retried_with_backoff(client, receiver, helper):
    receiver.fail_first = 2
    _endpoint(client, receiver)
    customer = client.v1.customers.create({})
    event = client.v1.events.list().data[0]
    assert event.pending_webhooks == 1
    assert client.v1.events.list({"delivery_success": False}).data[0].id == event.id
    eventually(lambda: receiver.bodies(), timeout=5)
    attempts = helper("deliveries", method="GET")["data"]
    assert [a["status_code"] for a in attempts] == [500, 500, 200]
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert receiver.bodies()[0]["data"]["object"]["id"] == customer.id
    eventually(lambda: client.v1.events.retrieve(event.id).pending_webhooks == 0)
    assert client.v1.events.list({"delivery_success": True}).data[0].id == event.id


def test_unreachable_endpoint_is_retried_until_attempts_run_out(in_process_emulator):
    url = in_process_emulator(max_delivery_attempts=3)
    client = make_client(url)
    client.v1.webhook_endpoints.create(
        {"url": "http://127.0.0.1:9/nothing", "enabled_events": ["*"]}
    )
    client.v1.customers.create({})

    def attempts():
        found = requests.get(f"{url}/_emulator/deliveries", timeout=5).json()["data"]
        return found if len(found) == 3 else None

    assert all(a["status_code"] is None and a["error"] for a in eventually(attempts))
    assert client.v1.events.list({"delivery_success": False}).data


def test_startup_endpoints_from_configuration(in_process_emulator, receiver):
    url = in_process_emulator(
        webhook_url=receiver.url,
        webhook_secret="whsec_platform",
        connect_webhook_secret="whsec_connect",
    )
    client = make_client(url)
    account = client.v1.accounts.create({"type": "express"}).id
    requests.post(f"{url}/_emulator/accounts/{account}/complete_onboarding", timeout=5)
    client.v1.customers.create({})
    eventually(lambda: len(receiver.bodies()) >= 2)
    for delivery in receiver.received:
        connected = json.loads(delivery["body"]).get("account")
        secret = "whsec_connect" if connected else "whsec_platform"
        stripe.Webhook.construct_event(delivery["body"], delivery["signature"], secret)
    requests.post(f"{url}/_emulator/reset", timeout=5)
    assert len(client.v1.webhook_endpoints.list().data) == 2


def test_chaos_duplicates_and_reorders_but_delivers_everything(in_process_emulator, receiver):
    url = in_process_emulator(chaos=True)
    client = make_client(url)
    client.v1.webhook_endpoints.create({"url": receiver.url, "enabled_events": ["*"]})
    for _ in range(10):
        client.v1.customers.create({})
    order = [e.id for e in reversed(client.v1.events.list({"limit": 100}).data)]
    eventually(lambda: set(order) <= {b["id"] for b in receiver.bodies()}, timeout=10)
    eventually(
        lambda: requests.get(f"{url}/_emulator/deliveries", timeout=5).json()["pending"] == 0,
        timeout=10,
    )
    received = [b["id"] for b in receiver.bodies()]
    assert len(received) > len(order) or received != order
