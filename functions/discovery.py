"""`discovery`: what this API is and whether it is up."""

from __future__ import annotations

from flask import Request, Response

from functions._http import http_function, json_response
from functions.routes import API_PREFIX, ROUTES
from payments import __version__
from payments.health import check_ready

__all__ = ["discovery"]


def index(request: Request) -> Response:
    links = [
        {
            "method": route.method,
            "path": route.path,
            "function": route.function,
            "summary": route.summary,
        }
        for route in ROUTES
    ]
    return json_response(
        {
            "name": "Payment Event Processor",
            "api": API_PREFIX,
            "version": __version__,
            "links": links,
        }
    )


def health(request: Request) -> Response:
    return json_response({"status": "ok"})


def ready(request: Request) -> Response:
    return json_response({"status": "ready", "checks": check_ready()})


discovery = http_function("discovery")
