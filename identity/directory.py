"""Who exists and who belongs where: the reads of users, memberships and tenant names that
the identity services share (each one round trip, over the store port)."""

from __future__ import annotations

from collections.abc import Iterable

from identity.records import (
    MembershipRecord,
    UserRecord,
    email_guard_key,
    membership_key,
    record_from,
    tenant_key,
    user_key,
)
from ledger.collections import MEMBERSHIPS
from ledger.store import AbstractStore, Query

__all__ = [
    "find_user_by_email",
    "get_membership",
    "get_membership_and_user",
    "get_user",
    "members_of_tenant",
    "memberships_of_user",
    "tenant_names",
]


def get_user(store: AbstractStore, user_id: str) -> UserRecord | None:
    doc = store.get(user_key(user_id))
    return record_from(UserRecord, doc) if doc is not None else None


def find_user_by_email(store: AbstractStore, email: str) -> UserRecord | None:
    guard = store.get(email_guard_key(email))
    return get_user(store, guard["user_id"]) if guard is not None else None


def get_membership(store: AbstractStore, tenant_id: str, user_id: str) -> MembershipRecord | None:
    doc = store.get(membership_key(tenant_id, user_id))  # an id from a URL or header: None
    return record_from(MembershipRecord, doc) if doc is not None else None


def get_membership_and_user(
    store: AbstractStore, tenant_id: str, user_id: str
) -> tuple[MembershipRecord | None, UserRecord | None]:
    """Both documents in one round trip (the per-request check of a JWT or session)."""
    member, user = membership_key(tenant_id, user_id), user_key(user_id)
    found = store.get_many([member, user])
    return (
        record_from(MembershipRecord, found[member]) if found[member] is not None else None,
        record_from(UserRecord, found[user]) if found[user] is not None else None,
    )


def memberships_of_user(store: AbstractStore, user_id: str) -> list[MembershipRecord]:
    """The user's memberships, oldest first (the first is their default tenant)."""
    return _memberships(store, "user_id", user_id)


def members_of_tenant(store: AbstractStore, tenant_id: str) -> list[MembershipRecord]:
    return _memberships(store, "tenant_id", tenant_id)


def tenant_names(store: AbstractStore, tenant_ids: Iterable[str]) -> dict[str, str]:
    keys = [tenant_key(tenant_id) for tenant_id in dict.fromkeys(tenant_ids)]
    found = store.get_many(keys) if keys else {}
    return {key.id: str(doc.get("name") or "") for key, doc in found.items() if doc is not None}


def _memberships(store: AbstractStore, field: str, value: str) -> list[MembershipRecord]:
    rows = store.query(Query(MEMBERSHIPS, where=((field, "==", value),)))
    records = (record_from(MembershipRecord, doc) for _, doc in rows)
    return sorted(records, key=lambda member: member.created_at)
