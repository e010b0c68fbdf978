"""API keys: `api_keys/{key_id}` with `tenant_id`, `role`, `lookup_prefix`, `key_hash` (never
the key), `last_used_at`, `revoked_at`. Found by their lookup prefix, checked by hash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.cloud import firestore

from ledger._records import fields_of
from ledger._transactions import translated
from ledger.ids import storable_id

__all__ = [
    "ApiKeyRecord",
    "create_api_key",
    "find_by_prefix",
    "get_api_key",
    "list_for_tenant",
    "revoke_api_key",
    "touch_api_key",
]

API_KEYS = "api_keys"


@dataclass(frozen=True)
class ApiKeyRecord:
    key_id: str
    tenant_id: str
    name: str
    role: str
    mode: str
    lookup_prefix: str
    key_hash: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


def _record(data: dict[str, Any] | None) -> ApiKeyRecord:
    data = data or {}
    return ApiKeyRecord(**fields_of(ApiKeyRecord, data))


@translated
def create_api_key(db: firestore.Client, record: ApiKeyRecord) -> None:
    db.collection(API_KEYS).document(record.key_id).create(dict(record.__dict__))


@translated
def find_by_prefix(db: firestore.Client, lookup_prefix: str) -> list[ApiKeyRecord]:
    query = (
        db.collection(API_KEYS)
        .where(filter=firestore.FieldFilter("lookup_prefix", "==", lookup_prefix))
        .limit(5)
    )
    return [_record(s.to_dict()) for s in query.stream()]


@translated
def get_api_key(db: firestore.Client, *, tenant_id: str, key_id: str) -> ApiKeyRecord | None:
    """The tenant's key, or None (also when the key belongs to another tenant)."""
    if not storable_id(key_id):
        return None
    snapshot = db.collection(API_KEYS).document(key_id).get()
    if not snapshot.exists or snapshot.get("tenant_id") != tenant_id:
        return None
    return _record(snapshot.to_dict())


@translated
def list_for_tenant(db: firestore.Client, tenant_id: str) -> list[ApiKeyRecord]:
    query = db.collection(API_KEYS).where(
        filter=firestore.FieldFilter("tenant_id", "==", tenant_id)
    )
    keys = (_record(s.to_dict()) for s in query.stream())
    return sorted(keys, key=lambda k: k.created_at, reverse=True)


@translated
def revoke_api_key(db: firestore.Client, key_id: str, *, now: datetime) -> None:
    db.collection(API_KEYS).document(key_id).update({"revoked_at": now})


@translated
def touch_api_key(db: firestore.Client, key_id: str, *, now: datetime) -> None:
    db.collection(API_KEYS).document(key_id).update({"last_used_at": now})
