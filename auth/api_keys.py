"""API keys: `sk_test_…` / `sk_live_…`, shown once, stored as a SHA-256 hash with a lookup prefix.

A key is `sk_{mode}_{prefix}{secret}`: 8 characters of lookup prefix and 40 of secret, all
alphanumeric (about 285 bits of randomness). Only the prefix (to find the record) and the hash
(to check it) are stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auth.secrets import random_alphanumeric, sha256

__all__ = ["GeneratedKey", "generate_api_key", "hash_api_key", "looks_like_api_key", "parse_prefix"]

PREFIX_LENGTH = 8
SECRET_LENGTH = 40
_KEY = re.compile(
    rf"^sk_(test|live)_([A-Za-z0-9]{{{PREFIX_LENGTH}}})[A-Za-z0-9]{{{SECRET_LENGTH}}}$"
)


@dataclass(frozen=True)
class GeneratedKey:
    key: str  # shown to the caller once, never stored
    lookup_prefix: str
    key_hash: str
    mode: str


def generate_api_key(*, livemode: bool) -> GeneratedKey:
    mode = "live" if livemode else "test"
    prefix = random_alphanumeric(PREFIX_LENGTH)
    key = f"sk_{mode}_{prefix}{random_alphanumeric(SECRET_LENGTH)}"
    return GeneratedKey(
        key=key, lookup_prefix=f"sk_{mode}_{prefix}", key_hash=sha256(key), mode=mode
    )


def looks_like_api_key(value: str) -> bool:
    return value.startswith(("sk_test_", "sk_live_"))


def parse_prefix(key: str) -> str | None:
    """The lookup prefix (`sk_test_XXXXXXXX`) of a well-formed key, else None."""
    match = _KEY.match(key)
    return f"sk_{match.group(1)}_{match.group(2)}" if match else None


def hash_api_key(key: str) -> str:
    return sha256(key)
