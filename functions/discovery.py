"""`discovery`: what this API is, whether it is up, and its OpenAPI document."""

from __future__ import annotations

import functools
from pathlib import Path

from flask import Request, Response

import bootstrap
from functions._http import http_function, json_response
from functions.routes import API_PREFIX, ROUTES
from payments import __version__

__all__ = ["OPENAPI_FILE", "OPENAPI_PATH", "discovery"]

OPENAPI_FILE = Path(__file__).resolve().parents[1] / "openapi.yaml"
OPENAPI_PATH = f"{API_PREFIX}/openapi.yaml"


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
            "openapi": OPENAPI_PATH,
            "links": links,
        }
    )


def health(request: Request) -> Response:
    return json_response({"status": "ok"})


def ready(request: Request) -> Response:
    return json_response({"status": "ready", "checks": bootstrap.check_ready()})


def openapi(request: Request) -> Response:
    """The repository's `openapi.yaml`, byte for byte (deployed with the source)."""
    return Response(_openapi_document(), mimetype="application/yaml")


@functools.cache
def _openapi_document() -> bytes:
    return OPENAPI_FILE.read_bytes()


discovery = http_function("discovery")
