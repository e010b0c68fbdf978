"""The internal functions' caller check (`process_event`: `/tasks/*`; `jobs`: `/jobs/*`).

Their entry points run `require_internal_caller(request)` before any view
(`http_function(..., guard=...)`): a Google ID token when `INTERNAL_AUDIENCE` is set (deployed),
else the stack's `INTERNAL_TOKEN`, else nobody gets in (`auth.internal_callers`). Kept apart
from `functions._auth` so that these functions' cold start loads none of the merchant
authentication.
"""

from __future__ import annotations

from flask import Request

from auth.internal_callers import check_google_id_token, check_shared_token, google_signing_keys
from core.errors import Unauthorized
from core.settings import get_settings

__all__ = ["require_internal_caller"]


def require_internal_caller(request: Request) -> None:
    """401 (403 for the wrong service account) unless the caller may use internal routes. The
    Pub/Sub emulator cannot send a header, so locally the token may come as `?token=` (the
    local server's access log hides its value)."""
    settings = get_settings()
    scheme, _, supplied = request.headers.get("Authorization", "").partition(" ")
    bearer = supplied.strip() if scheme.lower() == "bearer" else ""
    if settings.internal_audience:
        check_google_id_token(
            bearer,
            audience=settings.internal_audience,
            invokers=settings.internal_invokers,
            keys=google_signing_keys(),
        )
    elif settings.internal_token:
        given = bearer or request.args.get("token")
        check_shared_token(given, expected=settings.internal_token.reveal())
    else:
        raise Unauthorized(
            "Internal routes are closed: set INTERNAL_AUDIENCE and INTERNAL_INVOKERS "
            "(deployed) or INTERNAL_TOKEN (local)"
        )
