"""Connect Express accounts, hosted onboarding and login links."""

from __future__ import annotations

import re

import pytest
import requests
import stripe


def test_new_accounts_start_unfinished(client):
    account = client.v1.accounts.create(
        {
            "type": "express",
            "country": "US",
            "email": "shop@example.com",
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
        }
    )
    assert account.id.startswith("acct_") and account.type == "express"
    assert not account.charges_enabled and not account.payouts_enabled
    assert not account.details_submitted
    assert account.requirements.currently_due
    assert account.capabilities.card_payments == "inactive"


def test_retrieve_update_list_delete(client):
    account = client.v1.accounts.create({"type": "express"})
    updated = client.v1.accounts.update(
        account.id, {"metadata": {"tenant": "t1"}, "email": "new@example.com"}
    )
    assert updated.metadata["tenant"] == "t1" and updated.email == "new@example.com"
    assert client.v1.accounts.retrieve(account.id).email == "new@example.com"
    assert [a.id for a in client.v1.accounts.list().data] == [account.id]
    deleted = client.v1.accounts.delete(account.id)
    assert deleted.deleted
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.retrieve(account.id)


def test_hosted_onboarding_page_finishes_the_account(client, stripe_emulator_url):
    account = client.v1.accounts.create({"type": "express"})
    link = client.v1.account_links.create(
        {
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "https://shop.test/refresh",
            "return_url": "https://shop.test/return",
        }
    )
    assert link.url.startswith(stripe_emulator_url)
    page = requests.get(link.url, timeout=5)
    assert page.status_code == 200
    assert "Complete onboarding" in page.text and account.id in page.text
    assert 'name="viewport"' in page.text and '<label for="business_name">' in page.text
    action = re.search(r'action="([^"]+)"', page.text)
    assert action is not None
    submitted = requests.post(
        stripe_emulator_url + action.group(1), allow_redirects=False, timeout=5
    )
    assert submitted.status_code == 303
    assert submitted.headers["Location"] == "https://shop.test/return"
    finished = client.v1.accounts.retrieve(account.id)
    assert finished.charges_enabled and finished.payouts_enabled and finished.details_submitted
    assert finished.requirements.currently_due == []
    assert client.v1.events.list({"type": "account.updated"}).data == []
    events = client.v1.events.list({"type": "account.updated"}, {"stripe_account": account.id}).data
    assert events[0].account == account.id
    assert events[0].data.previous_attributes["charges_enabled"] is False


def test_login_link_needs_finished_onboarding(client, helper, stripe_emulator_url):
    account = client.v1.accounts.create({"type": "express"})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.accounts.login_links.create(account.id)
    helper(f"accounts/{account.id}/complete_onboarding")
    link = client.v1.accounts.login_links.create(account.id)
    page = requests.get(link.url, timeout=5)
    assert link.url.startswith(stripe_emulator_url) and page.status_code == 200
    assert account.id in page.text


def test_account_link_for_unknown_account_fails(client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.account_links.create(
            {
                "account": "acct_nope",
                "type": "account_onboarding",
                "refresh_url": "https://x.test",
                "return_url": "https://x.test",
            }
        )
    assert caught.value.code == "resource_missing"
