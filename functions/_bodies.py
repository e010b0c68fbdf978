"""Request-body helpers shared by the payments functions."""

from __future__ import annotations

from typing import Any

from flask import Request

from functions._http import json_body

__all__ = ["optional_json_body"]


def optional_json_body(request: Request) -> dict[str, Any]:
    """The JSON object sent, or `{}` when the body is empty (every field is optional)."""
    if not request.get_data(cache=True).strip():
        return {}
    return json_body(request)
