"""Customers, events with their list filters, webhook endpoints, balance transactions."""

from __future__ import annotations

import time

import pytest
import stripe


def test_customer_crud(client):
    customer = client.v1.customers.create(
        {"email": "a@example.com", "name": "Ann", "metadata": {"tenant": "t1"}}
    )
    assert customer.id.startswith("cus_") and customer.metadata["tenant"] == "t1"
    updated = client.v1.customers.update(customer.id, {"name": "Anne", "metadata": {"tenant": ""}})
    assert updated.name == "Anne" and "tenant" not in updated.metadata
    assert client.v1.customers.retrieve(customer.id).name == "Anne"
    assert [c.id for c in client.v1.customers.list({"email": "a@example.com"}).data] == [
        customer.id
    ]
    assert client.v1.customers.delete(customer.id).deleted
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.retrieve(customer.id)
    types = [e.type for e in client.v1.events.list().data]
    assert types == ["customer.deleted", "customer.updated", "customer.created"]


def test_event_filters(client):
    client.v1.customers.create({})
    intent = client.v1.payment_intents.create(
        {"amount": 900, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    succeeded = client.v1.events.list({"type": "payment_intent.succeeded"}).data
    assert len(succeeded) == 1 and succeeded[0].data.object.id == intent.id
    assert succeeded[0].api_version and succeeded[0].livemode is False
    several = client.v1.events.list({"types": ["customer.created", "charge.succeeded"]}).data
    assert {e.type for e in several} == {"customer.created", "charge.succeeded"}
    assert {e.type for e in client.v1.events.list({"type": "payment_intent.*"}).data} == {
        "payment_intent.created",
        "payment_intent.succeeded",
    }
    now = int(time.time())
    assert len(client.v1.events.list({"created": {"gte": now - 60}}).data) == 4
    assert client.v1.events.list({"created": {"lte": now - 60}}).data == []
    assert len(client.v1.events.list({"delivery_success": True}).data) == 4
    assert client.v1.events.retrieve(succeeded[0].id).type == "payment_intent.succeeded"


def test_webhook_endpoint_crud(client):
    created = client.v1.webhook_endpoints.create(
        {
            "url": "https://shop.test/hooks",
            "enabled_events": ["charge.succeeded"],
            "connect": True,
            "description": "main",
        }
    )
    assert created.secret.startswith("whsec_") and created.status == "enabled"
    assert created.enabled_events == ["charge.succeeded"]
    fetched = client.v1.webhook_endpoints.retrieve(created.id)
    assert "secret" not in fetched
    updated = client.v1.webhook_endpoints.update(
        created.id, {"enabled_events": ["*"], "disabled": True}
    )
    assert updated.enabled_events == ["*"] and updated.status == "disabled"
    assert [e.id for e in client.v1.webhook_endpoints.list().data] == [created.id]
    assert client.v1.webhook_endpoints.delete(created.id).deleted
    assert client.v1.webhook_endpoints.list().data == []


def test_balance_transactions_list_by_type(client):
    intent = client.v1.payment_intents.create(
        {"amount": 900, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}
    )
    client.v1.refunds.create({"payment_intent": intent.id, "amount": 100})
    charges = client.v1.balance_transactions.list({"type": "charge"}).data
    refunds = client.v1.balance_transactions.list({"type": "refund"}).data
    assert [t.amount for t in charges] == [900] and [t.amount for t in refunds] == [-100]
