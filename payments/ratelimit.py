"""Rate limits of the identity flows, counted in Firestore so they hold across instances.

`TooManyRequests` (429) carries `retry_after` seconds; the edge puts it in `Retry-After`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from payments.auth_logs import log_rate_limited
from payments.errors import RateLimited

if TYPE_CHECKING:
    from ledger.client import Firestore

__all__ = [
    "API_KEY_FAILURES",
    "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_CLIENT",
    "SIGNUPS_PER_CLIENT",
    "VERIFY_FAILURES",
    "Limit",
    "TooManyRequests",
    "check",
    "count",
]


class TooManyRequests(RateLimited):
    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after

    def to_body(self) -> dict[str, object]:
        body = super().to_body()
        error = body["error"]
        if isinstance(error, dict):
            error["retry_after"] = self.retry_after
        return body


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds


LOGIN_FAILURES_PER_ACCOUNT = Limit("login-account", 10, 900)
LOGIN_FAILURES_PER_CLIENT = Limit("login-client", 50, 900)
SIGNUPS_PER_CLIENT = Limit("signup-client", 20, 3600)
VERIFY_FAILURES = Limit("verify", 10, 900)
API_KEY_FAILURES = Limit("api-key-client", 20, 300)


def _raise(limit: Limit, wait: int) -> None:
    log_rate_limited(scope=limit.scope, retry_after=wait)
    raise TooManyRequests(
        f"Too many attempts; retry in {wait} seconds", retry_after=wait, code="rate_limited"
    )


def check(db: Firestore, limit: Limit, key: str, *, now: datetime) -> None:
    """Raise `TooManyRequests` if `key` has used up `limit` (counts nothing)."""
    from ledger.rate_limits import retry_after

    wait = retry_after(db, f"{limit.scope}:{key}", limit=limit.limit, window=limit.window, now=now)
    if wait is not None:
        _raise(limit, wait)


def count(db: Firestore, limit: Limit, key: str, *, now: datetime) -> None:
    """Count one event for `key`; raise `TooManyRequests` if it is over the limit."""
    from ledger.rate_limits import hit

    wait = hit(db, f"{limit.scope}:{key}", limit=limit.limit, window=limit.window, now=now)
    if wait is not None:
        _raise(limit, wait)
