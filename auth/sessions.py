"""Dashboard browser sessions: a signed cookie naming a server-side session, and its CSRF token.

The cookie value is `SESSION_ID.SIGNATURE` (HMAC-SHA256 under the signing key); the session
record (stored under the SHA-256 of its id) makes it revocable. State-changing requests that
authenticate with the cookie must echo the session's CSRF token in `X-CSRF-Token` (or a
`csrf_token` form field): a token derived from the session id, which another site cannot read.
"""

from __future__ import annotations

import hashlib
import hmac

from auth.secrets import new_token, same
from core.errors import Forbidden, Unauthorized

__all__ = [
    "COOKIE_NAME",
    "SAFE_METHODS",
    "SESSION_TTL_SECONDS",
    "check_csrf",
    "csrf_token",
    "new_session_id",
    "sign_session",
    "unsign_session",
]

COOKIE_NAME = "session"
SESSION_TTL_SECONDS = 8 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_session_id() -> str:
    return new_token(32)


def _mac(key: str, purpose: str, value: str) -> str:
    return hmac.new(key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def sign_session(session_id: str, *, key: str) -> str:
    return f"{session_id}.{_mac(key, 'session', session_id)}"


def unsign_session(cookie: str, *, key: str) -> str:
    """The session id of a cookie whose signature holds; `Unauthorized` otherwise."""
    session_id, _, signature = cookie.rpartition(".")
    if not session_id or not same(signature, _mac(key, "session", session_id)):
        raise Unauthorized("The session is not valid", code="invalid_session")
    return session_id


def csrf_token(session_id: str, *, key: str) -> str:
    return _mac(key, "csrf", session_id)


def check_csrf(session_id: str, supplied: object, *, key: str) -> None:
    """`supplied` comes straight from a header or a (JSON or form) body: anything but the
    session's token, a number or a list included, is refused."""
    if not isinstance(supplied, str) or not supplied:
        raise Forbidden("Missing or wrong CSRF token", code="csrf_failed")
    if not same(supplied, csrf_token(session_id, key=key)):
        raise Forbidden("Missing or wrong CSRF token", code="csrf_failed")
