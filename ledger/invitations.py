"""Invitations to join a tenant: `invitations/{sha256(token)}` with `tenant_id`, `email`,
`role`, `invited_by`, `expires_at`, `accepted_at`. Accepting one creates the membership in the
same transaction, so a token works once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.cloud import firestore

from core.errors import Conflict, NotFound
from ledger._records import fields_of
from ledger._transactions import run_transaction, translated
from ledger.accounts import MEMBERSHIPS, email_key, membership_id

__all__ = ["InvitationRecord", "accept_invitation", "list_for_tenant", "put_invitation"]

INVITATIONS = "invitations"


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


@translated
def put_invitation(db: firestore.Client, record: InvitationRecord) -> None:
    doc = {**record.__dict__, "expire_at": record.expires_at}
    db.collection(INVITATIONS).document(record.token_hash).create(doc)


@translated
def accept_invitation(
    db: firestore.Client, token_hash: str, *, user_id: str, email: str, now: datetime
) -> InvitationRecord:
    """Make `user_id` a member as invited; `NotFound` for an unknown, spent, expired or
    someone else's invitation, `Conflict` if they already belong to the tenant."""
    ref = db.collection(INVITATIONS).document(token_hash)

    def accept(transaction: firestore.Transaction) -> InvitationRecord:
        snapshot = ref.get(transaction=transaction)
        data: dict[str, Any] = snapshot.to_dict() or {}
        if (
            not snapshot.exists
            or data.get("accepted_at") is not None
            or data["expires_at"] <= now
            or email_key(data["email"]) != email_key(email)
        ):
            raise NotFound("No such invitation, or it has expired", code="invitation_not_found")
        record = InvitationRecord(**fields_of(InvitationRecord, data))
        member_ref = db.collection(MEMBERSHIPS).document(membership_id(record.tenant_id, user_id))
        if member_ref.get(transaction=transaction).exists:
            raise Conflict("You already belong to this tenant", code="already_member")
        transaction.create(
            member_ref,
            {
                "tenant_id": record.tenant_id,
                "user_id": user_id,
                "role": record.role,
                "created_at": now,
            },
        )
        transaction.update(ref, {"accepted_at": now, "accepted_by": user_id})
        return record

    accepted: InvitationRecord = run_transaction(db, accept)
    return accepted


@translated
def list_for_tenant(db: firestore.Client, tenant_id: str) -> list[InvitationRecord]:
    """The tenant's invitations, accepted or not, oldest first."""
    query = db.collection(INVITATIONS).where(
        filter=firestore.FieldFilter("tenant_id", "==", tenant_id)
    )
    records = (
        InvitationRecord(**fields_of(InvitationRecord, s.to_dict() or {})) for s in query.stream()
    )
    return sorted(records, key=lambda record: record.created_at)
