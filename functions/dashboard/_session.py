"""Who is looking at the dashboard: the session cookie, the tenant in effect, what they may do.

The dashboard takes only its own credential, the `session` cookie (bearer tokens and API keys
are for the API); a missing or ended session means "log in" (the page decorator redirects).
Every state-changing form carries the session's CSRF token (`csrf_token`), checked by the same
`identity.principals.authenticate` as the API. Forms shown before login (sign up, log in,
verify) use a double-submit token instead: an HMAC of a random `form_nonce` cookie
(`SameSite=Strict`), so another site cannot post them in the user's name.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Request, Response

import bootstrap
from auth import sessions
from auth.credentials import Credential
from auth.principal import Principal, Role
from auth.rbac import VERIFIED_EMAIL_REQUIRED, authorize, can_grant, has_permission
from core.errors import Forbidden, Unauthorized, ValidationError
from functions._auth import client_address, is_cross_site
from identity import members
from identity.principals import authenticate

__all__ = [
    "FORM_COOKIE",
    "Shell",
    "check_form_token",
    "clear_session_cookie",
    "current_shell",
    "form_field",
    "form_nonce",
    "safe_next",
    "set_form_cookie",
    "set_session_cookie",
    "signed_in",
]

FORM_COOKIE = "form_nonce"
SHELL_KEY = "dashboard.shell"  # the request's Shell, for error pages drawn inside the layout


@dataclass(frozen=True)
class Shell:
    """The signed-in user, the tenant in effect and their role: what every page's layout
    needs, and what decides which buttons it shows."""

    principal: Principal
    email: str
    tenant_name: str
    memberships: list[dict[str, Any]]
    csrf_token: str

    @property
    def role(self) -> Role:
        return self.principal.role

    @property
    def verified(self) -> bool:
        return self.principal.email_verified

    def can(self, permission: str) -> bool:
        """The role holds `permission` and, where the matrix asks, the email is verified."""
        if not has_permission(self.role, permission):
            return False
        return self.verified or permission not in VERIFIED_EMAIL_REQUIRED

    def role_allows(self, permission: str) -> bool:
        return has_permission(self.role, permission)

    def can_hold(self, role: str) -> bool:
        """Is `role` the user's own or a weaker one (e.g. for a new API key)?"""
        return self.role.at_least(Role(role))

    def can_grant(self, role: str) -> bool:
        return can_grant(self.role, Role(role))

    def grantable_roles(self) -> list[str]:
        return [role.value for role in Role if can_grant(self.role, role)]


def signed_in(request: Request, permission: str | None = None) -> Shell:
    """The request's `Shell`; `Unauthorized` without a live session, `Forbidden` if the role
    lacks `permission` (or the CSRF token of a form post is missing or wrong)."""
    cookie = request.cookies.get(sessions.COOKIE_NAME, "")
    if not cookie:
        raise Unauthorized("Log in to continue", code="unauthenticated")
    ctx = bootstrap.auth_context()
    principal = authenticate(
        ctx,
        Credential("session", cookie),
        tenant_id=None,
        method=request.method,
        csrf_token=form_field(request, "csrf_token") or request.headers.get("X-CSRF-Token"),
        client=client_address(request),
        cross_site=is_cross_site(request),
    )
    me = members.describe(ctx, principal)
    names = {m["tenant_id"]: m["tenant_name"] for m in me["memberships"]}
    shell = Shell(
        principal=principal,
        email=str((me.get("user") or {}).get("email") or ""),
        tenant_name=names.get(principal.tenant_id) or "Your business",
        memberships=list(me["memberships"]),
        csrf_token=sessions.csrf_token(principal.session_id or "", key=ctx.signing_key),
    )
    request.environ[SHELL_KEY] = shell
    if permission is not None:
        authorize(principal, permission)
    return shell


def current_shell(request: Request) -> Shell | None:
    shell = request.environ.get(SHELL_KEY)
    return shell if isinstance(shell, Shell) else None


def form_field(request: Request, name: str) -> str | None:
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    value = request.form.get(name)
    return value if value else None


def set_session_cookie(response: Response, value: str, *, max_age: int) -> None:
    """The same cookie as `POST /api/v1/sessions`: HttpOnly, Secure, SameSite=Lax. Chromium
    and Firefox keep Secure cookies of http://localhost and http://127.0.0.1, so the local
    stack needs no exception."""
    response.set_cookie(
        sessions.COOKIE_NAME,
        value,
        max_age=max_age,
        httponly=True,
        secure=True,
        samesite="Lax",
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(sessions.COOKIE_NAME, path="/", secure=True, httponly=True)


def form_nonce(request: Request) -> tuple[str, str, bool]:
    """(nonce, token, new): the browser's pre-login form nonce (a new one if it has none) and
    the token its forms carry."""
    nonce = request.cookies.get(FORM_COOKIE, "")
    new = len(nonce) < 32
    if new:
        nonce = secrets.token_urlsafe(32)
    token = sessions.csrf_token(nonce, key=bootstrap.auth_context().signing_key)
    return nonce, token, new


def set_form_cookie(response: Response, nonce: str) -> None:
    response.set_cookie(FORM_COOKIE, nonce, httponly=True, secure=True, samesite="Strict", path="/")


def check_form_token(request: Request) -> None:
    """`Forbidden` unless the form's `form_token` matches the browser's nonce cookie."""
    nonce = request.cookies.get(FORM_COOKIE, "")
    if len(nonce) < 32:
        raise Forbidden("This form has expired", code="csrf_failed")
    key = bootstrap.auth_context().signing_key
    sessions.check_csrf(nonce, form_field(request, "form_token"), key=key)


def safe_next(target: str | None, default: str = "/dashboard") -> str:
    """A local path to go to after logging in; anything else (another site, a scheme) →
    `default`. A target with a control character or whitespace is refused (400, before anything
    is done): browsers and Werkzeug drop or split on those, so `/\t/host` would leave as
    `//host`, and a CR/LF cannot go in a `Location` header at all."""
    if not target:
        return default
    if any(char.isspace() or unicodedata.category(char)[0] == "C" for char in target):
        raise ValidationError("`next` must be a path of this site", param="next")
    parts = urlsplit(target)
    local = not (parts.scheme or parts.netloc) and target.startswith("/")
    if not local or target.startswith("//") or "\\" in target:
        return default
    normalised = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    return target if normalised == target else default
