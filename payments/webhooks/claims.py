"""Claiming an event for processing, and recording how processing failed.

Concurrent deliveries of one event must not pile onto one transaction: the first delivery
claims the event by *creating* its inbox record (only one create can win, and a create takes
no transaction lock); the others see the record and answer at once. A claim is a lease: if its
holder dies, whoever processes the event next (a Stripe retry, the queue, the sweeper) takes it
over once the lease has run out.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ledger.collections import SUPPORT_TICKETS, WEBHOOK_EVENTS
from ledger.store import AbstractStore, Doc, DocKey, WriteSet
from payments.webhooks import records
from payments.webhooks.policy import RetryPolicy

__all__ = ["Failure", "new_claim", "record_failure", "take_claim"]

CLAIMABLE = {"received", "failed", "processing"}


def new_claim(policy: RetryPolicy, now: datetime) -> Doc:
    return {"token": secrets.token_hex(16), "until": policy.lease_until(now)}


def take_claim(
    store: AbstractStore,
    event_id: str,
    *,
    policy: RetryPolicy,
    now: datetime,
    force: bool = False,
    respect_schedule: bool = True,
) -> tuple[Doc | None, Doc | None]:
    """(the claim, the inbox record) — no claim while another holder's lease runs, before a
    failed event's `next_retry_at` (with `respect_schedule`), or when the event needs nothing
    (processed, ignored, dead) unless `force` (an operator's replay)."""
    key = DocKey(WEBHOOK_EVENTS, event_id)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, tuple[Doc | None, Doc | None]]:
        writes, inbox = WriteSet(), docs[key]
        if inbox is None:
            return writes, (None, None)
        held = inbox.get("claim")
        if held and _aware(held["until"]) > now:
            return writes, (None, inbox)
        if inbox.get("status") not in CLAIMABLE and not force:
            return writes, (None, inbox)
        retry_at = inbox.get("next_retry_at")
        if (
            respect_schedule
            and inbox.get("status") == "failed"
            and retry_at
            and _aware(retry_at) > now
        ):
            return writes, (None, inbox)
        claim = new_claim(policy, now)
        writes.update(key, {"claim": claim})
        return writes, (claim, inbox)

    return store.transact([key], decide)


@dataclass(frozen=True)
class Failure:
    status: str  # failed | dead
    attempts: int
    next_retry_at: datetime | None


def record_failure(
    store: AbstractStore,
    event_id: str,
    *,
    claim_token: str,
    error: str,
    policy: RetryPolicy,
    now: datetime,
    jitter: float,
    transient: bool = False,
) -> Failure | None:
    """Count the attempt; schedule the next or, past the maximum, mark the event dead and open
    a support ticket. A `transient` failure (contention with another event of the payment) is
    the event's bad luck, not its fault: it is retried soon and never counts toward the
    maximum. None if the claim was lost meanwhile (someone else owns the event)."""
    key = DocKey(WEBHOOK_EVENTS, event_id)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, Failure | None]:
        writes, inbox = WriteSet(), docs[key]
        if inbox is None or (inbox.get("claim") or {}).get("token") != claim_token:
            return writes, None
        attempts = int(inbox.get("attempts") or 0) + (0 if transient else 1)
        dead = attempts >= policy.max_attempts
        backoff_step = 1 if transient else attempts
        retry_at = None if dead else policy.next_retry_at(now, backoff_step, jitter=jitter)
        fields: dict[str, Any] = {
            "status": "dead" if dead else "failed",
            "attempts": attempts,
            "last_error": error,
            "next_retry_at": retry_at,
            "claim": None,
            "failed_at": now,
        }
        if transient:
            fields["contentions"] = int(inbox.get("contentions") or 0) + 1
        writes.update(key, fields)
        if dead:
            ticket = records.support_ticket({**inbox, **fields}, error=error, now=now)
            writes.set(DocKey(SUPPORT_TICKETS, f"webhook_{event_id}"), ticket)
        return writes, Failure(fields["status"], attempts, retry_at)

    return store.transact([key], decide)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
