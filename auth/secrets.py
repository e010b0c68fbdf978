"""Random secrets and how they are stored: only as hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

__all__ = ["keyed_hash", "new_code", "new_token", "random_id", "same", "sha256"]

_ALPHANUMERIC = string.ascii_letters + string.digits


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def random_id(prefix: str, length: int = 20) -> str:
    """An opaque id such as `usr_3kq…` (alphanumeric, ~119 bits at the default length)."""
    return f"{prefix}_{''.join(secrets.choice(_ALPHANUMERIC) for _ in range(length))}"


def random_alphanumeric(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def sha256(value: str) -> str:
    """The stored form of a high-entropy secret (API key, refresh token, session id)."""
    return hashlib.sha256(value.encode()).hexdigest()


def keyed_hash(value: str, *, key: str) -> str:
    """The stored form of a low-entropy secret (a 6-digit code): HMAC-SHA256 under the signing
    key, so a leaked database does not give the code away by brute force."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
