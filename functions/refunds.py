"""`refunds`: create a refund (admins, with `Idempotency-Key`) and list the tenant's refunds."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from functions._auth import require
from functions._http import http_function, json_body, json_response
from functions._idempotency import idempotent
from payments import refunds as service
from payments.commands import CreateRefund

__all__ = ["refunds"]


def create_refund(request: Request) -> Response:
    principal = require(request, "refunds:create")

    def action(key: str | None) -> tuple[int, object]:
        cmd = CreateRefund.from_body(json_body(request), tenant_id=principal.tenant_id)
        return 201, bootstrap.handle(cmd, idempotency_key=key)

    return idempotent(request, principal, action)


def list_refunds(request: Request) -> Response:
    principal = require(request, "refunds:read")
    return json_response(service.list_refunds(bootstrap.store(), principal.tenant_id, request.args))


refunds = http_function("refunds")
