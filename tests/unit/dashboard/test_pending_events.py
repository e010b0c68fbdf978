"""Events not applied yet on the dashboard: the payment's timeline marks them Processing… or
Retrying (with the error) until they are applied; the webhook inbox shows `received` as
Processing, each event's delivery and apply lag, and the page's p50/p99. The events go through
the real webhook service (tests/support/pending_events.py); the pages render from the views with a
signed-in owner."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import flask
import pytest
from flask import Request, Response

import bootstrap
from auth.principal import Principal, Role
from functions.dashboard import developer_views, payment_views
from functions.dashboard._session import Shell
from tests.support import pending_events as pe

SHELL = Shell(
    principal=Principal(pe.TENANT, Role.OWNER, "u_1", None, True, via="session"),
    email="owner@shop.example",
    tenant_name="Shop",
    memberships=[],
    csrf_token="csrf",
)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> pe.World:
    built = pe.build()
    monkeypatch.setattr(bootstrap, "store", lambda: built.store)
    monkeypatch.setattr(bootstrap, "webhook_deps", lambda: built.deps)
    for views in (payment_views, developer_views):
        monkeypatch.setattr(views, "signed_in", lambda request, permission=None: SHELL)
    return built


def render(url: str, view: Callable[[Request], Response]) -> str:
    with flask.Flask(__name__).test_request_context(url) as ctx:
        response = view(ctx.request)
    assert response.status_code == 200, response.get_data(as_text=True)
    return html.unescape(response.get_data(as_text=True))


def timeline_items(world: pe.World) -> dict[str, tuple[str, str]]:
    """Event id → (the item's class, its text) of the payment page's timeline."""
    body = render("/dashboard/payments/pi_1", payment_page)
    items = re.findall(r'<li class="([^"]*)">(.*?)</li>', body, flags=re.S)
    return {
        re.findall(r'<span class="mono">(evt_\w+)</span>', item)[0]: (css, _text(item))
        for css, item in items
    }


def inbox_rows() -> dict[str, list[str]]:
    """Event id → the text of each cell of its row in the inbox's All tab."""
    body = render("/dashboard/developers/webhooks?status=", developer_views.webhooks_page)
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], flags=re.S)
    cells = [[_text(cell) for cell in re.findall(r"<td.*?</td>", row, flags=re.S)] for row in rows]
    return {row[0].split()[1]: row for row in cells}


def payment_page(request: Request) -> Response:
    return payment_views.payment_page(request, payment_id="pi_1")


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def test_the_timeline_marks_events_processing_and_retrying(world: pe.World) -> None:
    items = timeline_items(world)
    css, text = items[pe.SUCCEEDED]
    assert css == "pending" and text.startswith("payment_intent.succeeded Processing…")
    assert "received from Stripe, not applied yet" in text
    css, text = items[pe.REFUND]
    assert css == "pending"
    assert "Retrying Waiting to retry: EventNotReady: a refund arrived before the capture" in text
    css, text = items[pe.CREATED]
    assert css == "" and "Processing" not in text and "Retrying" not in text
    assert " · applied · " in text
    page = render("/dashboard/payments/pi_1", payment_page)
    assert '<span class="badge tone-info">Processing…</span>' in page
    assert '<span class="badge tone-warn">Retrying</span>' in page


def test_an_applied_event_loses_its_processing_badge(world: pe.World) -> None:
    world.at(pe.SUCCEEDED_AT + 2)
    world.apply(pe.SUCCEEDED)
    css, text = timeline_items(world)[pe.SUCCEEDED]
    assert css == "" and "Processing" not in text and " · applied · " in text


def test_the_inbox_shows_processing_and_each_events_lag(world: pe.World) -> None:
    rows = inbox_rows()
    # Event, Status, Error, Received, Delivery lag, Apply lag, (Replay)
    assert [row[1].split(" ")[0] for row in rows.values()] == ["Failed", "Processing", "Processed"]
    assert rows[pe.SUCCEEDED][4:6] == ["1.5 s", "—"]
    assert rows[pe.REFUND][4:6] == ["0.2 s", "—"]
    assert rows[pe.CREATED][4:6] == ["0.4 s", "0.3 s"]


def test_the_inbox_summarises_the_pages_lag(world: pe.World) -> None:
    body = render("/dashboard/developers/webhooks?status=", developer_views.webhooks_page)
    summary = _text(body.split('id="lag-summary">', 1)[1].split("</p>", 1)[0])
    assert summary == (
        "Lag of these 3 events: delivery (Stripe to us) p50 0.4 s, p99 1.5 s; "
        "apply (received to applied) p50 0.3 s, p99 0.3 s."
    )


def test_the_processing_tab_lists_only_what_waits(world: pe.World) -> None:
    body = render("/dashboard/developers/webhooks?status=received", developer_views.webhooks_page)
    assert '<a class="button " href="/dashboard/developers/webhooks?status=received"' in body
    assert pe.SUCCEEDED in body and pe.REFUND not in body and pe.CREATED not in body
    world.at(pe.SUCCEEDED_AT + 2)
    world.apply(pe.SUCCEEDED)
    body = render("/dashboard/developers/webhooks?status=received", developer_views.webhooks_page)
    assert "No events waiting" in body and 'id="lag-summary"' not in body
