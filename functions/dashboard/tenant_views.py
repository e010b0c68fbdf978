"""Belonging to businesses: accepting an invitation, switching the business in effect."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from functions.dashboard._session import signed_in
from functions.dashboard._web import page, redirect, render
from identity.commands import AcceptInvitation, SwitchTenant

__all__ = ["accept_invitation", "invitation_page", "switch_tenant"]


@page
def invitation_page(request: Request) -> Response:
    token = request.args.get("token", "")
    if not request.cookies.get("session"):
        return redirect("/dashboard/login", next=f"/invitations/accept?token={token}")
    shell = signed_in(request)
    return render(request, "invitation.html", shell=shell, title="Join a team", token=token)


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
