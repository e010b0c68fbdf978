"""`checkout`: Checkout Sessions on the tenant's connected account (developer and up),
guarded by `Idempotency-Key`."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from functions._auth import require
from functions._http import http_function, json_body
from functions._idempotency import idempotent
from payments.commands import CreateCheckoutSession

__all__ = ["checkout"]


def create_checkout_session(request: Request) -> Response:
    principal = require(request, "checkout:create")

    def action(key: str | None) -> tuple[int, object]:
        cmd = CreateCheckoutSession.from_body(json_body(request), tenant_id=principal.tenant_id)
        return 201, bootstrap.handle(cmd, idempotency_key=key)

    return idempotent(request, principal, action)


checkout = http_function("checkout")
