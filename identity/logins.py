"""Logging in: access and refresh tokens, their rotation, dashboard sessions, logging out.

Unknown email and wrong password get the same error, after the same work (one Argon2
verification). Failures are counted per account and per client, in Firestore.
A refresh token is spent when rotated; presenting a spent one again revokes its whole family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from auth import sessions, tokens
from auth.passwords import hash_password, needs_rehash, verify_password
from auth.secrets import new_token, random_id, sha256
from core.errors import Unauthorized
from identity import rate_limits
from identity.commands import Credentials
from identity.context import AuthContext
from identity.logs import log_logged_in, log_login_failed, log_refresh_reuse
from ledger import tokens as stored
from ledger.accounts import UserRecord, email_key, find_user_by_email, update_password_hash
from ledger.memberships import list_for_user

__all__ = ["BrowserSession", "TokenPair", "create_session", "login", "logout", "refresh"]

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
    rate_limits.check(ctx.db, rate_limits.LOGIN_FAILURES_PER_ACCOUNT, account, now=now)
    rate_limits.check(ctx.db, rate_limits.LOGIN_FAILURES_PER_CLIENT, client, now=now)
    user = find_user_by_email(ctx.db, credentials.email)
    if not verify_password(user.password_hash if user else None, credentials.password):
        log_login_failed(known_user=user is not None)
        rate_limits.count(ctx.db, rate_limits.LOGIN_FAILURES_PER_ACCOUNT, account, now=now)
        rate_limits.count(ctx.db, rate_limits.LOGIN_FAILURES_PER_CLIENT, client, now=now)
        raise Unauthorized("The email or password is wrong", code="invalid_credentials")
    assert user is not None
    if needs_rehash(user.password_hash):
        update_password_hash(ctx.db, user.user_id, hash_password(credentials.password))
    return user


def _default_tenant(ctx: AuthContext, user_id: str) -> str:
    memberships = list_for_user(ctx.db, user_id)
    return memberships[0].tenant_id if memberships else ""


def login(ctx: AuthContext, credentials: Credentials, *, client: str) -> TokenPair:
    user = check_password(ctx, credentials, client=client)
    tenant_id = _default_tenant(ctx, user.user_id)
    log_logged_in(user_id=user.user_id, via="password")
    return _issue(ctx, user.user_id, tenant_id, family_id=random_id("fam"))


def _issue(ctx: AuthContext, user_id: str, tenant_id: str, *, family_id: str) -> TokenPair:
    now = ctx.now()
    refresh_token = REFRESH_PREFIX + new_token()
    stored.put_refresh_token(
        ctx.db,
        stored.RefreshRecord(
            sha256(refresh_token), user_id, tenant_id, family_id, now, now + REFRESH_TTL
        ),
    )
    access = tokens.issue_access_token(
        key=ctx.signing_key, user_id=user_id, tenant_id=tenant_id, now=now
    )
    return TokenPair(access_token=access, refresh_token=refresh_token)


def refresh(ctx: AuthContext, refresh_token: str) -> TokenPair:
    """Spend the refresh token for a new pair in the same family."""
    successor = REFRESH_PREFIX + new_token()
    now = ctx.now()
    outcome, record = stored.rotate_refresh_token(
        ctx.db, sha256(refresh_token), sha256(successor), now=now, ttl=REFRESH_TTL
    )
    if outcome is stored.Rotation.REUSED and record is not None:
        revoked = stored.revoke_family(ctx.db, record.family_id, now=now)
        log_refresh_reuse(user_id=record.user_id, family_id=record.family_id, revoked=revoked)
        raise Unauthorized(
            "This refresh token was already used; log in again", code="refresh_token_reused"
        )
    if outcome is not stored.Rotation.ROTATED or record is None:
        raise Unauthorized("The refresh token is not valid", code="invalid_refresh_token")
    access = tokens.issue_access_token(
        key=ctx.signing_key, user_id=record.user_id, tenant_id=record.tenant_id, now=now
    )
    return TokenPair(access_token=access, refresh_token=successor)


def create_session(ctx: AuthContext, credentials: Credentials, *, client: str) -> BrowserSession:
    """Log in for the dashboard: a server-side session behind a signed cookie."""
    user = check_password(ctx, credentials, client=client)
    session_id, now = sessions.new_session_id(), ctx.now()
    stored.put_session(
        ctx.db,
        stored.SessionRecord(
            session_hash=sha256(session_id),
            user_id=user.user_id,
            tenant_id=_default_tenant(ctx, user.user_id),
            created_at=now,
            expires_at=now + timedelta(seconds=sessions.SESSION_TTL_SECONDS),
        ),
    )
    log_logged_in(user_id=user.user_id, via="session")
    return BrowserSession(
        cookie=sessions.sign_session(session_id, key=ctx.signing_key),
        csrf_token=sessions.csrf_token(session_id, key=ctx.signing_key),
    )


def logout(ctx: AuthContext, *, refresh_token: str | None, session_id: str | None) -> None:
    """Revoke the refresh token's family and/or the browser session (unknown ones: no-op)."""
    now = ctx.now()
    if refresh_token:
        record = stored.get_refresh_token(ctx.db, sha256(refresh_token))
        if record is not None:
            stored.revoke_family(ctx.db, record.family_id, now=now)
    if session_id:
        stored.revoke_session(ctx.db, sha256(session_id), now=now)
