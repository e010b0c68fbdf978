"""`auth`: sign up, verify the email, log in, tokens, sessions, API keys, members.

Every view parses its body into a command, calls one service function and answers JSON;
a `RateLimited` answer carries `Retry-After`.
"""

from __future__ import annotations

from typing import Any

from flask import Request, Response

from auth import sessions
from bootstrap import auth_context
from core import fields
from core.errors import ValidationError
from functions._auth import authenticate, client_address, require
from functions._http import http_function, json_body, json_response
from identity import api_keys, logins, members, registration
from identity.commands import (
    ChangeRole,
    CreateApiKey,
    Credentials,
    Invite,
    Signup,
    VerifyCode,
    email_address,
)
from identity.context import AuthContext

__all__ = ["auth"]


def _ctx() -> AuthContext:
    return auth_context()


def _body(request: Request) -> dict[str, Any]:
    """A JSON object, or the fields of an HTML form post (the dashboard)."""
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return dict(request.form)
    return json_body(request)


def signup(request: Request) -> Response:
    result = registration.signup(
        _ctx(), Signup.from_body(json_body(request)), client=client_address(request)
    )
    email = {"sent": result.verification_email_sent, "to": result.email}
    if not result.verification_email_sent:
        email["message"] = "The verification email could not be sent; ask for a new one"
    return json_response(
        {
            "user": {"id": result.user_id, "email": result.email, "email_verified": False},
            "tenant_id": result.tenant_id,
            "role": "owner",
            "verification_email": email,
        },
        status=201,
    )


def verify_email(request: Request) -> Response:
    token = fields.text(json_body(request), "token", required=True)
    registration.verify_email_token(_ctx(), token, client=client_address(request))
    return json_response({"email_verified": True})


def verify_email_code(request: Request) -> Response:
    command = VerifyCode.from_body(json_body(request))
    registration.verify_email_code(_ctx(), command, client=client_address(request))
    return json_response({"email_verified": True})


def resend_verification(request: Request) -> Response:
    registration.resend_verification(_ctx(), email_address(json_body(request)))
    return json_response({"status": "sent if the address has an unverified account"}, status=202)


def _tokens(pair: logins.TokenPair) -> Response:
    return json_response(
        {
            "access_token": pair.access_token,
            "refresh_token": pair.refresh_token,
            "token_type": pair.token_type,
            "expires_in": pair.expires_in,
        },
        headers={"Cache-Control": "no-store"},
    )


def login(request: Request) -> Response:
    credentials = Credentials.from_body(json_body(request))
    return _tokens(logins.login(_ctx(), credentials, client=client_address(request)))


def refresh_token(request: Request) -> Response:
    token = fields.text(json_body(request), "refresh_token", required=True)
    return _tokens(logins.refresh(_ctx(), token))


def create_session(request: Request) -> Response:
    credentials = Credentials.from_body(_body(request))
    session = logins.create_session(_ctx(), credentials, client=client_address(request))
    response = json_response({"csrf_token": session.csrf_token, "expires_in": session.max_age})
    response.headers["Cache-Control"] = "no-store"
    response.set_cookie(
        sessions.COOKIE_NAME,
        session.cookie,
        max_age=session.max_age,
        httponly=True,
        secure=True,
        samesite="Lax",
        path="/",
    )
    return response


def logout(request: Request) -> Response:
    """Revoke the refresh token given in the body and/or the session of the cookie."""
    body = _body(request) if request.content_length else {}
    ctx = _ctx()
    session_id = None
    cookie = request.cookies.get(sessions.COOKIE_NAME)
    if cookie:
        session_id = sessions.unsign_session(cookie, key=ctx.signing_key)
        supplied = request.headers.get("X-CSRF-Token") or body.get("csrf_token")
        sessions.check_csrf(session_id, supplied, key=ctx.signing_key)
    token = body.get("refresh_token")
    if token is not None and not isinstance(token, str):
        raise ValidationError("`refresh_token` must be a string", param="refresh_token")
    logins.logout(ctx, refresh_token=token, session_id=session_id)
    response = Response(status=204)
    response.delete_cookie(sessions.COOKIE_NAME, path="/", secure=True, httponly=True)
    return response


def me(request: Request) -> Response:
    return json_response(members.describe(_ctx(), authenticate(request)))


def list_api_keys(request: Request) -> Response:
    principal = require(request, "api_keys:manage")
    keys = api_keys.list_api_keys(_ctx(), principal)
    return json_response({"data": [api_keys.key_view(k) for k in keys]})


def create_api_key(request: Request) -> Response:
    principal = require(request, "api_keys:manage")
    command = CreateApiKey.from_body(json_body(request))
    created = api_keys.create_api_key(_ctx(), principal, command)
    body = {**api_keys.key_view(created.record), "key": created.key}
    return json_response(body, status=201, headers={"Cache-Control": "no-store"})


def revoke_api_key(request: Request, key_id: str) -> Response:
    principal = require(request, "api_keys:manage")
    return json_response(api_keys.key_view(api_keys.revoke_api_key(_ctx(), principal, key_id)))


def list_members(request: Request) -> Response:
    principal = require(request, "members:read")
    return json_response({"data": members.list_members(_ctx(), principal)})


def invite_member(request: Request) -> Response:
    principal = require(request, "members:manage")
    invitation = members.invite_member(_ctx(), principal, Invite.from_body(json_body(request)))
    return json_response({"invitation": invitation}, status=201)


def change_member_role(request: Request, user_id: str) -> Response:
    principal = require(request, "members:manage")
    command = ChangeRole.from_body(json_body(request))
    return json_response(members.change_member_role(_ctx(), principal, user_id, command))


def remove_member(request: Request, user_id: str) -> Response:
    principal = require(request, "members:manage")
    members.remove_member(_ctx(), principal, user_id)
    return Response(status=204)


def accept_invitation(request: Request) -> Response:
    principal = authenticate(request)
    token = fields.text(json_body(request), "token", required=True)
    return json_response(members.accept_invitation(_ctx(), principal, token))


auth = http_function("auth")
