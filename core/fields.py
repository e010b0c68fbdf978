"""Reading the fields of a request body: one validator per kind of field, for every command of
both halves (`payments.commands`, `identity.commands`). Each returns the field's value (None
when an optional field is absent) or raises `ValidationError` (400) naming the field in
`param`: `parameter_missing` for a required field that is absent, `parameter_invalid` for one
of the wrong type, length or form (a blank string included).
"""

from __future__ import annotations

import re
from typing import Any, Literal, NoReturn, TypeVar, overload
from urllib.parse import urlsplit

from core.errors import ValidationError

__all__ = [
    "MAX_AMOUNT",
    "Body",
    "amount",
    "email",
    "http_url",
    "metadata",
    "one_of",
    "required",
    "secret",
    "text",
]

Body = dict[str, Any]
T = TypeVar("T")
MAX_AMOUNT = 99_999_999  # minor units
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254
METADATA_KEYS = 40
METADATA_KEY_CHARS = 40
METADATA_VALUE_CHARS = 500


def required(value: T | None, param: str) -> T:
    """`value`, which an optional reader returned: `parameter_missing` if it is None."""
    return _missing(param) if value is None else value


@overload
def text(
    body: Body,
    name: str,
    *,
    required: Literal[True],
    max_length: int = ...,
    param: str | None = ...,
) -> str: ...
@overload
def text(
    body: Body, name: str, *, required: bool = ..., max_length: int = ..., param: str | None = ...
) -> str | None: ...
def text(
    body: Body,
    name: str,
    *,
    required: bool = False,
    max_length: int = 200,
    param: str | None = None,
) -> str | None:
    """A non-blank string of at most `max_length` characters, stripped."""
    param = param or name
    value = body.get(name)
    if value is None:
        return _missing(param) if required else None
    if not isinstance(value, str):
        raise _invalid(f"`{param}` must be a string", param)
    if not value.strip():
        raise _invalid(f"`{param}` must not be blank", param)
    if len(value) > max_length:
        raise _invalid(f"`{param}` must have at most {max_length} characters", param)
    return value.strip()


def secret(body: Body, name: str, *, max_length: int = 256) -> str:
    """A required string kept exactly as typed (a password: spaces are part of it)."""
    value = body.get(name)
    if value is None or value == "":
        _missing(name)
    if not isinstance(value, str):
        raise _invalid(f"`{name}` must be a string", name)
    if len(value) > max_length:
        raise _invalid(f"`{name}` must have at most {max_length} characters", name)
    return value


@overload
def email(body: Body, name: str = ..., *, required: Literal[True]) -> str: ...
@overload
def email(body: Body, name: str = ..., *, required: bool = ...) -> str | None: ...
def email(body: Body, name: str = "email", *, required: bool = False) -> str | None:
    """An email address (stripped; its case as given)."""
    value = text(body, name, required=required, max_length=MAX_EMAIL)
    if value is not None and not EMAIL.match(value):
        raise ValidationError("Give a valid email address", code="invalid_email", param=name)
    return value


def amount(body: Body, name: str, *, param: str | None = None) -> int | None:
    """A positive integer amount in minor units, at most `MAX_AMOUNT`."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_AMOUNT:
        raise _invalid(
            f"`{param or name}` must be a positive integer amount in minor units (e.g. cents)",
            param or name,
        )
    return value


def one_of(
    body: Body, name: str, choices: tuple[str, ...], *, code: str | None = None
) -> str | None:
    value = body.get(name)
    if value is not None and value not in choices:
        raise ValidationError(
            f"`{name}` must be one of {', '.join(choices)}",
            code=code or "parameter_invalid",
            param=name,
        )
    return value


def http_url(body: Body, name: str) -> str | None:
    """An absolute http(s) URL."""
    value = text(body, name, max_length=2048)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise _invalid(f"`{name}` must be an absolute http(s) URL", name)
    return value


def metadata(body: Body) -> dict[str, str]:
    """Stripe-style metadata: at most 40 string keys and values; `tenant_id` is ours."""
    value = body.get("metadata", {})
    if not isinstance(value, dict) or len(value) > METADATA_KEYS:
        raise _invalid(f"`metadata` must be an object of at most {METADATA_KEYS} keys", "metadata")
    for key, item in value.items():
        if key == "tenant_id" or not 0 < len(key) <= METADATA_KEY_CHARS:
            raise _invalid(f"metadata key {key[:METADATA_KEY_CHARS]!r} is not allowed", "metadata")
        if not isinstance(item, str) or len(item) > METADATA_VALUE_CHARS:
            raise _invalid(
                f"metadata values must be strings of at most {METADATA_VALUE_CHARS} characters",
                "metadata",
            )
    return dict(value)


def _missing(param: str) -> NoReturn:
    raise ValidationError(f"`{param}` is required", code="parameter_missing", param=param)


def _invalid(message: str, param: str) -> ValidationError:
    return ValidationError(message, code="parameter_invalid", param=param)
