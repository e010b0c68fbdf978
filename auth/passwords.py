"""Password hashing (Argon2id, the library's default parameters) and strength rules."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import ValidationError

__all__ = ["MIN_LENGTH", "check_strength", "hash_password", "needs_rehash", "verify_password"]

MIN_LENGTH = 10
MAX_LENGTH = 256
_COMMON = frozenset(
    {"password12", "password123", "1234567890", "qwertyuiop", "letmein123", "iloveyou12"}
)


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    return _hasher().hash("not-a-real-password-just-for-timing")


def check_strength(password: str) -> None:
    """Raise `ValidationError` for a password too short, too long, common or single-class."""
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            f"The password must have at least {MIN_LENGTH} characters",
            code="weak_password",
            param="password",
        )
    if len(password) > MAX_LENGTH:
        raise ValidationError(
            f"The password must have at most {MAX_LENGTH} characters",
            code="invalid_password",
            param="password",
        )
    if password.lower() in _COMMON or len(set(password)) < 4:
        raise ValidationError(
            "The password is too easy to guess", code="weak_password", param="password"
        )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches. With no stored hash (unknown user) it still spends the
    time of one verification, so the answer takes as long either way."""
    try:
        return _hasher().verify(stored_hash or _dummy_hash(), password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
