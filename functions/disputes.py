"""`disputes`: the tenant's disputes as the webhooks recorded them (viewers read)."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from functions._auth import require
from functions._http import http_function, json_response
from payments import disputes as service

__all__ = ["disputes"]


def list_disputes(request: Request) -> Response:
    principal = require(request, "disputes:read")
    return json_response(
        service.list_disputes(bootstrap.store(), principal.tenant_id, request.args)
    )


def get_dispute(request: Request, dispute_id: str) -> Response:
    principal = require(request, "disputes:read")
    return json_response(service.get_dispute(bootstrap.store(), principal.tenant_id, dispute_id))


disputes = http_function("disputes")
