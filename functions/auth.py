"""`auth`: sign up, verify the email, log in, tokens, sessions, API keys, members.

Every view parses its body into a command, runs it (`bootstrap.handle`) and answers JSON; a
`RateLimited` answer carries `Retry-After`.
"""

from __future__ import annotations

from typing import Any

from flask import Request, Response

import bootstrap
from auth import sessions
from core.errors import Forbidden, ValidationError
from functions._auth import authenticate, client_address, is_cross_site, require
from functions._http import http_function, json_body, json_response
from identity import api_keys, invitations, logins, members
from identity.commands import (
    AcceptInvitation,
    ChangeRole,
    CreateApiKey,
    Invite,
    JoinByInvitation,
    LogIn,
    LogOut,
    OpenSession,
    RefreshTokens,
    RemoveMember,
    ResendInvitation,
    ResendVerification,
    RevokeApiKey,
    RevokeInvitation,
    Signup,
    VerifyCode,
    VerifyEmailLink,
)

__all__ = ["auth"]


def _body(request: Request) -> dict[str, Any]:
    """A JSON object, or the fields of an HTML form post (the dashboard)."""
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return dict(request.form)
    return json_body(request)


def signup(request: Request) -> Response:
    """202 with the same body whether or not the address already has an account (its owner
    is mailed instead): verify the address, then log in."""
    command = Signup.from_body(json_body(request))
    result = bootstrap.handle(command, client=client_address(request))
    email: dict[str, Any] = {"sent": result.email_sent, "to": result.email}
    if not result.email_sent:
        email["message"] = "The verification email could not be sent; ask for a new one"
    return json_response(
        {
            "email": result.email,
            "verification_email": email,
            "next_step": "Verify the address with the emailed link or code, then log in",
        },
        status=202,
    )


def verify_email(request: Request) -> Response:
    command = VerifyEmailLink.from_body(json_body(request))
    bootstrap.handle(command, client=client_address(request))
    return json_response({"email_verified": True})


def verify_email_code(request: Request) -> Response:
    command = VerifyCode.from_body(json_body(request))
    bootstrap.handle(command, client=client_address(request))
    return json_response({"email_verified": True})


def resend_verification(request: Request) -> Response:
    bootstrap.handle(ResendVerification.from_body(json_body(request)))
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
    command = LogIn.from_body(json_body(request))
    return _tokens(bootstrap.handle(command, client=client_address(request)))


def refresh_token(request: Request) -> Response:
    return _tokens(bootstrap.handle(RefreshTokens.from_body(json_body(request))))


def create_session(request: Request) -> Response:
    command = OpenSession.from_body(json_body(request))  # JSON only: no other site's form
    session = bootstrap.handle(command, client=client_address(request))
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
    signing_key = bootstrap.auth_context().signing_key
    session_id = None
    cookie = request.cookies.get(sessions.COOKIE_NAME)
    if cookie:
        if is_cross_site(request):  # another site's page must not end (or probe) the session
            raise Forbidden(
                "A request from another site cannot use this session", code="cross_site"
            )
        session_id = sessions.unsign_session(cookie, key=signing_key)
        supplied = request.headers.get("X-CSRF-Token") or body.get("csrf_token")
        sessions.check_csrf(session_id, supplied, key=signing_key)
    token = body.get("refresh_token")
    if token is not None and not isinstance(token, str):
        raise ValidationError("`refresh_token` must be a string", param="refresh_token")
    bootstrap.handle(LogOut(refresh_token=token, session_id=session_id))
    response = Response(status=204)
    response.delete_cookie(sessions.COOKIE_NAME, path="/", secure=True, httponly=True)
    return response


def me(request: Request) -> Response:
    return json_response(members.describe(bootstrap.auth_context(), authenticate(request)))


def list_api_keys(request: Request) -> Response:
    principal = require(request, "api_keys:manage")
    keys = api_keys.list_api_keys(bootstrap.auth_context(), principal)
    return json_response({"data": [api_keys.key_view(k) for k in keys]})


def create_api_key(request: Request) -> Response:
    principal = require(request, "api_keys:manage")
    command = CreateApiKey.from_body(json_body(request))
    created = bootstrap.handle(command, principal=principal)
    body = {**api_keys.key_view(created.record), "key": created.key}
    return json_response(body, status=201, headers={"Cache-Control": "no-store"})


def revoke_api_key(request: Request, key_id: str) -> Response:
    principal = require(request, "api_keys:manage")
    revoked = bootstrap.handle(RevokeApiKey(key_id), principal=principal)
    return json_response(api_keys.key_view(revoked))


def list_members(request: Request) -> Response:
    principal = require(request, "members:read")
    return json_response({"data": members.list_members(bootstrap.auth_context(), principal)})


def invite_member(request: Request) -> Response:
    principal = require(request, "members:invite")
    invitation = bootstrap.handle(Invite.from_body(json_body(request)), principal=principal)
    return json_response({"invitation": invitation}, status=201)


def list_invitations(request: Request) -> Response:
    principal = require(request, "members:invite")
    found = invitations.list_invitations(bootstrap.auth_context(), principal)
    return json_response({"data": found})


def resend_invitation(request: Request, invitation_id: str) -> Response:
    principal = require(request, "members:invite")
    invitation = bootstrap.handle(ResendInvitation(invitation_id), principal=principal)
    return json_response({"invitation": invitation}, status=201)


def revoke_invitation(request: Request, invitation_id: str) -> Response:
    principal = require(request, "members:invite")
    bootstrap.handle(RevokeInvitation(invitation_id), principal=principal)
    return Response(status=204)


def change_member_role(request: Request, user_id: str) -> Response:
    principal = require(request, "members:manage")
    command = ChangeRole.from_body(json_body(request), user_id=user_id)
    return json_response(bootstrap.handle(command, principal=principal))


def remove_member(request: Request, user_id: str) -> Response:
    principal = require(request, "members:manage")
    bootstrap.handle(RemoveMember(user_id), principal=principal)
    return Response(status=204)


def accept_invitation(request: Request) -> Response:
    principal = authenticate(request)
    command = AcceptInvitation.from_body(json_body(request))
    return json_response(bootstrap.handle(command, principal=principal))


def join_by_invitation(request: Request) -> Response:
    """Someone new joins through an invitation's token: 201 with their account (verified) and
    the tenant; then they log in."""
    command = JoinByInvitation.from_body(json_body(request))
    joined = bootstrap.handle(command, client=client_address(request))
    return json_response(
        {
            "user": {"id": joined.user_id, "email": joined.email, "email_verified": True},
            "tenant_id": joined.tenant_id,
            "role": joined.role,
        },
        status=201,
    )


auth = http_function("auth")
