"""A tenant's members: list, change a role, remove; and who am I (invitations:
`identity.invitations`).

Nobody hands out or takes away a role above their own, only owners touch owners, and the
last owner can be neither removed nor demoted (checked in the same transaction as the write).
Every read and write is scoped to the principal's tenant: another tenant's member is 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from auth.principal import Principal, Role
from auth.rbac import check_grant
from core.errors import Conflict, NotFound
from identity.api_keys import revoke_keys_of
from identity.commands import ChangeRole, RemoveMember
from identity.context import AuthContext
from identity.directory import (
    get_membership,
    get_user,
    members_of_tenant,
    memberships_of_user,
    tenant_names,
)
from identity.invitations import revoke_invitations_of
from identity.logs import log_member_changed
from identity.records import (
    MembershipRecord,
    membership_doc,
    membership_key,
)
from ledger.collections import MEMBERSHIPS
from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet

__all__ = ["add_membership", "change_member_role", "describe", "list_members", "remove_member"]

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
    check_grant(principal, Role(member.role))
    check_grant(principal, command.role)
    _guarded_write(ctx.store, principal.tenant_id, user_id, member.role, command.role.value)
    change = f"role {member.role} -> {command.role.value}"
    log_member_changed(
        tenant_id=principal.tenant_id, user_id=user_id, change=change, actor=principal.actor
    )
    return {"user_id": user_id, "role": command.role.value}


def remove_member(ctx: AuthContext, principal: Principal, command: RemoveMember) -> None:
    user_id = command.user_id
    member = _member(ctx, principal, user_id)
    check_grant(principal, Role(member.role))
    _guarded_write(ctx.store, principal.tenant_id, user_id, member.role, None)
    now = ctx.now()
    revoke_keys_of(ctx.store, tenant_id=principal.tenant_id, creator=user_id, now=now)
    revoke_invitations_of(ctx.store, tenant_id=principal.tenant_id, sender=user_id, now=now)
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
