"""`payments`: the tenant's payments (viewers read), capture and cancel (admins act, with
`Idempotency-Key`)."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from functions._auth import require
from functions._bodies import optional_json_body
from functions._http import http_function, json_response
from functions._idempotency import idempotent
from payments import payment_queries
from payments.commands import CancelPayment, CapturePayment

__all__ = ["payments"]


def list_payments(request: Request) -> Response:
    principal = require(request, "payments:read")
    return json_response(
        payment_queries.list_payments(bootstrap.store(), principal.tenant_id, request.args)
    )


def get_payment(request: Request, payment_id: str) -> Response:
    principal = require(request, "payments:read")
    return json_response(
        payment_queries.get_payment(bootstrap.store(), principal.tenant_id, payment_id)
    )


def payment_timeline(request: Request, payment_id: str) -> Response:
    principal = require(request, "payments:read")
    return json_response(
        payment_queries.payment_timeline(bootstrap.store(), principal.tenant_id, payment_id)
    )


def capture_payment(request: Request, payment_id: str) -> Response:
    principal = require(request, "payments:capture")

    def action(key: str | None) -> tuple[int, object]:
        cmd = CapturePayment.from_body(
            optional_json_body(request), tenant_id=principal.tenant_id, payment_id=payment_id
        )
        return 200, bootstrap.handle(cmd, idempotency_key=key)

    return idempotent(request, principal, action)


def cancel_payment(request: Request, payment_id: str) -> Response:
    principal = require(request, "payments:cancel")

    def action(key: str | None) -> tuple[int, object]:
        cmd = CancelPayment.from_body(
            optional_json_body(request), tenant_id=principal.tenant_id, payment_id=payment_id
        )
        return 200, bootstrap.handle(cmd, idempotency_key=key)

    return idempotent(request, principal, action)


payments = http_function("payments")
