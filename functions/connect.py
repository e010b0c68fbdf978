"""`connect`: the tenant's Stripe Express account (owner only): create it, onboarding links,
its status refreshed from Stripe, and the Express dashboard link."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Request, Response

import bootstrap
from core.settings import get_settings
from functions._auth import require
from functions._bodies import optional_json_body
from functions._http import http_function, json_response
from payments import connect as service
from payments.commands import CreateAccountLink, CreateConnectAccount

__all__ = ["connect"]


def create_account(request: Request) -> Response:
    principal = require(request, "connect:manage")
    cmd = CreateConnectAccount.from_body(optional_json_body(request), tenant_id=principal.tenant_id)
    status, created = service.create_account(
        cmd, bootstrap.store(), bootstrap.stripe_gateway(), now=datetime.now(UTC)
    )
    return json_response({**status, "created": created})


def create_account_link(request: Request) -> Response:
    principal = require(request, "connect:manage")
    cmd = CreateAccountLink.from_body(optional_json_body(request), tenant_id=principal.tenant_id)
    link = service.create_account_link(
        cmd, bootstrap.store(), bootstrap.stripe_gateway(), settings=get_settings()
    )
    return json_response(link, status=201)


def account(request: Request) -> Response:
    principal = require(request, "connect:manage")
    status = service.refresh_account(
        principal.tenant_id, bootstrap.store(), bootstrap.stripe_gateway(), now=datetime.now(UTC)
    )
    return json_response(status)


def express_login_link(request: Request) -> Response:
    principal = require(request, "connect:manage")
    link = service.create_login_link(
        principal.tenant_id, bootstrap.store(), bootstrap.stripe_gateway()
    )
    return json_response(link)


connect = http_function("connect")
