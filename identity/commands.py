"""Frozen, validated requests of the identity flows: what a person or a key asks for. Each is
built at the edge by `from_body(body, **from_the_request)` (bodies read with `core.fields`) and
run by `bootstrap.handle`, as the money half's commands are."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Self

from auth.principal import Role
from core import fields
from core.errors import ValidationError
from core.fields import Body
from ledger.ids import storable_id

__all__ = [
    "AcceptInvitation",
    "ChangeRole",
    "CreateApiKey",
    "Credentials",
    "Invite",
    "JoinByInvitation",
    "LogIn",
    "LogOut",
    "OpenSession",
    "RefreshTokens",
    "RemoveMember",
    "ResendInvitation",
    "ResendVerification",
    "RevokeApiKey",
    "RevokeInvitation",
    "Signup",
    "SwitchTenant",
    "VerifyCode",
    "VerifyEmailLink",
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
    def from_body(cls, body: Body) -> Self:
        return cls(email_address(body), fields.secret(body, "password"))


class LogIn(Credentials):
    """Log in for API tokens (an access and a refresh token)."""


class OpenSession(Credentials):
    """Log in for a dashboard session (a signed cookie)."""


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
    user_id: str
    role: Role

    @classmethod
    def from_body(cls, body: Body, *, user_id: str) -> ChangeRole:
        return cls(user_id, role_field(body))


@dataclass(frozen=True)
class RemoveMember:
    user_id: str


@dataclass(frozen=True)
class AcceptInvitation:
    token: str = field(repr=False)

    @classmethod
    def from_body(cls, body: Body) -> AcceptInvitation:
        return cls(fields.text(body, "token", required=True))


@dataclass(frozen=True)
class JoinByInvitation:
    """A new person accepts an invitation: their account is made for the invited address (the
    emailed token proves it theirs) and joins that business only."""

    token: str = field(repr=False)
    password: str = field(repr=False)

    @classmethod
    def from_body(cls, body: Body) -> JoinByInvitation:
        return cls(fields.text(body, "token", required=True), fields.secret(body, "password"))


@dataclass(frozen=True)
class RevokeInvitation:
    invitation_id: str


@dataclass(frozen=True)
class ResendInvitation:
    """A fresh link for a pending invitation (the old one stops working)."""

    invitation_id: str


@dataclass(frozen=True)
class SwitchTenant:
    tenant_id: str

    @classmethod
    def from_body(cls, body: Body) -> SwitchTenant:
        return cls(fields.text(body, "tenant_id", required=True))


@dataclass(frozen=True)
class VerifyEmailLink:
    token: str = field(repr=False)  # USER_ID.SECRET, from the verification email's link

    @classmethod
    def from_body(cls, body: Body) -> VerifyEmailLink:
        """The token's user part names a document: one no document can have is refused here,
        where it enters (a 400 naming `token`), like any other malformed token."""
        token = fields.text(body, "token", required=True)
        user_id, dot, secret = token.partition(".")
        if not (dot and secret and storable_id(user_id)):
            raise ValidationError(
                "The verification link or code is not valid",
                code="invalid_verification",
                param="token",
            )
        return cls(token)


@dataclass(frozen=True)
class ResendVerification:
    email: str

    @classmethod
    def from_body(cls, body: Body) -> ResendVerification:
        return cls(email_address(body))


@dataclass(frozen=True)
class RefreshTokens:
    refresh_token: str = field(repr=False)

    @classmethod
    def from_body(cls, body: Body) -> RefreshTokens:
        return cls(fields.text(body, "refresh_token", required=True))


@dataclass(frozen=True)
class LogOut:
    refresh_token: str | None = field(default=None, repr=False)
    session_id: str | None = field(default=None, repr=False)  # of a verified session cookie


@dataclass(frozen=True)
class RevokeApiKey:
    key_id: str
