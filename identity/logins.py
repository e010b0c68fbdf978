"""Logging in: access and refresh tokens, their rotation, dashboard sessions, logging out.

Unknown email and wrong password get the same error, after the same work (one Argon2
verification). Failures are counted per account and per client, in Firestore.
A refresh token is spent when rotated; presenting a spent one again revokes its whole family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from auth import sessions, tokens
from auth.passwords import hash_password, needs_rehash, verify_password
from auth.secrets import new_token, random_id, sha256
from core.errors import Unauthorized
from identity import rate_limits
from identity.commands import Credentials, LogIn, LogOut, OpenSession, RefreshTokens
from identity.context import AuthContext
from identity.directory import find_user_by_email, memberships_of_user
from identity.logs import log_logged_in, log_login_failed, log_refresh_reuse
from identity.records import (
    RefreshRecord,
    Rotation,
    SessionRecord,
    UserRecord,
    email_key,
    record_from,
    refresh_key,
    session_key,
    stored,
    user_key,
)
from ledger.collections import REFRESH_TOKENS
from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet

__all__ = [
    "BrowserSession",
    "TokenPair",
    "create_session",
    "login",
    "logout",
    "refresh",
    "revoke_family",
    "rotate_refresh_token",
]

REFRESH_TTL = timedelta(days=30)
REFRESH_PREFIX = "rt_"


@dataclass(frozen=True)
class TokenPair:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_in: int = tokens.ACCESS_TTL_SECONDS
    token_type: str = "Bearer"


@dataclass(frozen=True)
class BrowserSession:
    cookie: str = field(repr=False)
    csrf_token: str = field(repr=False)
    max_age: int = sessions.SESSION_TTL_SECONDS


def check_password(ctx: AuthContext, credentials: Credentials, *, client: str) -> UserRecord:
    """The user these credentials prove, or `Unauthorized` (the same for either mistake)."""
    account = email_key(credentials.email)
    now = ctx.now()
    buckets = _login_buckets(account, client)
    rate_limits.check_all(ctx.store, buckets, now=now)
    user = find_user_by_email(ctx.store, credentials.email)
    if not verify_password(user.password_hash if user else None, credentials.password):
        log_login_failed(known_user=user is not None)
        rate_limits.count_all(ctx.store, buckets, now=now)
        raise Unauthorized("The email or password is wrong", code="invalid_credentials")
    assert user is not None
    if needs_rehash(user.password_hash):
        ctx.store.update(
            user_key(user.user_id), {"password_hash": hash_password(credentials.password)}
        )
    return user


def _login_buckets(account: str, client: str) -> list[tuple[rate_limits.Limit, str]]:
    """Where a failed login counts: this address on this account (a short and a longer
    window), the account from everywhere, this address on any account."""
    pair = f"{account}:{client}"
    return [
        (rate_limits.LOGIN_BURST_PER_ACCOUNT_CLIENT, pair),
        (rate_limits.LOGIN_FAILURES_PER_ACCOUNT_CLIENT, pair),
        (rate_limits.LOGIN_FAILURES_PER_ACCOUNT, account),
        (rate_limits.LOGIN_FAILURES_PER_CLIENT, client),
    ]


def _default_tenant(ctx: AuthContext, user_id: str) -> str:
    memberships = memberships_of_user(ctx.store, user_id)
    return memberships[0].tenant_id if memberships else ""


def login(ctx: AuthContext, credentials: LogIn, *, client: str) -> TokenPair:
    user = check_password(ctx, credentials, client=client)
    tenant_id = _default_tenant(ctx, user.user_id)
    log_logged_in(user_id=user.user_id, via="password")
    return _issue(ctx, user.user_id, tenant_id, family_id=random_id("fam"))


def _issue(ctx: AuthContext, user_id: str, tenant_id: str, *, family_id: str) -> TokenPair:
    now = ctx.now()
    refresh_token = REFRESH_PREFIX + new_token()
    record = RefreshRecord(
        sha256(refresh_token), user_id, tenant_id, family_id, now, now + REFRESH_TTL
    )
    ctx.store.create(refresh_key(record.token_hash), stored(record))
    access = tokens.issue_access_token(
        key=ctx.signing_key, user_id=user_id, tenant_id=tenant_id, now=now
    )
    return TokenPair(access_token=access, refresh_token=refresh_token)


def refresh(ctx: AuthContext, command: RefreshTokens) -> TokenPair:
    """Spend the refresh token for a new pair in the same family."""
    refresh_token = command.refresh_token
    successor = REFRESH_PREFIX + new_token()
    now = ctx.now()
    outcome, record = rotate_refresh_token(
        ctx.store, sha256(refresh_token), sha256(successor), now=now
    )
    if outcome is Rotation.REUSED and record is not None:
        revoked = revoke_family(ctx.store, record.family_id, now=now)
        log_refresh_reuse(user_id=record.user_id, family_id=record.family_id, revoked=revoked)
        raise Unauthorized(
            "This refresh token was already used; log in again", code="refresh_token_reused"
        )
    if outcome is not Rotation.ROTATED or record is None:
        raise Unauthorized("The refresh token is not valid", code="invalid_refresh_token")
    access = tokens.issue_access_token(
        key=ctx.signing_key, user_id=record.user_id, tenant_id=record.tenant_id, now=now
    )
    return TokenPair(access_token=access, refresh_token=successor)


def create_session(ctx: AuthContext, credentials: OpenSession, *, client: str) -> BrowserSession:
    """Log in for the dashboard: a server-side session behind a signed cookie."""
    user = check_password(ctx, credentials, client=client)
    session_id, now = sessions.new_session_id(), ctx.now()
    session = SessionRecord(
        session_hash=sha256(session_id),
        user_id=user.user_id,
        tenant_id=_default_tenant(ctx, user.user_id),
        created_at=now,
        expires_at=now + timedelta(seconds=sessions.SESSION_TTL_SECONDS),
    )
    ctx.store.create(session_key(session.session_hash), stored(session))
    log_logged_in(user_id=user.user_id, via="session")
    return BrowserSession(
        cookie=sessions.sign_session(session_id, key=ctx.signing_key),
        csrf_token=sessions.csrf_token(session_id, key=ctx.signing_key),
    )


def logout(ctx: AuthContext, command: LogOut) -> None:
    """Revoke the refresh token's family and/or the browser session (unknown ones: no-op)."""
    now, refresh_token, session_id = ctx.now(), command.refresh_token, command.session_id
    if refresh_token:
        found = ctx.store.get(refresh_key(sha256(refresh_token)))
        if found is not None:
            revoke_family(ctx.store, record_from(RefreshRecord, found).family_id, now=now)
    if session_id:
        key = session_key(sha256(session_id))
        if ctx.store.get(key) is not None:
            ctx.store.update(key, {"revoked_at": now})


def rotate_refresh_token(
    store: AbstractStore, token_hash: str, successor_hash: str, *, now: datetime
) -> tuple[Rotation, RefreshRecord | None]:
    """Spend `token_hash` and store its successor in the same family. No lock: the writes
    commit only if the token is unchanged since it was read, so of two racing rotations one
    wins and the other reads the token again, spent (`REUSED`)."""
    key = refresh_key(token_hash)

    def rotate(
        docs: Mapping[DocKey, Doc | None],
    ) -> tuple[WriteSet, tuple[Rotation, RefreshRecord | None]]:
        writes = WriteSet()
        if docs[key] is None:
            return writes, (Rotation.MISSING, None)
        old = record_from(RefreshRecord, docs[key])
        if old.revoked_at is not None:
            return writes, (Rotation.REVOKED, old)
        if old.used_at is not None:
            return writes, (Rotation.REUSED, old)
        if old.expires_at <= now:
            return writes, (Rotation.EXPIRED, old)
        new = RefreshRecord(
            successor_hash, old.user_id, old.tenant_id, old.family_id, now, now + REFRESH_TTL
        )
        writes.update(key, {"used_at": now})
        writes.set(refresh_key(successor_hash), stored(new))
        return writes, (Rotation.ROTATED, new)

    return store.commit_if_unchanged([key], rotate)


def revoke_family(store: AbstractStore, family_id: str, *, now: datetime) -> int:
    """Revoke every token of a family (logout, or reuse of a spent token) at once; how many."""
    rows = store.query(Query(REFRESH_TOKENS, where=(("family_id", "==", family_id),)))
    keys = [refresh_key(token_hash) for token_hash, _ in rows]

    def revoke(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, int]:
        writes = WriteSet()
        for key, doc in docs.items():
            if doc is not None and doc.get("revoked_at") is None:
                writes.update(key, {"revoked_at": now})
        return writes, len(writes.updates)

    return store.transact(keys, revoke) if keys else 0
