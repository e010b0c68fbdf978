"""Resolving a request's credential to a `Principal`: who is calling, for which tenant.

- An API key: found by its lookup prefix, checked by hash; it carries its tenant and role.
  Failures are counted per client (429 instead of 401 past the limit).
- An access token (JWT): its user must still exist and belong to the tenant in effect.
- A dashboard session cookie: signature, then the server-side session (revocable); a
  state-changing request must carry the session's CSRF token.
The tenant in effect is `X-Tenant-Id` if given (it must be one of the caller's memberships, or
the API key's own tenant: else 403), otherwise the token's or session's default tenant. The
role always comes from the stored membership, so a role change applies at once.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from auth import sessions, tokens
from auth.api_keys import hash_api_key, parse_prefix
from auth.credentials import Credential
from auth.principal import Principal, Role
from auth.secrets import same, sha256
from core.errors import Forbidden, Unauthorized
from identity import rate_limits
from identity.api_keys import authority, find_by_prefix
from identity.context import AuthContext
from identity.directory import get_membership_and_user
from identity.logs import log_api_key_rejected
from identity.records import SessionRecord, api_key_key, record_from, session_key

__all__ = ["authenticate"]

LAST_USED_RESOLUTION = timedelta(minutes=1)  # `last_used_at` is written at most this often


def authenticate(
    ctx: AuthContext,
    credential: Credential,
    *,
    tenant_id: str | None,
    method: str,
    csrf_token: str | None,
    client: str,
    cross_site: bool = False,
) -> Principal:
    if credential.kind == "api_key":
        return _from_api_key(ctx, credential.value, tenant_id=tenant_id, client=client)
    if credential.kind == "jwt":
        claims = tokens.decode_access_token(credential.value, key=ctx.signing_key)
        return _from_membership(ctx, claims.user_id, tenant_id or claims.tenant_id, via="jwt")
    session_id = sessions.unsign_session(credential.value, key=ctx.signing_key)
    found = ctx.store.get(session_key(sha256(session_id)))
    record = record_from(SessionRecord, found) if found is not None else None
    if record is None or record.revoked_at is not None or record.expires_at <= ctx.now():
        raise Unauthorized("The session has ended; log in again", code="session_expired")
    if method.upper() not in sessions.SAFE_METHODS:
        if cross_site:  # the browser says another site sent it: refused, token or not
            raise Forbidden(
                "A request from another site cannot use this session", code="cross_site"
            )
        sessions.check_csrf(session_id, csrf_token, key=ctx.signing_key)
    principal = _from_membership(ctx, record.user_id, tenant_id or record.tenant_id, via="session")
    return dataclasses.replace(principal, session_id=session_id)


def _from_membership(ctx: AuthContext, user_id: str, tenant_id: str, *, via: str) -> Principal:
    if not tenant_id:
        raise Forbidden("You are not a member of any tenant", code="no_membership")
    membership, user = get_membership_and_user(ctx.store, tenant_id, user_id)
    if user is None:
        raise Unauthorized("This account no longer exists", code="invalid_token")
    if membership is None:
        raise Forbidden("You are not a member of this tenant", code="tenant_forbidden")
    return Principal(
        tenant_id=tenant_id,
        role=Role(membership.role),
        user_id=user_id,
        api_key_id=None,
        email_verified=user.email_verified,
        via=via,
    )


def _from_api_key(ctx: AuthContext, key: str, *, tenant_id: str | None, client: str) -> Principal:
    now = ctx.now()
    prefix = parse_prefix(key)
    digest = hash_api_key(key)
    candidates = find_by_prefix(ctx.store, prefix) if prefix else []
    record = next((k for k in candidates if same(k.key_hash, digest)), None)
    if record is None or record.revoked_at is not None:
        reason = "revoked" if record is not None else "unknown"
        log_api_key_rejected(reason=reason)
        # only failures are counted (a valid key costs no limiter read); past the limit a
        # client's further failures answer 429 instead of 401
        rate_limits.count(ctx.store, rate_limits.API_KEY_FAILURES, client, now=now)
        raise Unauthorized(f"The API key is {reason} or not valid", code="invalid_api_key")
    if tenant_id and tenant_id != record.tenant_id:
        raise Forbidden("This API key belongs to another tenant", code="tenant_forbidden")
    role = authority(ctx.store, record)
    if role is None:  # its creator left the tenant (or the key that made it was revoked)
        log_api_key_rejected(reason="creator_gone")
        raise Unauthorized("The API key is revoked or not valid", code="invalid_api_key")
    if record.last_used_at is None or record.last_used_at + LAST_USED_RESOLUTION <= now:
        ctx.store.update(api_key_key(record.key_id), {"last_used_at": now})
    return Principal(
        tenant_id=record.tenant_id,
        role=role,
        user_id=None,
        api_key_id=record.key_id,
        email_verified=True,  # only a verified user can have created it
        via="api_key",
    )
