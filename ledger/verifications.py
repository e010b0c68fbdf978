"""Pending email verifications: `email_verifications/{user_id}`, holding only hashes.

One pending verification per user (a re-send replaces it). A check runs in one small
transaction: it counts the attempt, and on success marks the user verified and deletes the
record, so a link or code works once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from google.cloud import firestore

from ledger._transactions import run_transaction, translated
from ledger.accounts import USERS

__all__ = [
    "CheckOutcome",
    "VerificationRecord",
    "check_verification",
    "get_verification",
    "put_verification",
]

EMAIL_VERIFICATIONS = "email_verifications"


@dataclass(frozen=True)
class VerificationRecord:
    user_id: str
    email: str
    token_hash: str
    code_hash: str
    sent_at: datetime
    expires_at: datetime
    attempts: int = 0


class CheckOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    MISSING = "missing"


def _record(data: dict[str, Any] | None) -> VerificationRecord:
    data = data or {}
    return VerificationRecord(**{k: data[k] for k in VerificationRecord.__dataclass_fields__})


@translated
def put_verification(db: firestore.Client, record: VerificationRecord) -> None:
    doc = {**asdict(record), "expire_at": record.expires_at}  # `expire_at`: TTL policy field
    db.collection(EMAIL_VERIFICATIONS).document(record.user_id).set(doc)


@translated
def get_verification(db: firestore.Client, user_id: str) -> VerificationRecord | None:
    snapshot = db.collection(EMAIL_VERIFICATIONS).document(user_id).get()
    return _record(snapshot.to_dict()) if snapshot.exists else None


@translated
def check_verification(
    db: firestore.Client,
    user_id: str,
    matches: Callable[[VerificationRecord], bool],
    *,
    max_attempts: int,
    now: datetime,
) -> CheckOutcome:
    """Count one attempt against the user's pending verification and apply it if it matches."""
    ref = db.collection(EMAIL_VERIFICATIONS).document(user_id)
    user_ref = db.collection(USERS).document(user_id)

    def attempt(transaction: firestore.Transaction) -> CheckOutcome:
        snapshot = ref.get(transaction=transaction)
        if not snapshot.exists:
            return CheckOutcome.MISSING
        record = _record(snapshot.to_dict())
        if record.expires_at <= now:
            return CheckOutcome.EXPIRED
        if record.attempts >= max_attempts:
            return CheckOutcome.EXHAUSTED
        if not matches(record):
            transaction.update(ref, {"attempts": record.attempts + 1})
            return CheckOutcome.WRONG
        transaction.update(user_ref, {"email_verified": True, "email_verified_at": now})
        transaction.delete(ref)
        return CheckOutcome.VERIFIED

    outcome: CheckOutcome = run_transaction(db, attempt)
    return outcome
