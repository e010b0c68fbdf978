"""The documents of the identity half, shaped in one place: their records, their keys and how
each is stored (names: `ledger/collections.py`; the contract: SPEC §3).

- `users/{user_id}`: `user_id`, `email`, `password_hash`, `email_verified`, `created_at`.
- `user_emails/{sha256(email)}`: `user_id`, `created_at`; the uniqueness guard (one address, one
  user), created with the user.
- `tenants/{tenant_id}`: `tenant_id`, `name`, `owner_user_id`, `platform_fee_bps`, `created_at`.
- `memberships/{tenant_id}__{user_id}`: `tenant_id`, `user_id`, `role`, `created_at`.
- `invitations/{sha256(token)}`, `refresh_tokens/{sha256(token)}`, `sessions/{sha256(id)}`,
  `email_verifications/{user_id}`: their record's fields, and `expire_at` for a TTL policy.
- `api_keys/{key_id}`: the record's fields (the key's hash, never the key).
- `session_reveals/{sha256(session id)}`: `sealed`, `expires_at`, `expire_at`; a new secret held
  for the session's next page, sealed under a key the store cannot derive (`identity/reveals.py`).
Secrets are stored only as hashes, or sealed.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from ledger.collections import (
    API_KEYS,
    EMAIL_VERIFICATIONS,
    INVITATIONS,
    MEMBERSHIPS,
    REFRESH_TOKENS,
    SESSION_REVEALS,
    SESSIONS,
    TENANTS,
    USER_EMAILS,
    USERS,
)
from ledger.store import Doc, DocKey

__all__ = [
    "ApiKeyRecord",
    "CheckOutcome",
    "InvitationRecord",
    "MembershipRecord",
    "RefreshRecord",
    "Rotation",
    "SessionRecord",
    "UserRecord",
    "VerificationRecord",
    "api_key_key",
    "email_guard_key",
    "email_key",
    "invitation_key",
    "membership_doc",
    "membership_key",
    "record_from",
    "refresh_key",
    "reveal_key",
    "session_key",
    "stored",
    "tenant_key",
    "user_key",
    "verification_key",
]

R = TypeVar("R")


@dataclass(frozen=True)
class UserRecord:
    user_id: str
    email: str
    password_hash: str
    email_verified: bool
    created_at: datetime


@dataclass(frozen=True)
class MembershipRecord:
    tenant_id: str
    user_id: str
    role: str
    created_at: datetime


@dataclass(frozen=True)
class InvitationRecord:
    token_hash: str
    tenant_id: str
    email: str
    role: str
    invited_by: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None  # its sender left the tenant


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


@dataclass(frozen=True)
class VerificationRecord:
    user_id: str
    email: str
    token_hash: str
    code_hash: str
    sent_at: datetime
    expires_at: datetime
    attempts: int = 0


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
    revoked_reason: str | None = None  # "revoked" by someone, or "creator_removed"


class Rotation(StrEnum):
    ROTATED = "rotated"
    MISSING = "missing"
    EXPIRED = "expired"
    REUSED = "reused"
    REVOKED = "revoked"


class CheckOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    MISSING = "missing"


def record_from(record_type: type[R], doc: Doc | None) -> R:
    """The record a stored document holds (its other fields ignored, absent ones None)."""
    data = doc or {}
    return record_type(**{field.name: data.get(field.name) for field in fields(record_type)})  # type: ignore[arg-type]


def stored(record: Any) -> Doc:
    """The document a record is stored as: its fields, and `expire_at` (the TTL policy's field)
    for a record that expires."""
    doc: Doc = asdict(record)
    if "expires_at" in doc:
        doc["expire_at"] = doc["expires_at"]
    return doc


def membership_doc(tenant_id: str, user_id: str, role: str, *, now: datetime) -> Doc:
    return {"tenant_id": tenant_id, "user_id": user_id, "role": role, "created_at": now}


def email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def user_key(user_id: str) -> DocKey:
    return DocKey(USERS, user_id)


def email_guard_key(email: str) -> DocKey:
    return DocKey(USER_EMAILS, email_key(email))


def tenant_key(tenant_id: str) -> DocKey:
    return DocKey(TENANTS, tenant_id)


def membership_key(tenant_id: str, user_id: str) -> DocKey:
    return DocKey(MEMBERSHIPS, f"{tenant_id}__{user_id}")


def invitation_key(token_hash: str) -> DocKey:
    return DocKey(INVITATIONS, token_hash)


def refresh_key(token_hash: str) -> DocKey:
    return DocKey(REFRESH_TOKENS, token_hash)


def session_key(session_hash: str) -> DocKey:
    return DocKey(SESSIONS, session_hash)


def reveal_key(session_hash: str) -> DocKey:
    return DocKey(SESSION_REVEALS, session_hash)


def verification_key(user_id: str) -> DocKey:
    return DocKey(EMAIL_VERIFICATIONS, user_id)


def api_key_key(key_id: str) -> DocKey:
    return DocKey(API_KEYS, key_id)
