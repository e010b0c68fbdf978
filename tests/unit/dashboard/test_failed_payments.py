"""A failed payment on the dashboard: the list (and its Failed filter) shows the label and the
reason, the payment page the reason up top and Stripe's details. The pages render from the
views with a fake store and a signed-in owner; the documents are written by hand."""

from __future__ import annotations

import html
import re
from typing import Any

import flask
import pytest

import bootstrap
from auth.principal import Principal, Role
from functions.dashboard import payment_views
from functions.dashboard._session import Shell
from ledger.memory import MemoryStore
from tests.support.fakes import BANK_CLOSED, DECLINED, add_failed_payment, add_payment

TENANT = "t_1"
SHELL = Shell(
    principal=Principal(TENANT, Role.OWNER, "u_1", None, True, via="session"),
    email="owner@shop.example",
    tenant_name="Shop",
    memberships=[],
    csrf_token="csrf",
)


def payment(store: MemoryStore, payment_id: str, created: int) -> None:
    add_payment(store, payment_id, created=created, amount=4800, amount_captured=4800)


def failed(store: MemoryStore, payment_id: str, created: int, failure: dict[str, Any]) -> None:
    add_failed_payment(store, payment_id, failure, created=created, amount=4800)


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    fake = MemoryStore()
    payment(fake, "pi_ok", 1_700_000_001)
    failed(fake, "pi_declined", 1_700_000_002, DECLINED)
    failed(fake, "pi_bank", 1_700_000_003, BANK_CLOSED)
    monkeypatch.setattr(bootstrap, "store", lambda: fake)
    monkeypatch.setattr(payment_views, "signed_in", lambda request, permission=None: SHELL)
    return fake


def page(url: str, payment_id: str | None = None) -> str:
    with flask.Flask(__name__).test_request_context(url) as ctx:
        if payment_id is None:
            response = payment_views.payments_page(ctx.request)
        else:
            response = payment_views.payment_page(ctx.request, payment_id=payment_id)
    assert response.status_code == 200, response.get_data(as_text=True)
    return html.unescape(response.get_data(as_text=True))


def status_cells(body: str) -> list[str]:
    """The text of each row's Status cell (the second cell)."""
    rows = re.findall(r"<tr>\s*<td.*?</td>\s*<td>(.*?)</td>", body, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in rows]


@pytest.mark.usefixtures("store")
def test_the_list_labels_failed_payments_with_their_reason() -> None:
    assert status_cells(page("/dashboard/payments")) == [
        "Failed Bank account closed",
        "Failed Card declined (generic decline)",
        "Succeeded",
    ]


@pytest.mark.usefixtures("store")
def test_the_status_filter_offers_failed_and_keeps_only_failed_payments() -> None:
    body = page("/dashboard/payments?status=failed")
    assert '<option value="failed" selected>Failed</option>' in body
    assert status_cells(body) == [
        "Failed Bank account closed",
        "Failed Card declined (generic decline)",
    ]


@pytest.mark.usefixtures("store")
def test_the_payment_page_leads_with_the_failure() -> None:
    body = page("/dashboard/payments/pi_declined", "pi_declined")
    head, _, rest = body.partition('<div class="flash flash-error">')
    assert '<span class="badge tone-bad">Failed</span>' in head
    notice = rest.split("</div>", 1)[0]
    assert "Payment failed: Card declined (generic decline)" in notice
    assert "Stripe's message: “Your card was declined.”" in notice
    assert "<dt>Failure</dt><dd>Card declined (generic decline)" in body
    assert "card_declined · generic_decline" in body
    assert '<dt>Failed charge</dt><dd class="mono">ch_declined</dd>' in body
    assert '<dt>Stripe status</dt><dd class="mono">requires_payment_method</dd>' in body
    assert "Cancel payment…" in body  # Stripe cancels an intent that awaits a payment method


def test_a_reason_that_is_stripes_message_is_not_repeated(store: MemoryStore) -> None:
    failed(store, "pi_odd", 1_700_000_004, {"code": "odd_code", "message": "Something odd."})
    body = page("/dashboard/payments/pi_odd", "pi_odd")
    assert "Payment failed: Something odd." in body
    assert "Stripe's message" not in body


@pytest.mark.usefixtures("store")
def test_a_succeeded_payment_shows_no_failure() -> None:
    body = page("/dashboard/payments/pi_ok", "pi_ok")
    assert "Payment failed" not in body and "<dt>Failure</dt>" not in body
    assert '<dt>Stripe status</dt><dd class="mono">succeeded</dd>' in body
