"""Rate limits of the identity flows, counted in Firestore so they hold across instances.

`RateLimited` (429) carries `retry_after` seconds; the edge puts it in `Retry-After`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from core.errors import RateLimited
from identity.logs import log_rate_limited

if TYPE_CHECKING:
    from ledger.client import Firestore

__all__ = [
    "API_KEY_FAILURES",
    "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_CLIENT",
    "SIGNUPS_PER_CLIENT",
    "VERIFY_FAILURES",
    "Limit",
    "check",
    "count",
]


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
    raise RateLimited(
        f"Too many attempts; retry in {wait} seconds", retry_after=wait, code="rate_limited"
    )


def check(db: Firestore, limit: Limit, key: str, *, now: datetime) -> None:
    """Raise `RateLimited` if `key` has used up `limit` (counts nothing)."""
    from ledger.rate_limits import retry_after

    wait = retry_after(db, f"{limit.scope}:{key}", limit=limit.limit, window=limit.window, now=now)
    if wait is not None:
        _raise(limit, wait)


def count(db: Firestore, limit: Limit, key: str, *, now: datetime) -> None:
    """Count one event for `key`; raise `RateLimited` if it is over the limit."""
    from ledger.rate_limits import hit

    wait = hit(db, f"{limit.scope}:{key}", limit=limit.limit, window=limit.window, now=now)
    if wait is not None:
        _raise(limit, wait)
