"""Frozen, validated request types of the identity flows, built from a JSON body at the edge."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auth.principal import Role
from core import fields
from core.errors import ValidationError
from core.fields import Body

__all__ = [
    "ChangeRole",
    "CreateApiKey",
    "Credentials",
    "Invite",
    "Signup",
    "VerifyCode",
    "email_address",
    "role_field",
]

ROLES = tuple(role.value for role in Role)


def email_address(body: Body, name: str = "email") -> str:
    """A person's email address, lower-cased: identity compares addresses without case."""
    return fields.email(body, name, required=True).lower()


def role_field(body: Body, name: str = "role", default: Role | None = None) -> Role:
    value = fields.one_of(body, name, ROLES, code="invalid_role")
    return Role(value) if value is not None else fields.required(default, name)


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str = field(repr=False)

    @classmethod
    def from_body(cls, body: Body) -> Credentials:
        return cls(email_address(body), fields.secret(body, "password"))


@dataclass(frozen=True)
class Signup:
    email: str
    password: str = field(repr=False)
    business_name: str

    @classmethod
    def from_body(cls, body: Body) -> Signup:
        return cls(
            email=email_address(body),
            password=fields.secret(body, "password"),
            business_name=fields.text(body, "business_name", required=True, max_length=100),
        )


@dataclass(frozen=True)
class VerifyCode:
    email: str
    code: str = field(repr=False)

    @classmethod
    def from_body(cls, body: Body) -> VerifyCode:
        code = fields.text(body, "code", required=True, max_length=12)
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError("`code` is the 6-digit code", code="invalid_code", param="code")
        return cls(email_address(body), code)


@dataclass(frozen=True)
class CreateApiKey:
    name: str
    role: Role | None

    @classmethod
    def from_body(cls, body: Body) -> CreateApiKey:
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
    def from_body(cls, body: Body) -> Invite:
        return cls(email=email_address(body), role=role_field(body, default=Role.VIEWER))


@dataclass(frozen=True)
class ChangeRole:
    role: Role

    @classmethod
    def from_body(cls, body: Body) -> ChangeRole:
        return cls(role=role_field(body))
