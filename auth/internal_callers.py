"""Who may call the internal routes (`/tasks/*`: Pub/Sub push; `/jobs/*`: Cloud Scheduler).

Deployed, those callers send a Google-signed OIDC ID token (`Authorization: Bearer …`) minted
for a service account: `check_google_id_token` verifies its RS256 signature against Google's
published keys, its issuer, its audience (this function's URL) and that it names a service
account allowed to invoke. Locally the emulators mint no tokens (the Pub/Sub emulator sends no
`Authorization` at all), so `check_shared_token` compares a shared development token instead.
Both refuse with 401; the calling service account being the wrong one is a 403.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Sequence
from typing import Protocol

import jwt

from core.errors import Forbidden, Unauthorized, Unavailable

__all__ = [
    "GOOGLE_ISSUERS",
    "GOOGLE_KEYS_URL",
    "SigningKeys",
    "check_google_id_token",
    "check_shared_token",
    "google_signing_keys",
]

GOOGLE_KEYS_URL = "https://www.googleapis.com/oauth2/v3/certs"
GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")
KEYS_LIFESPAN_SECONDS = 3600  # Google rotates its keys over days; an unknown `kid` refetches
LEEWAY_SECONDS = 30  # clock skew between Google and this instance


class SigningKeys(Protocol):
    """Finds the public key a token names (`kid`): `jwt.PyJWKClient` or a test's own."""

    def get_signing_key_from_jwt(self, token: str) -> jwt.PyJWK: ...


@functools.cache
def google_signing_keys() -> jwt.PyJWKClient:
    """Google's keys, fetched on first use and kept for an hour (one instance-wide client)."""
    return jwt.PyJWKClient(
        GOOGLE_KEYS_URL, cache_jwk_set=True, lifespan=KEYS_LIFESPAN_SECONDS, timeout=5
    )


def check_google_id_token(
    token: str, *, audience: str, invokers: Sequence[str], keys: SigningKeys
) -> str:
    """The invoking service account's email, if `token` is a valid Google ID token for
    `audience` minted for one of `invokers`."""
    try:
        key = keys.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=audience,
            issuer=GOOGLE_ISSUERS,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "email"]},
        )
    except jwt.PyJWKClientConnectionError:
        raise Unavailable("Google's signing keys could not be fetched; retry") from None
    except jwt.PyJWTError:
        raise Unauthorized("Not a valid Google ID token for this service") from None
    email = claims.get("email")
    if claims.get("email_verified") is not True or email not in invokers:
        raise Forbidden("This service account may not call internal routes", code="not_invoker")
    return str(email)


def check_shared_token(supplied: str | None, *, expected: str) -> None:
    """Local development: the caller knows the stack's shared token."""
    if not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise Unauthorized("Internal routes need the stack's internal token")
