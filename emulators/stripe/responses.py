"""JSON responses with the headers Stripe sends."""

from __future__ import annotations

import json

from flask import Response

from .config import API_VERSION
from .store import Obj, new_id


def json_response(body: Obj, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body, indent=2), status=status, mimetype="application/json")
    response.headers["Request-Id"] = new_id("req_", 14)
    response.headers["Stripe-Version"] = API_VERSION
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
