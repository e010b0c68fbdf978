"""Memberships (user, tenant, role) and tenant names.

`memberships/{tenant_id}__{user_id}` holds `tenant_id`, `user_id`, `role`, `created_at`.
Role changes and removals run in a small transaction that keeps at least one owner.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.cloud import firestore

from core.errors import Conflict, NotFound
from ledger._transactions import run_transaction, translated
from ledger.accounts import (
    MEMBERSHIPS,
    TENANTS,
    USERS,
    UserRecord,
    get_user,
    membership_id,
    user_from,
)
from ledger.ids import storable_id

__all__ = [
    "MembershipRecord",
    "add_membership",
    "change_role",
    "get_membership",
    "get_membership_and_user",
    "list_for_tenant",
    "list_for_user",
    "remove_membership",
    "tenant_names",
]

OWNER = "owner"


@dataclass(frozen=True)
class MembershipRecord:
    tenant_id: str
    user_id: str
    role: str
    created_at: datetime


def _membership(data: dict[str, Any] | None) -> MembershipRecord:
    data = data or {}
    return MembershipRecord(data["tenant_id"], data["user_id"], data["role"], data["created_at"])


def _ref(db: firestore.Client, tenant_id: str, user_id: str) -> Any:
    return db.collection(MEMBERSHIPS).document(membership_id(tenant_id, user_id))


@translated
def get_membership(db: firestore.Client, tenant_id: str, user_id: str) -> MembershipRecord | None:
    if not storable_id(membership_id(tenant_id, user_id)):  # ids from a URL or a header
        return None
    snapshot = _ref(db, tenant_id, user_id).get()
    return _membership(snapshot.to_dict()) if snapshot.exists else None


@translated
def get_membership_and_user(
    db: firestore.Client, tenant_id: str, user_id: str
) -> tuple[MembershipRecord | None, UserRecord | None]:
    """Both documents in one round trip (the per-request check of a JWT or session)."""
    if not storable_id(membership_id(tenant_id, user_id)):  # an `X-Tenant-Id` like `a/b`
        return None, get_user(db, user_id)
    membership_ref = _ref(db, tenant_id, user_id)
    user_ref = db.collection(USERS).document(user_id)
    found = {s.reference.path: s for s in db.get_all([membership_ref, user_ref]) if s.exists}
    membership = found.get(membership_ref.path)
    user = found.get(user_ref.path)
    return (
        _membership(membership.to_dict()) if membership else None,
        user_from(user.to_dict()) if user else None,
    )


@translated
def list_for_user(db: firestore.Client, user_id: str) -> list[MembershipRecord]:
    query = db.collection(MEMBERSHIPS).where(filter=firestore.FieldFilter("user_id", "==", user_id))
    return sorted((_membership(s.to_dict()) for s in query.stream()), key=lambda m: m.created_at)


@translated
def list_for_tenant(db: firestore.Client, tenant_id: str) -> list[MembershipRecord]:
    query = db.collection(MEMBERSHIPS).where(
        filter=firestore.FieldFilter("tenant_id", "==", tenant_id)
    )
    return sorted((_membership(s.to_dict()) for s in query.stream()), key=lambda m: m.created_at)


@translated
def tenant_names(db: firestore.Client, tenant_ids: Iterable[str]) -> dict[str, str]:
    refs = [db.collection(TENANTS).document(t) for t in dict.fromkeys(tenant_ids)]
    return {s.id: str(s.get("name") or "") for s in db.get_all(refs) if s.exists} if refs else {}


@translated
def add_membership(
    db: firestore.Client, *, tenant_id: str, user_id: str, role: str, now: datetime
) -> None:
    """Create the membership; `Conflict` when the user already belongs to the tenant."""
    from google.api_core.exceptions import AlreadyExists

    data = {"tenant_id": tenant_id, "user_id": user_id, "role": role, "created_at": now}
    try:
        _ref(db, tenant_id, user_id).create(data)
    except AlreadyExists:
        raise Conflict("This user is already a member", code="already_member") from None


@translated
def change_role(
    db: firestore.Client, *, tenant_id: str, user_id: str, expected_role: str, role: str
) -> None:
    """Set the member's role, unless that would leave the tenant without an owner."""
    _guarded_write(db, tenant_id, user_id, expected_role, new_role=role)


@translated
def remove_membership(
    db: firestore.Client, *, tenant_id: str, user_id: str, expected_role: str
) -> None:
    """Delete the membership, unless it is the tenant's last owner."""
    _guarded_write(db, tenant_id, user_id, expected_role, new_role=None)


def _guarded_write(
    db: firestore.Client, tenant_id: str, user_id: str, expected_role: str, *, new_role: str | None
) -> None:
    ref = _ref(db, tenant_id, user_id)
    owners = (
        db.collection(MEMBERSHIPS)
        .where(filter=firestore.FieldFilter("tenant_id", "==", tenant_id))
        .where(filter=firestore.FieldFilter("role", "==", OWNER))
        .limit(2)
    )

    def write(transaction: firestore.Transaction) -> None:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            raise NotFound("No such member", code="member_not_found")
        if snapshot.get("role") != expected_role:
            raise Conflict("The member's role changed meanwhile; try again", code="role_changed")
        losing_owner = expected_role == OWNER and new_role != OWNER
        if losing_owner and len(list(transaction.get(owners))) < 2:
            raise Conflict("A tenant must keep at least one owner", code="last_owner")
        if new_role is None:
            transaction.delete(ref)
        else:
            transaction.update(ref, {"role": new_role})

    run_transaction(db, write)
