"""Home: the business's Stripe onboarding state with the way into Stripe's onboarding and
back, the last 30 days in numbers and a chart, and the latest payments."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Request, Response

import bootstrap
from functions.dashboard._chart import daily_volume_chart
from functions.dashboard._session import signed_in
from functions.dashboard._web import page, redirect, render, secured
from payments import connect, insights, payment_queries
from payments.commands import (
    CreateAccountLink,
    CreateConnectAccount,
    CreateLoginLink,
    RefreshAccount,
)
from payments.tenants import load_tenant

__all__ = ["connect_express", "connect_onboard", "connect_refresh", "connect_return", "home"]


@page
def home(request: Request) -> Response:
    shell = signed_in(request, "payments:read")
    tenant_id, store = shell.principal.tenant_id, bootstrap.store()
    account = connect.account_status(load_tenant(store, tenant_id))
    summary = insights.last_30_days(store, tenant_id, now=datetime.now(UTC))
    recent = payment_queries.list_payments(store, tenant_id, {"limit": "5"})["data"]
    return render(
        request,
        "home.html",
        shell=shell,
        title="Home",
        account=account,
        summary=summary,
        chart=daily_volume_chart(summary.daily, summary.currency),
        recent=recent,
    )


@page
def connect_onboard(request: Request) -> Response:
    """Create the Express account if there is none, then go to Stripe's onboarding."""
    shell = signed_in(request, "connect:manage")
    tenant_id = shell.principal.tenant_id
    command = CreateConnectAccount.from_body(
        {"email": shell.email} if shell.email else {}, tenant_id=tenant_id
    )
    bootstrap.handle(command)
    return _to_onboarding(tenant_id)


@page
def connect_refresh(request: Request) -> Response:
    """Stripe's `refresh_url`: the onboarding link expired or was used; make a fresh one."""
    shell = signed_in(request, "connect:manage")
    return _to_onboarding(shell.principal.tenant_id)


@page
def connect_return(request: Request) -> Response:
    """Stripe's `return_url`: read the account's state from Stripe, then show it on Home."""
    shell = signed_in(request, "connect:manage")
    status = bootstrap.handle(RefreshAccount(shell.principal.tenant_id))
    return redirect(
        "/dashboard", notice="onboarded" if status["charges_enabled"] else "onboarding_pending"
    )


@page
def connect_express(request: Request) -> Response:
    """Into the Express dashboard of the connected account (payouts, bank details)."""
    shell = signed_in(request, "connect:manage")
    link = bootstrap.handle(CreateLoginLink(shell.principal.tenant_id))
    return _away(str(link["url"]))


def _to_onboarding(tenant_id: str) -> Response:
    link = bootstrap.handle(CreateAccountLink.from_body({}, tenant_id=tenant_id))
    return _away(str(link["url"]))


def _away(url: str) -> Response:
    """A 303 to Stripe's hosted page (a URL Stripe gave us, never one from the request)."""
    return secured(Response(status=303, headers={"Location": url}))
