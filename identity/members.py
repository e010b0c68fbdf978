"""A tenant's members: list, invite by email, change a role, remove; and who am I.

Nobody hands out or takes away a role above their own, only owners touch owners, and the
last owner can be neither removed nor demoted (checked in the same transaction as the write).
Every read and write is scoped to the principal's tenant: another tenant's member is 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from auth.principal import Principal, Role
from auth.rbac import can_grant
from auth.secrets import new_token, sha256
from core.errors import Conflict, Forbidden, MailSendFailed, NotFound
from identity import rate_limits
from identity.api_keys import authority, get_api_key, revoke_keys_of
from identity.commands import AcceptInvitation, ChangeRole, Invite, RemoveMember
from identity.context import AuthContext
from identity.directory import (
    get_membership,
    get_user,
    members_of_tenant,
    memberships_of_user,
    tenant_names,
)
from identity.emails import invitation_email
from identity.logs import log_mail_failed, log_member_changed
from identity.records import (
    InvitationRecord,
    MembershipRecord,
    email_key,
    invitation_key,
    membership_doc,
    membership_key,
    record_from,
    stored,
)
from ledger.collections import INVITATIONS, MEMBERSHIPS
from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet

__all__ = [
    "accept_invitation",
    "add_membership",
    "change_member_role",
    "describe",
    "invite_member",
    "list_invitations",
    "list_members",
    "remove_member",
]

INVITATION_TTL = timedelta(days=7)
OWNER = "owner"


def list_members(ctx: AuthContext, principal: Principal) -> list[dict[str, Any]]:
    members = members_of_tenant(ctx.store, principal.tenant_id)
    users = {m.user_id: get_user(ctx.store, m.user_id) for m in members}
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
        for record in _invitations_of(ctx.store, principal.tenant_id)
        if record.accepted_at is None and record.revoked_at is None and record.expires_at > now
    ]


def _require_grant(principal: Principal, role: Role) -> None:
    if not can_grant(principal.role, role):
        raise Forbidden(
            f"A {principal.role} cannot grant or take away the {role} role", code="role_too_high"
        )


def invite_member(ctx: AuthContext, principal: Principal, command: Invite) -> dict[str, Any]:
    """Store an invitation (hashed token) and email its link; `MailSendFailed` if not sent.
    A tenant sends at most `INVITATIONS_PER_TENANT` a day (the route needs a verified sender:
    `members:invite`)."""
    _require_grant(principal, command.role)
    token, now = new_token(), ctx.now()
    rate_limits.count(ctx.store, rate_limits.INVITATIONS_PER_TENANT, principal.tenant_id, now=now)
    record = InvitationRecord(
        token_hash=sha256(token),
        tenant_id=principal.tenant_id,
        email=command.email,
        role=command.role.value,
        invited_by=principal.actor,
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    ctx.store.create(invitation_key(record.token_hash), stored(record))
    name = tenant_names(ctx.store, [principal.tenant_id]).get(principal.tenant_id, "")
    link = f"{ctx.app_base_url}/invitations/accept?token={token}"
    try:
        ctx.mailer.send(
            invitation_email(to=command.email, link=link, tenant_name=name, role=record.role)
        )
    except MailSendFailed:
        log_mail_failed(purpose="invitation", user_id=None)
        raise
    return {"email": record.email, "role": record.role, "expires_at": record.expires_at.isoformat()}


def accept_invitation(
    ctx: AuthContext, principal: Principal, command: AcceptInvitation
) -> dict[str, Any]:
    if principal.user_id is None:
        raise Forbidden("Only a person can accept an invitation", code="user_required")
    user = get_user(ctx.store, principal.user_id)
    if user is None:
        raise NotFound("No such user")
    record = _accept(
        ctx.store, sha256(command.token), user_id=user.user_id, email=user.email, now=ctx.now()
    )
    log_member_changed(
        tenant_id=record.tenant_id, user_id=user.user_id, change="joined", actor=user.user_id
    )
    return {"tenant_id": record.tenant_id, "role": record.role}


def _member(ctx: AuthContext, principal: Principal, user_id: str) -> MembershipRecord:
    member = get_membership(ctx.store, principal.tenant_id, user_id)
    if member is None:
        raise NotFound("No such member", code="member_not_found")
    return member


def change_member_role(
    ctx: AuthContext, principal: Principal, command: ChangeRole
) -> dict[str, Any]:
    user_id = command.user_id
    member = _member(ctx, principal, user_id)
    _require_grant(principal, Role(member.role))
    _require_grant(principal, command.role)
    _guarded_write(ctx.store, principal.tenant_id, user_id, member.role, command.role.value)
    change = f"role {member.role} -> {command.role.value}"
    log_member_changed(
        tenant_id=principal.tenant_id, user_id=user_id, change=change, actor=principal.actor
    )
    return {"user_id": user_id, "role": command.role.value}


def remove_member(ctx: AuthContext, principal: Principal, command: RemoveMember) -> None:
    user_id = command.user_id
    member = _member(ctx, principal, user_id)
    _require_grant(principal, Role(member.role))
    _guarded_write(ctx.store, principal.tenant_id, user_id, member.role, None)
    now = ctx.now()
    revoke_keys_of(ctx.store, tenant_id=principal.tenant_id, creator=user_id, now=now)
    _revoke_invitations_of(ctx.store, tenant_id=principal.tenant_id, sender=user_id, now=now)
    log_member_changed(
        tenant_id=principal.tenant_id, user_id=user_id, change="removed", actor=principal.actor
    )


def describe(ctx: AuthContext, principal: Principal) -> dict[str, Any]:
    """`GET /me`: the caller, the tenant and role in effect, and every membership."""
    if principal.user_id is None:
        owned = [{"tenant_id": principal.tenant_id, "role": principal.role.value}]
        caller: dict[str, Any] = {"api_key": {"id": principal.api_key_id}, "user": None}
    else:
        user = get_user(ctx.store, principal.user_id)
        found = memberships_of_user(ctx.store, principal.user_id)
        owned = [{"tenant_id": m.tenant_id, "role": m.role} for m in found]
        caller = {
            "user": {
                "id": principal.user_id,
                "email": user.email if user else None,
                "email_verified": principal.email_verified,
            },
            "api_key": None,
        }
    names = tenant_names(ctx.store, [m["tenant_id"] for m in owned])
    return {
        **caller,
        "tenant_id": principal.tenant_id,
        "role": principal.role.value,
        "authenticated_via": principal.via,
        "memberships": [{**m, "tenant_name": names.get(m["tenant_id"], "")} for m in owned],
    }


def add_membership(
    store: AbstractStore, *, tenant_id: str, user_id: str, role: str, now: datetime
) -> None:
    """Make `user_id` a member with `role`; `Conflict` when they already belong to the tenant."""
    if not store.create(
        membership_key(tenant_id, user_id), membership_doc(tenant_id, user_id, role, now=now)
    ):
        raise Conflict("This user is already a member", code="already_member")


def _guarded_write(
    store: AbstractStore, tenant_id: str, user_id: str, expected_role: str, new_role: str | None
) -> None:
    """Set the member's role (`None`: remove them), unless it changed meanwhile or that would
    leave the tenant without an owner. One transaction reads the member and the tenant's
    owners (found by a query just before: a read inside it locks them), so two owners demoting
    each other at once leave one."""
    member = membership_key(tenant_id, user_id)
    owners_query = Query(
        MEMBERSHIPS, where=(("tenant_id", "==", tenant_id), ("role", "==", OWNER)), limit=2
    )
    owners = [DocKey(MEMBERSHIPS, doc_id) for doc_id, _ in store.query(owners_query)]

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        current = docs[member]
        if current is None:
            raise NotFound("No such member", code="member_not_found")
        if current.get("role") != expected_role:
            raise Conflict("The member's role changed meanwhile; try again", code="role_changed")
        still_owners = [key for key in owners if (docs[key] or {}).get("role") == OWNER]
        if expected_role == OWNER and new_role != OWNER and len(still_owners) < 2:
            raise Conflict("A tenant must keep at least one owner", code="last_owner")
        writes = WriteSet()
        if new_role is None:
            writes.delete(member)
        else:
            writes.update(member, {"role": new_role})
        return writes, None

    store.transact([member, *owners], decide)


def _accept(
    store: AbstractStore, token_hash: str, *, user_id: str, email: str, now: datetime
) -> InvitationRecord:
    """Make `user_id` a member as invited, in one transaction (a token works once); `NotFound`
    for an unknown, spent, expired or someone else's invitation, `Conflict` if they already
    belong to the tenant."""
    invitation = invitation_key(token_hash)
    found = store.get(invitation)  # which tenant: the membership to read with it
    sender_role = _sender_authority(store, found) if found is not None else None
    if found is None or sender_role is None:  # unknown, or its sender has left the tenant
        raise NotFound("No such invitation, or it has expired", code="invitation_not_found")
    member = membership_key(str(found["tenant_id"]), user_id)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, InvitationRecord]:
        data = docs[invitation]
        if (
            data is None
            or data.get("accepted_at") is not None
            or data.get("revoked_at") is not None
            or data["expires_at"] <= now
            or email_key(data["email"]) != email_key(email)
        ):
            raise NotFound("No such invitation, or it has expired", code="invitation_not_found")
        record = record_from(InvitationRecord, data)
        if docs[member] is not None:
            raise Conflict("You already belong to this tenant", code="already_member")
        # never more than its sender holds now (they may have been demoted since)
        role = record.role if sender_role.at_least(Role(record.role)) else sender_role.value
        writes = WriteSet()
        writes.set(member, membership_doc(record.tenant_id, user_id, role, now=now))
        writes.update(invitation, {"accepted_at": now, "accepted_by": user_id})
        return writes, replace(record, role=role)

    return store.transact([invitation, member], decide)


def _invitations_of(store: AbstractStore, tenant_id: str) -> list[InvitationRecord]:
    """The tenant's invitations, accepted or not, oldest first."""
    rows = store.query(Query(INVITATIONS, where=(("tenant_id", "==", tenant_id),)))
    return sorted(
        (record_from(InvitationRecord, doc) for _, doc in rows), key=lambda r: r.created_at
    )


def _sender_authority(store: AbstractStore, invitation: Doc) -> Role | None:
    """What the invitation's sender may grant now: a member's current role, or a key's
    authority; None once they have left the tenant (or the key is revoked)."""
    tenant_id, sender = str(invitation["tenant_id"]), str(invitation.get("invited_by") or "")
    if sender.startswith("key:"):
        key = get_api_key(store, tenant_id=tenant_id, key_id=sender.removeprefix("key:"))
        return authority(store, key) if key is not None and key.revoked_at is None else None
    member = get_membership(store, tenant_id, sender)
    return Role(member.role) if member is not None else None


def _revoke_invitations_of(
    store: AbstractStore, *, tenant_id: str, sender: str, now: datetime
) -> None:
    """The pending invitations `sender` sent in the tenant (they left it) can no longer be
    used: revoked at once."""
    where = (("tenant_id", "==", tenant_id), ("invited_by", "==", sender))
    keys = [invitation_key(token) for token, _ in store.query(Query(INVITATIONS, where=where))]

    def revoke(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        writes = WriteSet()
        for key, doc in docs.items():
            if doc is not None and doc.get("accepted_at") is None and doc.get("revoked_at") is None:
                writes.update(key, {"revoked_at": now})
        return writes, None

    if keys:
        store.transact(keys, revoke)
