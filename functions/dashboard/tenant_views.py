"""Belonging to businesses: an invitation's page (accept it, or join as someone new), switching
the business in effect."""

from __future__ import annotations

from typing import Any

from flask import Request, Response

import bootstrap
from auth.passwords import MIN_LENGTH
from core.errors import AppError, NotFound
from functions._auth import client_address
from functions.dashboard._session import (
    Shell,
    check_form_token,
    set_session_cookie,
    signed_in,
)
from functions.dashboard._web import page, redirect, render, render_form, render_form_error
from functions.dashboard.account_views import FORM_ERRORS
from identity import invitations
from identity.commands import AcceptInvitation, JoinByInvitation, OpenSession, SwitchTenant

__all__ = ["accept_invitation", "invitation_page", "join_team", "switch_tenant"]


@page
def invitation_page(request: Request) -> Response:
    """Who invites whom, to which business, as what. Signed in: accept. Not signed in: choose
    a password to join (a new account), or log in to accept."""
    token = request.args.get("token", "")
    invitation = _invitation(token)
    shell = _shell_if_signed_in(request)
    if invitation is None:
        return render(request, "invitation.html", status=404, **_context(shell, token, None))
    return render_form(request, "invitation.html", **_context(shell, token, invitation))


@page
def join_team(request: Request) -> Response:
    """Someone new joins through the invitation: their account (verified: the link came to
    their address), a member of that business only, and logged in."""
    check_form_token(request)
    form = dict(request.form)
    token = form.get("token", "")
    try:
        command = JoinByInvitation.from_body(form)
        joined = bootstrap.handle(command, client=client_address(request))
        opening = OpenSession(joined.email, command.password)
        session = bootstrap.handle(opening, client=client_address(request))
    except (*FORM_ERRORS, NotFound) as error:  # NotFound: the invitation is gone
        invitation = _invitation(token)
        context = _context(None, token, invitation)
        if invitation is None:
            return render(request, "invitation.html", status=404, **context)
        return render_form_error(request, "invitation.html", error, **context)
    response = redirect("/dashboard", notice="joined")
    set_session_cookie(response, session.cookie, max_age=session.max_age)
    return response


@page
def accept_invitation(request: Request) -> Response:
    shell = signed_in(request)
    command = AcceptInvitation.from_body(dict(request.form))
    joined = bootstrap.handle(command, principal=shell.principal)
    bootstrap.handle(SwitchTenant(str(joined["tenant_id"])), principal=shell.principal)
    return redirect("/dashboard", notice="joined")


@page
def switch_tenant(request: Request) -> Response:
    shell = signed_in(request)
    command = SwitchTenant.from_body(dict(request.form))
    bootstrap.handle(command, principal=shell.principal)
    return redirect("/dashboard", notice="switched")


def _invitation(token: str) -> invitations.InvitationView | None:
    ctx = bootstrap.auth_context()
    return invitations.find_invitation(ctx.store, token, now=ctx.now()) if token else None


def _shell_if_signed_in(request: Request) -> Shell | None:
    if not request.cookies.get("session"):
        return None
    try:
        return signed_in(request)
    except AppError:  # an ended session: the page as for anyone
        return None


def _context(
    shell: Shell | None, token: str, invitation: invitations.InvitationView | None
) -> dict[str, Any]:
    return {
        "shell": shell,
        "token": token,
        "invitation": invitation,
        "title": "Join a team",
        "min_password": MIN_LENGTH,
    }
