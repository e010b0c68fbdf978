"""Rate limits of the identity flows, counted in the store so they hold across instances.

Fixed windows: each bucket counts events in a document per window,
`rate_limits/{sha256(bucket:window:index)}` (`count`, `expire_at` for a TTL policy). `count` is
one atomic server-side increment that returns the new count, so it needs no transaction and
never aborts under contention (a burst of failures is exactly when the limiter must keep
answering); `check` only reads. `RateLimited` (429) carries `retry_after` seconds; the edge
puts it in `Retry-After`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from core.errors import RateLimited
from identity.logs import log_rate_limited
from ledger.collections import RATE_LIMITS
from ledger.store import AbstractStore, DocKey

__all__ = [
    "API_KEY_FAILURES",
    "INVITATIONS_PER_TENANT",
    "LOGIN_BURST_PER_ACCOUNT_CLIENT",
    "LOGIN_FAILURES_PER_ACCOUNT",
    "LOGIN_FAILURES_PER_ACCOUNT_CLIENT",
    "LOGIN_FAILURES_PER_CLIENT",
    "MAIL_PER_ADDRESS",
    "SIGNUPS_PER_CLIENT",
    "VERIFY_FAILURES",
    "Limit",
    "check",
    "check_all",
    "count",
    "count_all",
    "give_back",
]


@dataclass(frozen=True)
class Limit:
    scope: str
    limit: int
    window: int  # seconds
    code: str = "rate_limited"  # the refusal's error code and message
    message: str = "Too many attempts"


# Failed logins (the policy, README "Roles and permissions"): one address guessing one account
# waits a minute after 5 and a quarter of an hour after 10; an account stops taking passwords
# only after 300 failures in an hour from everywhere (a distributed guess), and an address
# after 50 in a quarter of an hour on any accounts. So a stranger who knows an email cannot
# lock its owner out from a handful of addresses.
LOGIN_BURST_PER_ACCOUNT_CLIENT = Limit("login-account-client-burst", 5, 60)
LOGIN_FAILURES_PER_ACCOUNT_CLIENT = Limit("login-account-client", 10, 900)
LOGIN_FAILURES_PER_ACCOUNT = Limit("login-account", 300, 3600)
LOGIN_FAILURES_PER_CLIENT = Limit("login-client", 50, 900)
SIGNUPS_PER_CLIENT = Limit("signup-client", 20, 3600)
VERIFY_FAILURES = Limit("verify", 10, 900)
API_KEY_FAILURES = Limit("api-key-client", 20, 300)
INVITATIONS_PER_TENANT = Limit("invite-tenant", 50, 86400)  # mail to any address: bounded
# One verification or sign-up email per address a minute, counted for every address asked
# about, known or not, so the cool-down does not tell who has an account.
MAIL_PER_ADDRESS = Limit(
    "mail-address", 1, 60, code="resend_cooldown", message="An email was just sent to this address"
)


def check(store: AbstractStore, limit: Limit, key: str, *, now: datetime) -> None:
    """Raise `RateLimited` if `key` has used up `limit` in this window (counts nothing)."""
    check_all(store, [(limit, key)], now=now)


def count(store: AbstractStore, limit: Limit, key: str, *, now: datetime) -> None:
    """Count one event for `key`; raise `RateLimited` if that went over the limit."""
    count_all(store, [(limit, key)], now=now)


def check_all(store: AbstractStore, buckets: Sequence[tuple[Limit, str]], *, now: datetime) -> None:
    """Raise `RateLimited` if any (limit, key) is used up in its window (one read, counts
    nothing); the longest wait is the answer."""
    windows = [(limit, *_window(limit, key, now)) for limit, key in buckets]
    found = store.get_many([window for _, window, _ in windows])
    waits = [
        (_seconds_left(end, now), limit)
        for limit, window, end in windows
        if int((found[window] or {}).get("count") or 0) >= limit.limit
    ]
    if waits:
        wait, limit = max(waits, key=lambda pair: pair[0])
        _raise(limit, wait)


def count_all(store: AbstractStore, buckets: Sequence[tuple[Limit, str]], *, now: datetime) -> None:
    """Count one event in every (limit, key), all of them before any refusal; raise
    `RateLimited` (the longest wait) if one went over its limit."""
    waits = []
    for limit, key in buckets:
        window, end = _window(limit, key, now)
        if store.increment(window, "count", also={"expire_at": end}) > limit.limit:
            waits.append((_seconds_left(end, now), limit))
    if waits:
        wait, limit = max(waits, key=lambda pair: pair[0])
        _raise(limit, wait)


def give_back(store: AbstractStore, limit: Limit, key: str, *, now: datetime) -> None:
    """Undo one `count` of `key` in this window (what it counted did not happen, e.g. an
    email that could not be sent)."""
    window, end = _window(limit, key, now)
    store.increment(window, "count", by=-1, also={"expire_at": end})


def _window(limit: Limit, key: str, now: datetime) -> tuple[DocKey, datetime]:
    index = int(now.timestamp()) // limit.window
    end = datetime.fromtimestamp((index + 1) * limit.window, UTC)
    bucket = f"{limit.scope}:{key}"
    doc_id = hashlib.sha256(f"{bucket}:{limit.window}:{index}".encode()).hexdigest()
    return DocKey(RATE_LIMITS, doc_id), end


def _seconds_left(end: datetime, now: datetime) -> int:
    return max(1, math.ceil((end - now).total_seconds()))


def _raise(limit: Limit, wait: int) -> None:
    log_rate_limited(scope=limit.scope, retry_after=wait)
    raise RateLimited(
        f"{limit.message}; retry in {wait} seconds", retry_after=wait, code=limit.code
    )
