"""Frozen, validated request types of the identity flows, built from a JSON body at the edge."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from auth.principal import Role
from core.errors import ValidationError

__all__ = [
    "ChangeRole",
    "CreateApiKey",
    "Credentials",
    "Invite",
    "Signup",
    "VerifyCode",
    "email_field",
    "text_field",
]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def text_field(body: dict[str, Any], name: str, *, max_length: int = 200) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"`{name}` is required", code="missing_field", param=name)
    if len(value) > max_length:
        raise ValidationError(
            f"`{name}` must have at most {max_length} characters", code="too_long", param=name
        )
    return value


def email_field(body: dict[str, Any], name: str = "email") -> str:
    email = text_field(body, name, max_length=254).strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError("Give a valid email address", code="invalid_email", param=name)
    return email


def role_field(body: dict[str, Any], name: str = "role", default: Role | None = None) -> Role:
    value = body.get(name)
    if value is None and default is not None:
        return default
    try:
        return Role(str(value))
    except ValueError:
        roles = ", ".join(role.value for role in Role)
        raise ValidationError(
            f"`{name}` must be one of {roles}", code="invalid_role", param=name
        ) from None


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str = field(repr=False)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Credentials:
        return cls(email_field(body), text_field(body, "password", max_length=256))


@dataclass(frozen=True)
class Signup:
    email: str
    password: str = field(repr=False)
    business_name: str

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Signup:
        return cls(
            email=email_field(body),
            password=text_field(body, "password", max_length=256),
            business_name=text_field(body, "business_name", max_length=100).strip(),
        )


@dataclass(frozen=True)
class VerifyCode:
    email: str
    code: str = field(repr=False)

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> VerifyCode:
        code = text_field(body, "code", max_length=12).strip()
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError("`code` is the 6-digit code", code="invalid_code", param="code")
        return cls(email_field(body), code)


@dataclass(frozen=True)
class CreateApiKey:
    name: str
    role: Role | None

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> CreateApiKey:
        name = body.get("name")
        if name is None:
            name = "API key"
        if not isinstance(name, str) or len(name) > 100:
            raise ValidationError("`name` is a text of at most 100 characters", param="name")
        role = role_field(body) if body.get("role") is not None else None
        return cls(name=name.strip() or "API key", role=role)


@dataclass(frozen=True)
class Invite:
    email: str
    role: Role

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Invite:
        return cls(email=email_field(body), role=role_field(body, default=Role.VIEWER))


@dataclass(frozen=True)
class ChangeRole:
    role: Role

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ChangeRole:
        return cls(role=role_field(body))
