"""The dashboard's stylesheet, script and icon: a fixed list of files, cached by version."""

from __future__ import annotations

import functools

from flask import Request, Response

from core.errors import NotFound
from functions.dashboard._web import STATIC, error_page

__all__ = ["static_file"]

FILES = {
    "dashboard.css": "text/css",
    "dashboard.js": "text/javascript",
    "favicon.svg": "image/svg+xml",
}


def static_file(request: Request, name: str) -> Response:
    if name not in FILES:
        return error_page(request, NotFound(f"No file {name}"))
    cache = (
        "public, max-age=31536000, immutable" if request.args.get("v") else "public, max-age=300"
    )
    response = Response(_read(name), mimetype=FILES[name])
    response.headers["Cache-Control"] = cache
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@functools.cache
def _read(name: str) -> bytes:
    return (STATIC / name).read_bytes()
