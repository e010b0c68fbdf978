"""The dashboard's other pages and its guards, in the browser: what a viewer may not do (no
button, and 403 if the form is posted anyway), a user of two businesses switching between them
and seeing each one's data only, the webhook inbox's replay, the team, and the messages a
person gets when something is wrong."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import requests
from playwright.sync_api import Page, expect

import bootstrap
from auth.principal import Role
from identity.invitations import INVITATION_TTL
from identity.members import add_membership
from payments import refunds
from tests.browser.conftest import shoot
from tests.browser.stack import (
    DashboardStack,
    now,
    seed_dispute,
    seed_failed_event,
    seed_payment,
    seed_refund,
)
from tests.e2e.auth.helpers import (
    PASSWORD,
    latest_link,
    messages_to,
    seed_tenant,
    seed_user,
    service_context,
)

POST_FORM = """([url, fields]) => {
  const form = Object.assign(document.createElement("form"), {method: "post", action: url});
  for (const [name, value] of Object.entries(fields)) {
    form.append(Object.assign(document.createElement("input"), {type: "hidden", name, value}));
  }
  document.body.append(form);
  form.submit();
}"""


def log_in(page: Page, email: str) -> None:
    page.goto("/dashboard/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")


def test_a_viewer_sees_no_refund_button_and_gets_403_when_posting_the_form_anyway(
    page: Page, stack: DashboardStack
) -> None:
    tenant = seed_tenant("Juniper Books")
    payment_id = seed_payment(tenant.tenant_id, amount=3000, reference="order-7")

    log_in(page, tenant.users[Role.VIEWER].email)
    page.goto(f"/dashboard/payments/{payment_id}")
    page.keyboard.press("Tab")  # the keyboard starts at the skip link, then the navigation
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    expect(page.get_by_role("heading", name=re.compile(r"\$30\.00"))).to_be_visible()
    expect(page.get_by_text("Refund…")).to_have_count(0)
    expect(page.get_by_role("heading", name="Actions", exact=True)).to_have_count(0)
    shoot(page, "payment-viewer")

    csrf = page.locator('input[name="csrf_token"]').first.input_value()
    fields: dict[str, str | float | bool] = {
        "csrf_token": csrf,
        "amount": "10.00",
        "confirm": "yes",
    }
    refused = page.request.post(f"/dashboard/payments/{payment_id}/refund", form=fields)
    assert refused.status == 403
    page.evaluate(POST_FORM, [f"/dashboard/payments/{payment_id}/refund", fields])
    expect(page.get_by_role("heading", name="You don't have access to this")).to_be_visible()
    expect(
        page.get_by_text("Your role at Juniper Books (viewer) doesn't allow this")
    ).to_be_visible()
    shoot(page, "forbidden")
    listed = refunds.list_refunds(bootstrap.store(), tenant.tenant_id, {"payment_id": payment_id})
    assert listed["data"] == []  # nothing reached Stripe or the ledger

    # Viewers read the webhook inbox but have no API keys page (hidden and refused).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Developers").click()
    expect(page).to_have_url(re.compile(r"/dashboard/developers/webhooks"))
    expect(page.get_by_role("link", name="API keys")).to_have_count(0)
    assert page.request.get("/dashboard/developers/api-keys").status == 403

    # An admin of the same business gets the button.
    log_out(page)
    log_in(page, tenant.users[Role.ADMIN].email)
    page.goto(f"/dashboard/payments/{payment_id}")
    expect(page.get_by_text("Refund…")).to_be_visible()


def test_a_user_of_two_businesses_switches_and_sees_each_ones_data_only(
    page: Page, stack: DashboardStack
) -> None:
    first, second = seed_tenant("Juniper Books"), seed_tenant("Kestrel Cafe")
    owner = first.users[Role.OWNER]
    ctx = service_context()
    add_membership(
        ctx.store, tenant_id=second.tenant_id, user_id=owner.user_id, role="admin", now=ctx.now()
    )
    for older in range(25):  # a second page of payments for the first business
        seed_payment(first.tenant_id, reference=f"bulk-{older}", created=now() - 60 * (older + 1))
    seed_payment(first.tenant_id, reference="juniper-1")
    cafe_payment = seed_payment(second.tenant_id, amount=1200, reference="kestrel-1")
    seed_dispute(second.tenant_id, cafe_payment, amount=1200)
    seed_refund(second.tenant_id, cafe_payment, amount=300)
    event_id = seed_failed_event(second.tenant_id, "acct_seed")

    log_in(page, owner.email)
    page.goto("/dashboard/payments")
    expect(page.get_by_role("row").filter(has_text="juniper-1")).to_have_count(1)
    expect(page.get_by_role("row")).to_have_count(26)  # the header and a page of 25
    page.get_by_role("link", name="Older").click()
    expect(page.get_by_role("row")).to_have_count(2)
    expect(page.get_by_role("row").nth(1)).to_contain_text("bulk-24")
    page.get_by_role("link", name="Newest").click()
    expect(page.get_by_role("row").nth(1)).to_contain_text("juniper-1")
    expect(page.get_by_text("kestrel-1")).to_have_count(0)
    page.get_by_label("Switch business").select_option(label="Kestrel Cafe (admin)")
    expect(page.get_by_role("status")).to_have_text("Switched business.")
    expect(page.locator(".tenant-name")).to_have_text("Kestrel Cafe")
    page.goto("/dashboard/payments")
    expect(page.get_by_role("row").filter(has_text="kestrel-1")).to_have_count(1)
    expect(page.get_by_text("juniper-1")).to_have_count(0)

    # Disputes and refunds of this business; a dispute links to its payment.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Disputes").click()
    dispute = page.get_by_role("row").filter(has_text="$12.00")
    expect(dispute).to_contain_text("Needs response")
    expect(dispute).to_contain_text("Fraudulent")
    shoot(page, "disputes")
    dispute.get_by_role("link", name=cafe_payment).click()
    expect(page).to_have_url(re.compile(f"/dashboard/payments/{cafe_payment}$"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Refunds").click()
    expect(page.get_by_role("row").filter(has_text="$3.00")).to_contain_text("Succeeded")

    # The webhook inbox: the failed event with its error; an admin replays it.
    page.goto("/dashboard/developers/webhooks")
    failed = page.get_by_role("row").filter(has_text=event_id)
    expect(failed).to_contain_text("the ledger rejected the event")
    shoot(page, "webhooks")
    failed.get_by_role("button", name="Replay").click()
    expect(page.get_by_role("status")).to_have_text("The event was applied again.")
    expect(page.get_by_role("heading", name="No failed events")).to_be_visible()
    page.get_by_role("link", name="All").click()
    expect(page.get_by_role("row").filter(has_text=event_id)).to_contain_text("Processed")

    # The team: members with roles; an admin invites by email.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    expect(page.get_by_role("row").filter(has_text="(you)")).to_contain_text("Admin")
    invitee = f"new-{uuid.uuid4().hex[:6]}@example.test"
    page.get_by_label("Email").fill(invitee)
    page.get_by_label("Role", exact=True).select_option("developer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_have_text("Invitation sent.")
    expect(page.get_by_role("region", name="Pending invitations")).to_contain_text(invitee)
    assert messages_to(stack.mail_url, invitee), "the invitation email was not sent"
    shoot(page, "team")
    pending = page.get_by_role("region", name="Pending invitations")
    pending.get_by_role("button", name=f"Resend the invitation to {invitee}").click()
    expect(page.get_by_role("status")).to_contain_text("A new invitation link was sent")
    assert len(messages_to(stack.mail_url, invitee)) == 2
    pending.get_by_role("button", name=f"Withdraw the invitation to {invitee}").click()
    expect(page.get_by_role("status")).to_have_text(
        "Invitation withdrawn. Its link no longer works."
    )
    expect(pending).to_contain_text("No invitations waiting")

    # Back to the first business: the cafe's payment is not found there.
    page.get_by_label("Switch business").select_option(label="Juniper Books (owner)")
    expect(page.locator(".tenant-name")).to_have_text("Juniper Books")
    page.goto(f"/dashboard/payments/{cafe_payment}")
    expect(page.get_by_role("heading", name="We couldn't find that")).to_be_visible()


def test_mistakes_get_clear_messages_and_the_email_link_verifies(
    page: Page, stack: DashboardStack
) -> None:
    page.goto("/dashboard/login")
    page.get_by_label("Email").fill("nobody@example.test")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("The email or password is wrong")

    email = f"late-{uuid.uuid4().hex[:6]}@example.test"
    page.goto("/dashboard/signup")
    page.get_by_label("Business name").fill("Late Owl Records")
    page.get_by_label("Work email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("link", name="Log in and do this later").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Verify your email address to take payments")).to_be_visible()
    expect(page.get_by_role("heading", name="No payments yet")).to_be_visible()
    shoot(page, "home-unverified")
    page.goto("/dashboard/developers/api-keys")
    expect(page.get_by_text("Verify your email address first")).to_be_visible()

    page.goto(latest_link(stack.mail_url, email).replace("http://127.0.0.1:8080", stack.url))
    expect(page.get_by_role("heading", name="Your email is verified")).to_be_visible()
    page.goto("/verify-email?token=usr_x.not-a-token")
    expect(page.get_by_role("heading", name="This link doesn't work")).to_be_visible()

    page.goto("/dashboard")
    expect(page.get_by_text("Verify your email address to take payments")).to_have_count(0)
    log_out(page)
    page.goto("/dashboard/payments")
    expect(page).to_have_url(re.compile(r"/dashboard/login\?next=%2Fdashboard%2Fpayments$"))
    page.context.clear_cookies()  # a form whose page was loaded elsewhere, or forged
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("This form has expired")).to_be_visible()


def invite(stack: DashboardStack, admin_key: str, email: str, role: str) -> str:
    """An invitation sent through the API; its emailed link, on this stack."""
    sent = requests.post(
        f"{stack.url}/api/v1/members",
        json={"email": email, "role": role},
        headers={"Authorization": f"Bearer {admin_key}"},
        timeout=10,
    )
    assert sent.status_code == 201, sent.text
    return latest_link(stack.mail_url, email).replace("http://127.0.0.1:8080", stack.url)


def test_an_invited_person_joins_as_someone_new_or_logs_in_to_accept(
    page: Page, stack: DashboardStack
) -> None:
    """Issue 15, item 1: someone new could never join (sign-up made a business of their own,
    and the verification's redirect broke the invitation's token)."""
    kettle = seed_tenant("Copper Kettle")
    inviter = kettle.users[Role.OWNER].email  # who made the admin key it was sent with
    newcomer = f"new-{uuid.uuid4().hex[:6]}@example.test"

    page.goto(invite(stack, kettle.keys[Role.ADMIN], newcomer, "developer"))
    expect(page.get_by_role("heading", name="Join Copper Kettle")).to_be_visible()
    expect(page.locator(".panel")).to_contain_text(
        f"{inviter} invited {newcomer} to join Copper Kettle as developer"
    )
    until = (datetime.now(UTC) + INVITATION_TTL).strftime("%b %-d, %Y")
    expect(page.get_by_test_id("invitation-expiry")).to_have_text(
        f"This invitation works until {until}."
    )
    shoot(page, "invitation-join")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    expect(page).to_have_url(re.compile(r"/dashboard\?notice=joined$"))
    expect(page.get_by_role("status")).to_have_text("You joined the team.")
    expect(page.locator(".tenant-name")).to_have_text("Copper Kettle")
    expect(page.get_by_label("Switch business")).to_have_count(0)  # no business of their own
    log_out(page)

    # Someone with an account logs in from the invitation, and comes back to accept it.
    regular = seed_user(service_context(), seed_tenant("Other Cafe").tenant_id, Role.OWNER)
    page.goto(invite(stack, kettle.keys[Role.ADMIN], regular.email, "viewer"))
    page.get_by_role("link", name="Log in to accept").click()
    expect(page.get_by_label("Email")).to_have_value(regular.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/invitations/accept\?token="))
    page.get_by_role("button", name="Accept invitation").click()
    expect(page.get_by_role("status")).to_have_text("You joined the team.")
    expect(page.locator(".tenant-name")).to_have_text("Copper Kettle")

    page.goto("/invitations/accept?token=not-an-invitation")
    expect(page.get_by_role("heading", name="This invitation doesn't work")).to_be_visible()
