"""Developers: API keys (create, shown once after a redirect; list with last use; revoke) and
the webhook inbox (failed, dead and still-processing events with their error and lag, the
page's lag percentiles; replay for admins)."""

from __future__ import annotations

from typing import Any

from flask import Request, Response

import bootstrap
from core.errors import AppError, Forbidden, ValidationError
from functions.dashboard._session import Shell, signed_in
from functions.dashboard._web import page, redirect, render
from identity import api_keys, reveals
from identity.commands import CreateApiKey, RevokeApiKey
from payments.webhooks import operations
from payments.webhooks.lag import lag_summary

__all__ = ["api_keys_page", "create_api_key", "replay_event", "revoke_api_key", "webhooks_page"]

INBOX_TABS = (("failed", "Failed"), ("dead", "Dead"), ("received", "Processing"), ("", "All"))


@page
def api_keys_page(request: Request) -> Response:
    """After a key is created (`?notice=key_created`), the one view of it; a reload finds it
    gone and says so."""
    shell = signed_in(request, "api_keys:manage")
    just_created = request.args.get("notice") == "key_created"
    created = reveals.take(bootstrap.auth_context(), _session_id(shell)) if just_created else None
    response = _keys(request, shell, created=created, already_shown=just_created and not created)
    response.headers["Cache-Control"] = "no-store"
    return response


@page
def create_api_key(request: Request) -> Response:
    """Post/redirect/get: the new key is held for the session's next page, never in this
    answer, so reloading that page cannot create a second key."""
    shell = signed_in(request, "api_keys:manage")
    try:
        command = CreateApiKey.from_body(dict(request.form))
        created: api_keys.CreatedKey = bootstrap.handle(command, principal=shell.principal)
    except (ValidationError, Forbidden) as error:
        return _keys(request, shell, error=error)
    record = created.record
    reveals.hold(
        bootstrap.auth_context(),
        _session_id(shell),
        {"key": created.key, "name": record.name, "role": record.role, "mode": record.mode},
    )
    return redirect("/dashboard/developers/api-keys", notice="key_created")


@page
def revoke_api_key(request: Request, key_id: str) -> Response:
    shell = signed_in(request, "api_keys:manage")
    try:
        bootstrap.handle(RevokeApiKey(key_id), principal=shell.principal)
    except Forbidden as error:
        return _keys(request, shell, error=error)
    return redirect("/dashboard/developers/api-keys", notice="key_revoked")


@page
def webhooks_page(request: Request) -> Response:
    shell = signed_in(request, "webhook_events:read")
    return _inbox(request, shell, request.args.get("status", "failed"))


@page
def replay_event(request: Request, event_id: str) -> Response:
    shell = signed_in(request, "webhook_events:replay")
    status = request.form.get("status", "failed")
    try:
        operations.replay_event(
            bootstrap.webhook_deps(), event_id, tenant_id=shell.principal.tenant_id
        )
    except AppError as error:
        if error.status == 404:
            raise
        return _inbox(request, shell, status, error=error)
    return redirect("/dashboard/developers/webhooks", notice="event_replayed", status=status)


def _session_id(shell: Shell) -> str:
    return shell.principal.session_id or ""


def _keys(
    request: Request,
    shell: Shell,
    *,
    created: dict[str, str] | None = None,
    already_shown: bool = False,
    error: AppError | None = None,
) -> Response:
    keys = api_keys.list_api_keys(bootstrap.auth_context(), shell.principal)
    return render(
        request,
        "api_keys.html",
        status=error.status if error else 200,
        shell=shell,
        title="API keys",
        error=error,
        keys=sorted(keys, key=lambda k: (k.revoked_at is not None, -k.created_at.timestamp())),
        created=created,
        already_shown=already_shown,
        roles=[r for r in ("viewer", "developer", "admin", "owner") if shell.can_hold(r)],
    )


def _inbox(
    request: Request, shell: Shell, status: str, *, error: AppError | None = None
) -> Response:
    events: list[dict[str, Any]] = []
    try:
        events = operations.list_events(
            bootstrap.webhook_deps(),
            tenant_id=shell.principal.tenant_id,
            status=status or None,
            limit=50,
        )
    except ValidationError as invalid:
        error = error or invalid
    return render(
        request,
        "webhooks.html",
        status=error.status if error else 200,
        shell=shell,
        title="Webhook events",
        error=error,
        events=events,
        lag=lag_summary([event["lag"] for event in events]),
        tabs=INBOX_TABS,
        current=status,
    )
