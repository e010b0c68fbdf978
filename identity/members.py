"""A tenant's members: list, invite by email, change a role, remove; and who am I.

Nobody hands out or takes away a role above their own, only owners touch owners, and the
last owner can be neither removed nor demoted (checked in the same transaction as the write).
Every read and write is scoped to the principal's tenant: another tenant's member is 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from auth.principal import Principal, Role
from auth.rbac import can_grant
from auth.secrets import new_token, sha256
from core.errors import Forbidden, MailSendFailed, NotFound
from identity.commands import ChangeRole, Invite
from identity.context import AuthContext
from identity.emails import invitation_email
from identity.logs import log_mail_failed, log_member_changed
from ledger import invitations, memberships
from ledger.accounts import get_user

__all__ = [
    "accept_invitation",
    "change_member_role",
    "describe",
    "invite_member",
    "list_invitations",
    "list_members",
    "remove_member",
]

INVITATION_TTL = timedelta(days=7)


def list_members(ctx: AuthContext, principal: Principal) -> list[dict[str, Any]]:
    members = memberships.list_for_tenant(ctx.db, principal.tenant_id)
    users = {m.user_id: get_user(ctx.db, m.user_id) for m in members}
    return [
        {
            "user_id": m.user_id,
            "email": (user.email if (user := users[m.user_id]) else None),
            "role": m.role,
            "joined_at": m.created_at.isoformat(),
        }
        for m in members
    ]


def list_invitations(ctx: AuthContext, principal: Principal) -> list[dict[str, Any]]:
    """The tenant's invitations still waiting to be accepted (expired ones left out)."""
    now = ctx.now()
    return [
        {
            "email": record.email,
            "role": record.role,
            "invited_by": record.invited_by,
            "created_at": record.created_at.isoformat(),
            "expires_at": record.expires_at.isoformat(),
        }
        for record in invitations.list_for_tenant(ctx.db, principal.tenant_id)
        if record.accepted_at is None and record.expires_at > now
    ]


def _require_grant(principal: Principal, role: Role) -> None:
    if not can_grant(principal.role, role):
        raise Forbidden(
            f"A {principal.role} cannot grant or take away the {role} role", code="role_too_high"
        )


def invite_member(ctx: AuthContext, principal: Principal, command: Invite) -> dict[str, Any]:
    """Store an invitation (hashed token) and email its link; `MailSendFailed` if not sent."""
    _require_grant(principal, command.role)
    token, now = new_token(), ctx.now()
    record = invitations.InvitationRecord(
        token_hash=sha256(token),
        tenant_id=principal.tenant_id,
        email=command.email,
        role=command.role.value,
        invited_by=principal.actor,
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    invitations.put_invitation(ctx.db, record)
    name = memberships.tenant_names(ctx.db, [principal.tenant_id]).get(principal.tenant_id, "")
    link = f"{ctx.app_base_url}/invitations/accept?token={token}"
    try:
        ctx.mailer.send(
            invitation_email(to=command.email, link=link, tenant_name=name, role=record.role)
        )
    except MailSendFailed:
        log_mail_failed(purpose="invitation", user_id=None)
        raise
    return {"email": record.email, "role": record.role, "expires_at": record.expires_at.isoformat()}


def accept_invitation(ctx: AuthContext, principal: Principal, token: str) -> dict[str, Any]:
    if principal.user_id is None:
        raise Forbidden("Only a person can accept an invitation", code="user_required")
    user = get_user(ctx.db, principal.user_id)
    if user is None:
        raise NotFound("No such user")
    record = invitations.accept_invitation(
        ctx.db, sha256(token), user_id=user.user_id, email=user.email, now=ctx.now()
    )
    log_member_changed(
        tenant_id=record.tenant_id, user_id=user.user_id, change="joined", actor=user.user_id
    )
    return {"tenant_id": record.tenant_id, "role": record.role}


def _member(ctx: AuthContext, principal: Principal, user_id: str) -> memberships.MembershipRecord:
    member = memberships.get_membership(ctx.db, principal.tenant_id, user_id)
    if member is None:
        raise NotFound("No such member", code="member_not_found")
    return member


def change_member_role(
    ctx: AuthContext, principal: Principal, user_id: str, command: ChangeRole
) -> dict[str, Any]:
    member = _member(ctx, principal, user_id)
    _require_grant(principal, Role(member.role))
    _require_grant(principal, command.role)
    memberships.change_role(
        ctx.db,
        tenant_id=principal.tenant_id,
        user_id=user_id,
        expected_role=member.role,
        role=command.role.value,
    )
    change = f"role {member.role} -> {command.role.value}"
    log_member_changed(
        tenant_id=principal.tenant_id, user_id=user_id, change=change, actor=principal.actor
    )
    return {"user_id": user_id, "role": command.role.value}


def remove_member(ctx: AuthContext, principal: Principal, user_id: str) -> None:
    member = _member(ctx, principal, user_id)
    _require_grant(principal, Role(member.role))
    memberships.remove_membership(
        ctx.db, tenant_id=principal.tenant_id, user_id=user_id, expected_role=member.role
    )
    log_member_changed(
        tenant_id=principal.tenant_id, user_id=user_id, change="removed", actor=principal.actor
    )


def describe(ctx: AuthContext, principal: Principal) -> dict[str, Any]:
    """`GET /me`: the caller, the tenant and role in effect, and every membership."""
    if principal.user_id is None:
        owned = [{"tenant_id": principal.tenant_id, "role": principal.role.value}]
        caller: dict[str, Any] = {"api_key": {"id": principal.api_key_id}, "user": None}
    else:
        user = get_user(ctx.db, principal.user_id)
        found = memberships.list_for_user(ctx.db, principal.user_id)
        owned = [{"tenant_id": m.tenant_id, "role": m.role} for m in found]
        caller = {
            "user": {
                "id": principal.user_id,
                "email": user.email if user else None,
                "email_verified": principal.email_verified,
            },
            "api_key": None,
        }
    names = memberships.tenant_names(ctx.db, [m["tenant_id"] for m in owned])
    return {
        **caller,
        "tenant_id": principal.tenant_id,
        "role": principal.role.value,
        "authenticated_via": principal.via,
        "memberships": [{**m, "tenant_name": names.get(m["tenant_id"], "")} for m in owned],
    }
