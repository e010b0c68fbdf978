"""`webhooks`: Stripe's deliveries (`POST /webhook`) and the operators' view of the inbox.

Stripe's deliveries authenticate by signature, not as a user: the user-authentication stack
(`functions._auth`: JWT, API keys, sessions, their ledger modules) is imported by the two inbox
views on first use, so a cold start that serves Stripe does not pay for it (bench/README.md).
"""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from core.errors import ValidationError
from functions._http import http_function, json_response
from payments.webhooks import operations, service
from payments.webhooks.lag import lag_summary

__all__ = ["webhooks"]


def receive(request: Request) -> Response:
    raw_body = request.get_data(cache=False)
    receipt = service.receive(
        raw_body, request.headers.get("Stripe-Signature"), bootstrap.webhook_deps()
    )
    return json_response(receipt.to_body())


def list_events(request: Request) -> Response:
    from functions._auth import require

    principal = require(request, "webhook_events:read")
    events = operations.list_events(
        bootstrap.webhook_deps(),
        tenant_id=principal.tenant_id,
        status=request.args.get("status") or None,
        limit=_int_arg(request, "limit", default=50),
    )
    lag = lag_summary([event["lag"] for event in events])
    return json_response({"object": "list", "data": events, "lag": lag})


def replay_event(request: Request, event_id: str) -> Response:
    from functions._auth import require

    principal = require(request, "webhook_events:replay")
    receipt = operations.replay_event(
        bootstrap.webhook_deps(), event_id, tenant_id=principal.tenant_id
    )
    return json_response(receipt.to_body())


def _int_arg(request: Request, name: str, *, default: int) -> int:
    raw = request.args.get(name)
    if not raw:  # absent, or empty as a blank form field sends it
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be an integer", param=name) from None


webhooks = http_function("webhooks")
