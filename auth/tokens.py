"""Access tokens: short-lived HS256 JWTs carrying `sub` (user), `tid` (default tenant), `jti`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import jwt

from core.errors import Unauthorized

__all__ = ["ACCESS_TTL_SECONDS", "AccessClaims", "decode_access_token", "issue_access_token"]

ACCESS_TTL_SECONDS = 900
ISSUER = "payment-event-processor"
_ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: str
    tenant_id: str
    jti: str
    expires_at: int


def issue_access_token(
    *, key: str, user_id: str, tenant_id: str, now: datetime, ttl: int = ACCESS_TTL_SECONDS
) -> str:
    issued = int(now.timestamp())
    claims = {
        "iss": ISSUER,
        "typ": "access",
        "sub": user_id,
        "tid": tenant_id,
        "jti": uuid.uuid4().hex,
        "iat": issued,
        "exp": issued + ttl,
    }
    return jwt.encode(claims, key, algorithm=_ALGORITHM)


def decode_access_token(token: str, *, key: str) -> AccessClaims:
    """The claims of a valid, unexpired access token; `Unauthorized` otherwise."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[_ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "jti", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("The access token has expired", code="token_expired") from None
    except jwt.PyJWTError:
        raise Unauthorized("The access token is not valid", code="invalid_token") from None
    if claims.get("typ") != "access" or not isinstance(claims.get("tid"), str):
        raise Unauthorized("The access token is not valid", code="invalid_token")
    return AccessClaims(
        user_id=str(claims["sub"]),
        tenant_id=claims["tid"],
        jti=str(claims["jti"]),
        expires_at=int(claims["exp"]),
    )
