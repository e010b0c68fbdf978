"""Refresh tokens and dashboard sessions, stored only under the SHA-256 of their secret.

`refresh_tokens/{hash}`: `user_id`, `tenant_id`, `family_id`, `expires_at`, `used_at`,
`revoked_at`. A rotation marks the old token used and writes its successor in one transaction;
presenting a used token again is reuse, and the caller revokes the whole family.
`sessions/{hash}`: `user_id`, `tenant_id`, `expires_at`, `revoked_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from google.cloud import firestore

from ledger._records import fields_of
from ledger._transactions import run_transaction, translated

__all__ = [
    "RefreshRecord",
    "Rotation",
    "SessionRecord",
    "get_refresh_token",
    "get_session",
    "put_refresh_token",
    "put_session",
    "revoke_family",
    "revoke_session",
    "rotate_refresh_token",
    "set_session_tenant",
]

REFRESH_TOKENS = "refresh_tokens"
SESSIONS = "sessions"


@dataclass(frozen=True)
class RefreshRecord:
    token_hash: str
    user_id: str
    tenant_id: str
    family_id: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class SessionRecord:
    session_hash: str
    user_id: str
    tenant_id: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None


class Rotation(StrEnum):
    ROTATED = "rotated"
    MISSING = "missing"
    EXPIRED = "expired"
    REUSED = "reused"
    REVOKED = "revoked"


def _refresh(data: dict[str, Any] | None) -> RefreshRecord:
    data = data or {}
    return RefreshRecord(**fields_of(RefreshRecord, data))


def _refresh_data(record: RefreshRecord) -> dict[str, Any]:
    return {**record.__dict__, "expire_at": record.expires_at}  # `expire_at`: TTL policy field


@translated
def put_refresh_token(db: firestore.Client, record: RefreshRecord) -> None:
    db.collection(REFRESH_TOKENS).document(record.token_hash).create(_refresh_data(record))


@translated
def get_refresh_token(db: firestore.Client, token_hash: str) -> RefreshRecord | None:
    snapshot = db.collection(REFRESH_TOKENS).document(token_hash).get()
    return _refresh(snapshot.to_dict()) if snapshot.exists else None


@translated
def rotate_refresh_token(
    db: firestore.Client, token_hash: str, successor_hash: str, *, now: datetime, ttl: Any
) -> tuple[Rotation, RefreshRecord | None]:
    """Spend `token_hash` and store its successor in the same family (one transaction)."""
    collection = db.collection(REFRESH_TOKENS)
    ref = collection.document(token_hash)

    def rotate(transaction: firestore.Transaction) -> tuple[Rotation, RefreshRecord | None]:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            return Rotation.MISSING, None
        old = _refresh(snapshot.to_dict())
        if old.revoked_at is not None:
            return Rotation.REVOKED, old
        if old.used_at is not None:
            return Rotation.REUSED, old
        if old.expires_at <= now:
            return Rotation.EXPIRED, old
        new = RefreshRecord(
            successor_hash, old.user_id, old.tenant_id, old.family_id, now, now + ttl
        )
        transaction.update(ref, {"used_at": now})
        transaction.create(collection.document(successor_hash), _refresh_data(new))
        return Rotation.ROTATED, new

    result: tuple[Rotation, RefreshRecord | None] = run_transaction(db, rotate)
    return result


@translated
def revoke_family(db: firestore.Client, family_id: str, *, now: datetime) -> int:
    """Revoke every token of a family (logout, or reuse of a spent token); how many."""
    query = db.collection(REFRESH_TOKENS).where(
        filter=firestore.FieldFilter("family_id", "==", family_id)
    )
    batch, count = db.batch(), 0
    for snapshot in query.stream():
        if snapshot.get("revoked_at") is None:
            batch.update(snapshot.reference, {"revoked_at": now})
            count += 1
    if count:
        batch.commit()
    return count


@translated
def put_session(db: firestore.Client, record: SessionRecord) -> None:
    doc = {**record.__dict__, "expire_at": record.expires_at}
    db.collection(SESSIONS).document(record.session_hash).create(doc)


@translated
def get_session(db: firestore.Client, session_hash: str) -> SessionRecord | None:
    snapshot = db.collection(SESSIONS).document(session_hash).get()
    if not snapshot.exists:
        return None
    data = snapshot.to_dict() or {}
    return SessionRecord(**fields_of(SessionRecord, data))


@translated
def revoke_session(db: firestore.Client, session_hash: str, *, now: datetime) -> None:
    ref = db.collection(SESSIONS).document(session_hash)
    if ref.get().exists:
        ref.update({"revoked_at": now})


@translated
def set_session_tenant(db: firestore.Client, session_hash: str, tenant_id: str) -> None:
    """Make `tenant_id` the session's tenant in effect (the dashboard's tenant switcher)."""
    db.collection(SESSIONS).document(session_hash).update({"tenant_id": tenant_id})
