"""Users, their unique email addresses, and the signup write (user + tenant + owner membership).

Collections: `users/{user_id}`, `user_emails/{sha256(email)}` (the uniqueness guard: one
address, one user), `tenants/{tenant_id}`, `memberships/{tenant_id}__{user_id}`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore

from core.errors import Conflict
from ledger._transactions import translated

__all__ = [
    "TENANTS",
    "USERS",
    "UserRecord",
    "create_account",
    "email_key",
    "find_user_by_email",
    "get_user",
    "membership_id",
    "update_password_hash",
    "user_from",
]

USERS = "users"
USER_EMAILS = "user_emails"
TENANTS = "tenants"
MEMBERSHIPS = "memberships"


@dataclass(frozen=True)
class UserRecord:
    user_id: str
    email: str
    password_hash: str
    email_verified: bool
    created_at: datetime


def email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def membership_id(tenant_id: str, user_id: str) -> str:
    return f"{tenant_id}__{user_id}"


def user_from(data: dict[str, Any] | None) -> UserRecord:
    data = data or {}
    return UserRecord(
        user_id=data["user_id"],
        email=data["email"],
        password_hash=data["password_hash"],
        email_verified=bool(data.get("email_verified")),
        created_at=data["created_at"],
    )


@translated
def create_account(
    db: firestore.Client,
    *,
    user: UserRecord,
    tenant_id: str | None,
    business_name: str | None,
) -> None:
    """Write the user (and, with a tenant, the tenant and its owner membership) atomically;
    `Conflict` when the email address is taken."""
    batch = db.batch()
    batch.create(
        db.collection(USER_EMAILS).document(email_key(user.email)),
        {"user_id": user.user_id, "created_at": user.created_at},
    )
    batch.create(db.collection(USERS).document(user.user_id), _user_data(user))
    if tenant_id is not None:
        batch.create(
            db.collection(TENANTS).document(tenant_id),
            {
                "tenant_id": tenant_id,
                "name": business_name,
                "owner_user_id": user.user_id,
                "platform_fee_bps": 0,
                "created_at": user.created_at,
            },
        )
        batch.create(
            db.collection(MEMBERSHIPS).document(membership_id(tenant_id, user.user_id)),
            {
                "tenant_id": tenant_id,
                "user_id": user.user_id,
                "role": "owner",
                "created_at": user.created_at,
            },
        )
    try:
        batch.commit()
    except google_exceptions.AlreadyExists:
        raise Conflict(
            "An account with this email address already exists", code="email_taken"
        ) from None


def _user_data(user: UserRecord) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "email": user.email,
        "password_hash": user.password_hash,
        "email_verified": user.email_verified,
        "created_at": user.created_at,
    }


@translated
def get_user(db: firestore.Client, user_id: str) -> UserRecord | None:
    snapshot = db.collection(USERS).document(user_id).get()
    return user_from(snapshot.to_dict()) if snapshot.exists else None


@translated
def find_user_by_email(db: firestore.Client, email: str) -> UserRecord | None:
    guard = db.collection(USER_EMAILS).document(email_key(email)).get()
    if not guard.exists:
        return None
    return get_user(db, guard.get("user_id"))


@translated
def update_password_hash(db: firestore.Client, user_id: str, password_hash: str) -> None:
    db.collection(USERS).document(user_id).update({"password_hash": password_hash})
