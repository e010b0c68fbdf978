"""Team: the business's members and roles, invitations; owners and admins manage them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Request, Response

import bootstrap
from core.errors import AppError, Conflict, Forbidden, UpstreamError, ValidationError
from functions.dashboard._session import Shell, signed_in
from functions.dashboard._web import page, redirect, render
from identity import invitations, members
from identity.commands import (
    ChangeRole,
    Invite,
    RemoveMember,
    ResendInvitation,
    RevokeInvitation,
)

__all__ = [
    "change_role",
    "invite",
    "remove_member",
    "resend_invitation",
    "revoke_invitation",
    "team_page",
]

FORM_ERRORS = (ValidationError, Forbidden, Conflict, UpstreamError)


@page
def team_page(request: Request) -> Response:
    return _team(request, signed_in(request, "members:read"))


@page
def invite(request: Request) -> Response:
    shell = signed_in(request, "members:invite")
    try:
        command = Invite.from_body(dict(request.form))
        bootstrap.handle(command, principal=shell.principal)
    except FORM_ERRORS as error:
        return _team(request, shell, error=error, email=request.form.get("email", ""))
    return redirect("/dashboard/team", notice="invited")


@page
def resend_invitation(request: Request, invitation_id: str) -> Response:
    return _act(
        request,
        "members:invite",
        lambda: ResendInvitation(invitation_id),
        notice="invitation_resent",
    )


@page
def revoke_invitation(request: Request, invitation_id: str) -> Response:
    return _act(
        request,
        "members:invite",
        lambda: RevokeInvitation(invitation_id),
        notice="invitation_revoked",
    )


@page
def change_role(request: Request, user_id: str) -> Response:
    return _act(
        request,
        "members:manage",
        lambda: ChangeRole.from_body(dict(request.form), user_id=user_id),
        notice="role_changed",
    )


@page
def remove_member(request: Request, user_id: str) -> Response:
    return _act(request, "members:manage", lambda: RemoveMember(user_id), notice="member_removed")


def _act(
    request: Request, permission: str, command: Callable[[], object], *, notice: str
) -> Response:
    """Run the form's command (read inside: a bad field is the form's error too), then back to
    the Team page with `notice`, or the page again with the error."""
    shell = signed_in(request, permission)
    try:
        bootstrap.handle(command(), principal=shell.principal)
    except FORM_ERRORS as error:
        return _team(request, shell, error=error)
    return redirect("/dashboard/team", notice=notice)


def _team(
    request: Request, shell: Shell, *, error: AppError | None = None, email: str = ""
) -> Response:
    ctx = bootstrap.auth_context()
    manage = shell.can("members:manage")
    return render(
        request,
        "team.html",
        status=error.status if error else 200,
        shell=shell,
        title="Team",
        error=error,
        members=members.list_members(ctx, shell.principal),
        invitations=invitations.list_invitations(ctx, shell.principal) if manage else [],
        manage=manage,
        invite=shell.can("members:invite"),
        email=email,
    )
