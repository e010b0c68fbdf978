"""The v1 protocol: auth, errors, unknown parameters, Connect scoping, idempotency, lists."""

from __future__ import annotations

import pytest
import requests
import stripe

from .conftest import API_KEY, make_client

CARD = {"amount": 2000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True}


def test_bearer_and_basic_auth_are_accepted(stripe_emulator_url):
    bearer = requests.get(
        f"{stripe_emulator_url}/v1/customers",
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=5,
    )
    basic = requests.get(f"{stripe_emulator_url}/v1/customers", auth=(API_KEY, ""), timeout=5)
    assert bearer.status_code == basic.status_code == 200
    assert bearer.json()["object"] == "list"


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer sk_live_nope"}, {"Authorization": "Token sk_test_x"}]
)
def test_other_credentials_get_401_in_stripes_shape(stripe_emulator_url, headers):
    response = requests.get(f"{stripe_emulator_url}/v1/customers", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_the_library_raises_authentication_error(stripe_emulator_url):
    with pytest.raises(stripe.AuthenticationError):
        make_client(stripe_emulator_url, "rk_live_x").v1.customers.list()


def test_unknown_parameters_are_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.create({"amount": 100, "currency": "usd", "colour": "red"})
    assert caught.value.http_status == 400
    assert caught.value.code == "parameter_unknown"
    assert caught.value.param == "colour"


def test_unknown_nested_parameters_are_rejected(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.checkout.sessions.create(
            {
                "mode": "payment",
                "success_url": "https://x.test/ok",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "usd",
                            "unit_amount": 100,
                            "product_data": {"name": "A"},
                            "flavour": "x",
                        },
                    }
                ],
            }
        )
    assert caught.value.param == "line_items[0][price_data][flavour]"


def test_unknown_url_is_a_stripe_404(stripe_emulator_url):
    response = requests.get(f"{stripe_emulator_url}/v1/nope", auth=(API_KEY, ""), timeout=5)
    assert response.status_code == 404
    assert "Unrecognized request URL" in response.json()["error"]["message"]


def test_missing_object_is_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.payment_intents.retrieve("pi_missing")
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"


def test_connected_account_objects_are_invisible_elsewhere(client, account):
    theirs = client.v1.payment_intents.create(CARD, {"stripe_account": account})
    other = client.v1.accounts.create({"type": "express"}).id
    assert client.v1.payment_intents.retrieve(theirs.id, options={"stripe_account": account})
    for options in ({}, {"stripe_account": other}):
        with pytest.raises(stripe.InvalidRequestError):
            client.v1.payment_intents.retrieve(theirs.id, options=options)
        assert client.v1.payment_intents.list(options=options).data == []


def test_unknown_account_is_a_permission_error(client):
    with pytest.raises(stripe.PermissionError) as caught:
        client.v1.customers.list(options={"stripe_account": "acct_unknown"})
    assert caught.value.http_status == 403


def test_idempotent_replay_returns_the_first_response(stripe_emulator_url, client):
    headers = {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "key-1"}
    body = {"amount": "1500", "currency": "usd"}
    first = requests.post(
        f"{stripe_emulator_url}/v1/payment_intents", data=body, headers=headers, timeout=5
    )
    second = requests.post(
        f"{stripe_emulator_url}/v1/payment_intents", data=body, headers=headers, timeout=5
    )
    assert first.json() == second.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(client.v1.payment_intents.list().data) == 1


def test_idempotency_through_the_library(client):
    options = {"idempotency_key": "same"}
    first = client.v1.customers.create({"email": "a@example.com"}, options)
    again = client.v1.customers.create({"email": "a@example.com"}, options)
    assert first.id == again.id
    with pytest.raises(stripe.IdempotencyError) as caught:
        client.v1.customers.create({"email": "b@example.com"}, options)
    assert caught.value.http_status == 400
    assert caught.value.error is not None
    assert caught.value.error.type == "idempotency_error"


def test_idempotency_keys_are_scoped_per_account_and_api_key(stripe_emulator_url, client, account):
    platform = client.v1.customers.create({}, {"idempotency_key": "shared"})
    connected = client.v1.customers.create(
        {}, {"idempotency_key": "shared", "stripe_account": account}
    )
    other_client = make_client(stripe_emulator_url, "sk_test_other")
    other_key = other_client.v1.customers.create({}, {"idempotency_key": "shared"})
    assert len({platform.id, connected.id, other_key.id}) == 3


def test_errors_are_replayed_too(client):
    options = {"idempotency_key": "declined"}
    declined = {**CARD, "payment_method": "pm_card_chargeDeclined"}
    for _ in range(2):
        with pytest.raises(stripe.CardError):
            client.v1.payment_intents.create(declined, options)
    assert len(client.v1.payment_intents.list().data) == 1


def test_pagination_follows_stripe(client):
    ids = [client.v1.customers.create({"email": f"{i}@example.com"}).id for i in range(5)]
    newest_first = list(reversed(ids))
    page = client.v1.customers.list({"limit": 2})
    assert [c.id for c in page.data] == newest_first[:2] and page.has_more
    page = client.v1.customers.list({"limit": 2, "starting_after": page.data[-1].id})
    assert [c.id for c in page.data] == newest_first[2:4] and page.has_more
    page = client.v1.customers.list({"limit": 2, "starting_after": page.data[-1].id})
    assert [c.id for c in page.data] == newest_first[4:] and not page.has_more
    before = client.v1.customers.list({"limit": 2, "ending_before": newest_first[3]})
    assert [c.id for c in before.data] == newest_first[1:3] and before.has_more
    everything = [c.id for c in client.v1.customers.list({"limit": 2}).auto_paging_iter()]
    assert everything == newest_first


def test_expand_latest_charge_payment_intent_and_charges(client):
    intent = client.v1.payment_intents.create(CARD)
    expanded = client.v1.payment_intents.retrieve(
        intent.id, {"expand": ["latest_charge", "charges"]}
    )
    assert expanded.latest_charge.object == "charge"
    assert expanded.latest_charge.payment_intent == intent.id
    assert [c.id for c in expanded.charges.data] == [expanded.latest_charge.id]
    charge = client.v1.charges.retrieve(expanded.latest_charge.id, {"expand": ["payment_intent"]})
    assert charge.payment_intent.id == intent.id
    listed = client.v1.payment_intents.list({"expand": ["data.latest_charge"]})
    assert listed.data[0].latest_charge.id == charge.id


def test_expanding_an_unknown_field_fails(client):
    intent = client.v1.payment_intents.create(CARD)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.retrieve(intent.id, {"expand": ["nonsense"]})
