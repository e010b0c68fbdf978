"""Which credential a request carries, read from its headers and cookies (no Flask here).

Precedence: `Authorization: Bearer sk_…` or `X-API-Key` (an API key), `Authorization: Bearer
<jwt>` (an access token), then the dashboard session cookie.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from auth.api_keys import looks_like_api_key
from auth.sessions import COOKIE_NAME
from core.errors import Unauthorized

__all__ = ["Credential", "read_credential"]

Kind = Literal["api_key", "jwt", "session"]


@dataclass(frozen=True)
class Credential:
    kind: Kind
    value: str

    def __repr__(self) -> str:  # never show the secret
        return f"Credential(kind={self.kind!r}, value='***')"


def read_credential(headers: Mapping[str, str], cookies: Mapping[str, str]) -> Credential:
    """The request's credential, or `Unauthorized` when it carries none (or a malformed one).

    `headers` maps lower-cased header names to values.
    """
    api_key = headers.get("x-api-key", "").strip()
    if api_key:
        return Credential("api_key", api_key)
    authorization = headers.get("authorization", "").strip()
    if authorization:
        scheme, _, value = authorization.partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            raise Unauthorized(
                "Use Authorization: Bearer <token or API key>", code="invalid_authorization"
            )
        return Credential("api_key" if looks_like_api_key(value) else "jwt", value)
    cookie = cookies.get(COOKIE_NAME, "")
    if cookie:
        return Credential("session", cookie)
    raise Unauthorized("Authentication required", code="unauthenticated")
