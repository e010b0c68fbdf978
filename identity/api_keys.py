"""Creating, listing and revoking a tenant's API keys.

A key is shown once, at creation; only its hash and lookup prefix are stored. Callers may
create or revoke keys of their own role or a weaker one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from auth.api_keys import generate_api_key
from auth.principal import Principal, Role
from auth.secrets import random_id
from core.errors import Forbidden, NotFound
from identity.commands import CreateApiKey, RevokeApiKey
from identity.context import AuthContext
from identity.logs import log_api_key_created, log_api_key_revoked
from identity.records import ApiKeyRecord, api_key_key, membership_key, record_from, stored
from ledger.collections import API_KEYS
from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet

__all__ = [
    "CreatedKey",
    "authority",
    "create_api_key",
    "find_by_prefix",
    "get_api_key",
    "key_view",
    "list_api_keys",
    "revoke_api_key",
    "revoke_keys_of",
    "store_api_key",
]


@dataclass(frozen=True)
class CreatedKey:
    record: ApiKeyRecord
    key: str = field(repr=False)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def key_view(record: ApiKeyRecord) -> dict[str, Any]:
    return {
        "id": record.key_id,
        "name": record.name,
        "role": record.role,
        "mode": record.mode,
        "prefix": record.lookup_prefix,
        "tenant_id": record.tenant_id,
        "created_by": record.created_by,
        "created_at": _iso(record.created_at),
        "last_used_at": _iso(record.last_used_at),
        "revoked_at": _iso(record.revoked_at),
        "revoked_reason": record.revoked_reason if record.revoked_at else None,
    }


def create_api_key(ctx: AuthContext, principal: Principal, command: CreateApiKey) -> CreatedKey:
    role = command.role or principal.role
    if not principal.role.at_least(role):
        raise Forbidden(
            f"A {principal.role} cannot create a key with the {role} role", code="role_too_high"
        )
    generated = generate_api_key(livemode=ctx.livemode)
    record = ApiKeyRecord(
        key_id=random_id("key"),
        tenant_id=principal.tenant_id,
        name=command.name,
        role=role.value,
        mode=generated.mode,
        lookup_prefix=generated.lookup_prefix,
        key_hash=generated.key_hash,
        created_by=principal.actor,
        created_at=ctx.now(),
    )
    store_api_key(ctx.store, record)
    log_api_key_created(
        key_id=record.key_id, tenant_id=record.tenant_id, role=record.role, actor=principal.actor
    )
    return CreatedKey(record=record, key=generated.key)


def list_api_keys(ctx: AuthContext, principal: Principal) -> list[ApiKeyRecord]:
    rows = ctx.store.query(Query(API_KEYS, where=(("tenant_id", "==", principal.tenant_id),)))
    keys = (record_from(ApiKeyRecord, doc) for _, doc in rows)
    return sorted(keys, key=lambda key: key.created_at, reverse=True)


def revoke_api_key(ctx: AuthContext, principal: Principal, command: RevokeApiKey) -> ApiKeyRecord:
    key_id = command.key_id
    record = get_api_key(ctx.store, tenant_id=principal.tenant_id, key_id=key_id)
    if record is None:
        raise NotFound("No such API key", code="api_key_not_found")
    if not principal.role.at_least(Role(record.role)):
        raise Forbidden(
            f"A {principal.role} cannot revoke a key with the {record.role} role",
            code="role_too_high",
        )
    if record.revoked_at is None:
        ctx.store.update(
            api_key_key(key_id), {"revoked_at": ctx.now(), "revoked_reason": "revoked"}
        )
        log_api_key_revoked(key_id=key_id, tenant_id=record.tenant_id, actor=principal.actor)
    return get_api_key(ctx.store, tenant_id=principal.tenant_id, key_id=key_id) or record


def store_api_key(store: AbstractStore, record: ApiKeyRecord) -> None:
    store.create(api_key_key(record.key_id), stored(record))


def get_api_key(store: AbstractStore, *, tenant_id: str, key_id: str) -> ApiKeyRecord | None:
    """The tenant's key, or None (also when the key belongs to another tenant)."""
    doc = store.get(api_key_key(key_id))
    if doc is None or doc.get("tenant_id") != tenant_id:
        return None
    return record_from(ApiKeyRecord, doc)


def find_by_prefix(store: AbstractStore, lookup_prefix: str) -> list[ApiKeyRecord]:
    """The keys with this lookup prefix (the caller checks the hash)."""
    rows = store.query(Query(API_KEYS, where=(("lookup_prefix", "==", lookup_prefix),), limit=5))
    return [record_from(ApiKeyRecord, doc) for _, doc in rows]


MAX_CHAIN = 8  # keys made by keys made by keys…: deeper than this is refused


def authority(store: AbstractStore, record: ApiKeyRecord, *, depth: int = 0) -> Role | None:
    """The role a key may act with now: its own, capped by what its creator holds now (a
    member's current role; for a key that a key made, that key's own authority). None when its
    creator is no longer a member, or its creating key is revoked or powerless."""
    creator = record.created_by
    if depth > MAX_CHAIN:
        return None
    if creator.startswith("key:"):
        parent = get_api_key(store, tenant_id=record.tenant_id, key_id=creator.removeprefix("key:"))
        cap = (
            None
            if parent is None or parent.revoked_at
            else authority(store, parent, depth=depth + 1)
        )
    else:
        member = store.get(membership_key(record.tenant_id, creator))
        cap = Role(member["role"]) if member else None
    if cap is None:
        return None
    own = Role(record.role)
    return own if cap.at_least(own) else cap


def revoke_keys_of(store: AbstractStore, *, tenant_id: str, creator: str, now: datetime) -> int:
    """Revoke the keys `creator` made in the tenant (they left it), at once: how many."""
    where = (("tenant_id", "==", tenant_id), ("created_by", "==", creator))
    keys = [api_key_key(key_id) for key_id, _ in store.query(Query(API_KEYS, where=where))]

    def revoke(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, int]:
        writes = WriteSet()
        for key, doc in docs.items():
            if doc is not None and doc.get("revoked_at") is None:
                writes.update(key, {"revoked_at": now, "revoked_reason": "creator_removed"})
        return writes, len(writes.updates)

    return store.transact(keys, revoke) if keys else 0
