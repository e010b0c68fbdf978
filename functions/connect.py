"""`connect`: the tenant's Stripe Express account (owner only): create it, onboarding links,
its status refreshed from Stripe, and the Express dashboard link."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from functions._auth import require
from functions._bodies import optional_json_body
from functions._http import http_function, json_response
from payments.commands import (
    CreateAccountLink,
    CreateConnectAccount,
    CreateLoginLink,
    RefreshAccount,
)

__all__ = ["connect"]


def create_account(request: Request) -> Response:
    principal = require(request, "connect:manage")
    cmd = CreateConnectAccount.from_body(optional_json_body(request), tenant_id=principal.tenant_id)
    status, created = bootstrap.handle(cmd)
    return json_response({**status, "created": created})


def create_account_link(request: Request) -> Response:
    principal = require(request, "connect:manage")
    cmd = CreateAccountLink.from_body(optional_json_body(request), tenant_id=principal.tenant_id)
    link = bootstrap.handle(cmd)
    return json_response(link, status=201)


def account(request: Request) -> Response:
    principal = require(request, "connect:manage")
    status = bootstrap.handle(RefreshAccount(principal.tenant_id))
    return json_response(status)


def express_login_link(request: Request) -> Response:
    principal = require(request, "connect:manage")
    link = bootstrap.handle(CreateLoginLink(principal.tenant_id))
    return json_response(link)


connect = http_function("connect")
