"""Belonging to businesses: accepting an invitation, switching the business in effect."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from core import fields
from functions.dashboard._session import signed_in
from functions.dashboard._web import page, redirect, render
from identity import members, tenancy

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
    ctx = bootstrap.auth_context()
    token = fields.text(dict(request.form), "token", required=True)
    joined = members.accept_invitation(ctx, shell.principal, token)
    tenancy.switch_tenant(ctx, shell.principal, str(joined["tenant_id"]))
    return redirect("/dashboard", notice="joined")


@page
def switch_tenant(request: Request) -> Response:
    shell = signed_in(request)
    tenant_id = fields.text(dict(request.form), "tenant_id", required=True)
    tenancy.switch_tenant(bootstrap.auth_context(), shell.principal, tenant_id)
    return redirect("/dashboard", notice="switched")
