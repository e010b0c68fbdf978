"""A new merchant's first day, in a real browser against the running stack: sign up, read the
code from the mail capture, verify, onboard through the Stripe emulator's hosted page, create
an API key, take a payment through the emulator's hosted checkout, see it, refund part of it
and see the refund in the payment's timeline."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import requests
from playwright.sync_api import Page, expect

from auth.passwords import MIN_LENGTH
from tests.browser.conftest import shoot
from tests.browser.stack import DashboardStack
from tests.e2e.auth.helpers import PASSWORD, latest_code


def reload_until(page: Page, ready: Callable[[], bool], what: str, attempts: int = 60) -> None:
    """Reload until the webhooks have landed (the emulator delivers them asynchronously)."""
    for _ in range(attempts):
        if ready():
            return
        page.wait_for_timeout(250)
        page.reload()
    raise AssertionError(f"timed out waiting for {what}: {page.inner_text('main')[:3000]}")


def checkout(stack: DashboardStack, key: str, reference: str, amount: int, **extra: str) -> str:
    """The shop's server creates a Checkout Session with the merchant's key: its page's URL."""
    created = requests.post(
        f"{stack.url}/api/v1/checkout-sessions",
        headers={"Authorization": f"Bearer {key}", "Idempotency-Key": uuid.uuid4().hex},
        json={
            "line_items": [
                {"name": "Large vase", "unit_amount": amount, "quantity": 1, "currency": "usd"}
            ],
            "customer_email": "jane@example.test",
            "client_reference_id": reference,
            "success_url": f"{stack.url}/dashboard/payments",
            "cancel_url": f"{stack.url}/dashboard",
            **extra,
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    return str(created.json()["url"])


def pay(page: Page, stack: DashboardStack, url: str, total: str) -> None:
    """The customer pays on the Stripe emulator's hosted checkout page, and is sent back."""
    page.goto(url)
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=f"Pay {total}").click()
    expect(page).to_have_url(f"{stack.url}/dashboard/payments")


def test_a_new_merchant_signs_up_onboards_takes_a_payment_and_refunds_part_of_it(
    page: Page, stack: DashboardStack
) -> None:
    email = f"merchant-{uuid.uuid4().hex[:8]}@example.test"

    # Signed out, the dashboard asks to log in; the login page leads to sign-up.
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/dashboard/login\?next=%2Fdashboard$"))
    shoot(page, "login")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_role("button", name="Create account").click()  # issue 15, item 8: all, plainly
    expect(page.locator("#business_name-error")).to_have_text("Enter your business name.")
    expect(page.locator("#email-error")).to_have_text("Enter your work email address.")
    expect(page.locator("#password-error")).to_have_text("Choose a password.")
    expect(page.get_by_label("Work email")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Business name").fill("Blue Fern Pottery")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_contain_text(f"at least {MIN_LENGTH} characters")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    shoot(page, "signup-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # Verify by the code the mail capture received; a wrong code first says so.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "We sent a 6-digit code to your email. It may take a minute to arrive."
    )
    expect(page.get_by_text(email)).to_be_visible()
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Verify email").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    shoot(page, "verify")
    page.get_by_label("6-digit code").fill(latest_code(stack.mail_url, email))
    page.get_by_role("button", name="Verify email").click()

    # A sign-up opens no session (that would tell who has an account): verified, log in.
    expect(page.get_by_role("status")).to_have_text("Your email address is verified.")
    expect(page.get_by_label("Email")).to_have_value(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))

    # Home: not onboarded yet; the owner goes to Stripe's hosted onboarding and comes back.
    expect(page.get_by_role("heading", name="Get ready to take payments")).to_be_visible()
    expect(page.get_by_role("heading", name="No payments yet")).to_be_visible()
    shoot(page, "home-new")
    page.get_by_role("button", name="Set up payouts with Stripe").click()
    expect(page).to_have_url(re.compile(re.escape(stack.stripe_url) + r"/connect/onboarding/"))
    page.get_by_role("button", name="Complete onboarding").click()
    expect(page).to_have_url(re.compile(r"/dashboard\?notice=onboarded$"))
    expect(page.get_by_text("Ready for payments")).to_be_visible()

    # Developers: an API key, shown once, with a copy button.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Developers").click()
    expect(page.get_by_role("heading", name="No API keys yet")).to_be_visible()
    page.get_by_label("Name").fill("Shop server")
    page.get_by_label("Role").select_option("developer")
    page.get_by_role("button", name="Create key").click()
    expect(page).to_have_url(re.compile(r"/dashboard/developers/api-keys\?notice=key_created$"))
    key = page.get_by_test_id("new-api-key").input_value()
    assert re.fullmatch(r"sk_test_[A-Za-z0-9]{48}", key)
    expect(page.get_by_role("button", name="Copy")).to_be_visible()
    shoot(page, "api-key-created")
    page.reload()  # post/redirect/get: a reload shows no key and creates none
    expect(page.get_by_test_id("new-api-key")).to_have_count(0)
    expect(page.get_by_test_id("key-already-shown")).to_be_visible()
    expect(page.get_by_role("cell", name="Shop server")).to_have_count(1)
    shoot(page, "api-key-shown-once")

    # The shop's server creates a Checkout Session with that key; the customer pays it on
    # the emulator's hosted checkout page and lands back on the shop's success URL.
    pay(page, stack, checkout(stack, key, "order-1042", 4800), "48.00 USD")

    # The merchant sees it, succeeded once Stripe's webhooks have landed.
    row = page.get_by_role("row").filter(has_text="order-1042")
    reload_until(page, lambda: row.get_by_text("Succeeded").count() == 1, "the payment")
    expect(row).to_contain_text("$48.00")
    expect(row).to_contain_text("jane@example.test")
    shoot(page, "payments")
    page.get_by_label("Customer email or order reference").fill("order-1042")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and the payment
    page.get_by_label("Customer email or order reference").fill("order-9999")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("heading", name="No payments match these filters")).to_be_visible()
    page.get_by_role("link", name="clear the filters").click()
    page.get_by_role("link", name="$48.00").first.click()

    # The payment: its timeline and transactions; refund $12.50 of it, confirmed first.
    expect(page.get_by_role("heading", name=re.compile(r"\$48\.00"))).to_be_visible()
    timeline = page.get_by_role("list").filter(has_text="checkout.session.completed")
    expect(timeline).to_contain_text("payment_intent.succeeded")
    expect(page.get_by_role("region", name="Transactions")).to_contain_text("Capture")
    page.get_by_text("Refund…").click()
    page.get_by_label(re.compile(r"Amount to refund")).fill("12.50")
    page.get_by_role("button", name="Review refund").click()
    expect(page.get_by_role("heading", name="Refund $12.50?")).to_be_visible()
    shoot(page, "refund-confirm")
    page.get_by_role("button", name="Refund $12.50").click()
    expect(page.get_by_role("status")).to_contain_text("Refund requested")
    reload_until(
        page,
        lambda: (
            page.get_by_text("charge.refunded").count() > 0
            and page.get_by_text("Partially refunded").count() > 0
        ),
        "the refund's webhooks",
    )
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Refund of $12.50")
    expect(page.get_by_role("region", name="Refunds")).to_contain_text("$12.50")
    expect(page.get_by_role("region", name="Transactions")).to_contain_text("-$12.50")
    shoot(page, "payment")

    # A second order is only authorized (manual capture): the merchant captures it.
    held = checkout(stack, key, "order-1043", 2600, capture_method="manual")
    pay(page, stack, held, "26.00 USD")
    row = page.get_by_role("row").filter(has_text="order-1043")
    reload_until(page, lambda: row.get_by_text("Requires capture").count() == 1, "the hold")
    row.get_by_role("link", name="$26.00").click()
    page.get_by_text("Capture…").click()
    page.get_by_role("button", name="Capture $26.00").click()
    expect(page.get_by_role("status")).to_contain_text("Capture requested")
    reload_until(page, lambda: page.get_by_text("Succeeded").count() > 0, "the capture")
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Capture of $26.00")

    # Home now has numbers and a chart bar for today; Refunds lists the refund.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    stats = page.get_by_role("definition")
    expect(stats.first).to_contain_text("$74.00")
    expect(page.locator("svg.chart rect.bar")).to_have_count(1)
    expect(page.get_by_text("100.0%")).to_be_visible()
    shoot(page, "home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Refunds").click()
    expect(page.get_by_role("row").filter(has_text="$12.50")).to_contain_text("Succeeded")
    shoot(page, "refunds")

    # A customer's card is declined on the hosted page and they leave: one payment for the
    # order, shown Failed with the reason, its timeline saying so.
    declined = checkout(stack, key, "order-1044", 1500)
    page.goto(declined)
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_role("button", name="Pay 15.00 USD").click()
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    page.goto("/dashboard/payments")
    row = page.get_by_role("row").filter(has_text="order-1044")
    reload_until(page, lambda: row.get_by_text("Failed").count() == 1, "the decline")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Card declined")
    row.get_by_role("link", name="$15.00").click()
    expect(page.get_by_text(re.compile(r"Payment failed"))).to_be_visible()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text(
        "payment_intent.payment_failed"
    )
    shoot(page, "payment-failed")

    # The key was used; revoked, it no longer works.
    page.goto("/dashboard/developers/api-keys")
    key_row = page.get_by_role("row").filter(has_text="Shop server")
    expect(key_row).not_to_contain_text("Never")
    key_row.get_by_text("Revoke…").click()
    key_row.get_by_role("button", name="Revoke Shop server").click()
    expect(page.get_by_role("status")).to_contain_text("The API key is revoked")
    expect(key_row).to_contain_text("Revoked")
    refused = requests.get(
        f"{stack.url}/api/v1/payments", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    assert refused.status_code == 401
