"""Applying a claimed event: one atomic commit, made only if none of the documents it read and
writes changed meanwhile (`commit_if_unchanged`), reads the inbox record and the documents the
event touches, runs the pure reducer, writes every effect and marks the event processed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from core.errors import Conflict, EventNotReady
from ledger.collections import (
    CHECKOUT_REFS,
    DISPUTES,
    EVENT_LOGS,
    PAYMENT_TRANSACTIONS,
    PAYMENTS,
    REFUNDS,
    TENANTS,
    WEBHOOK_EVENTS,
)
from ledger.store import AbstractStore, Doc, DocKey, WriteSet
from payments.events.handlers import EVENT_HANDLERS
from payments.events.model import NoChange, PaymentChange, StripeEvent, TenantChange
from payments.events.snapshot import apply_change, empty_document, merge_documents
from payments.webhooks import records

__all__ = ["APPLY_ATTEMPTS", "ApplyResult", "apply_claimed_event", "apply_resync"]

# Colliding with another event of the same payment (rare: the apply queue hands one payment's
# events over one at a time) is settled by the retry queue: a second collision in a row ends
# the attempt (`Contention`).
APPLY_ATTEMPTS = 2


@dataclass(frozen=True)
class ApplyResult:
    status: str  # processed | already_processed | claim_lost
    applied: bool = False
    payment_id: str | None = None
    resync_needed: bool = False  # the payment has states only Stripe can order


def apply_claimed_event(
    store: AbstractStore,
    event: StripeEvent,
    *,
    tenant_id: str | None,
    claim_token: str,
    now: datetime,
    replay: bool = False,
    recorded: str | None = None,
) -> ApplyResult:
    """`recorded`: the payload a queue message carried, applied only if it is the inbox
    record's, for the record's tenant (else `claim_lost`: the message is not the record's)."""
    change = _with_pending_payment(store, EVENT_HANDLERS[event.type](event))
    inbox_key = DocKey(WEBHOOK_EVENTS, event.id)
    reads = [inbox_key, *_keys_touched(change, tenant_id)]

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, ApplyResult]:
        writes = WriteSet()
        inbox = docs[inbox_key]
        if inbox is None or (inbox.get("status") == "processed" and not replay):
            return writes, ApplyResult("already_processed")
        if (inbox.get("claim") or {}).get("token") != claim_token:
            return writes, ApplyResult("claim_lost")
        if recorded is not None and (
            inbox.get("payload") != recorded or inbox.get("tenant_id") != tenant_id
        ):
            return writes, ApplyResult("claim_lost")
        if isinstance(change, PaymentChange):
            result = _apply_payment(writes, docs, change, event, tenant_id, now)
        elif isinstance(change, TenantChange):
            result = _apply_tenant(writes, docs, change, event, tenant_id, now)
        else:
            result = _record_only(writes, change, event, tenant_id, now)
        writes.update(
            inbox_key,
            {
                "status": "processed",
                "processed_at": now,
                "attempts": int(inbox.get("attempts") or 0) + 1,
                "claim": None,
                "last_error": None,
                "next_retry_at": None,
                "tenant_id": tenant_id,
                "applied": result.applied,
                "payment_id": result.payment_id,
            },
        )
        return writes, result

    # Every document the decision depends on is one it writes (the inbox record, the payment
    # or tenant), so an optimistic commit is as safe as a transaction, and cheaper: no
    # BeginTransaction round trip, no lock for another event's apply to wait on.
    return store.commit_if_unchanged(reads, decide, max_attempts=APPLY_ATTEMPTS)


def apply_resync(
    store: AbstractStore,
    event: StripeEvent,
    change: PaymentChange,
    *,
    tenant_id: str | None,
    now: datetime,
) -> ApplyResult:
    """Apply objects read from Stripe (`payments.events.resync`) in one transaction."""
    key = DocKey(PAYMENTS, change.payment_id)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, ApplyResult]:
        writes = WriteSet()
        if docs[key] is None:
            return writes, ApplyResult("already_processed")
        result = _apply_payment(writes, docs, change, event, tenant_id, now, resync=True)
        return writes, result

    return store.transact([key], decide, max_attempts=APPLY_ATTEMPTS)


def _with_pending_payment(store: AbstractStore, change: Any) -> Any:
    """An intent's events name the payment its Checkout Session left (`checkout_ref` in the
    intent's metadata) before any session event does: fold that payment in, never two rows.
    The link is written once, with the session, so it is read outside the transaction."""
    if not isinstance(change, PaymentChange) or change.provisional_id or not change.checkout_ref:
        return change
    link = store.get(DocKey(CHECKOUT_REFS, change.checkout_ref))
    if not link or link.get("payment_id") == change.payment_id:
        return change
    return replace(change, provisional_id=str(link["payment_id"]))


def _keys_touched(change: Any, tenant_id: str | None) -> list[DocKey]:
    if isinstance(change, PaymentChange):
        keys = [DocKey(PAYMENTS, change.payment_id)]
        if change.provisional_id and change.provisional_id != change.payment_id:
            keys.append(DocKey(PAYMENTS, change.provisional_id))
        return keys
    if isinstance(change, TenantChange) and tenant_id:
        return [DocKey(TENANTS, tenant_id)]
    return []


def _apply_payment(
    writes: WriteSet,
    docs: Mapping[DocKey, Doc | None],
    change: PaymentChange,
    event: StripeEvent,
    tenant_id: str | None,
    now: datetime,
    *,
    resync: bool = False,
) -> ApplyResult:
    key = DocKey(PAYMENTS, change.payment_id)
    current = docs.get(key)
    if current is not None and current.get("tenant_id") not in (None, tenant_id):
        raise Conflict(f"payment {change.payment_id} belongs to another tenant")
    provisional_key = DocKey(PAYMENTS, change.provisional_id or change.payment_id)
    provisional = docs.get(provisional_key) if provisional_key != key else None
    merged = False
    if provisional is not None and provisional.get("tenant_id") == tenant_id:
        base = current or empty_document(change.payment_id, tenant_id, event.account)
        current, merged = merge_documents(base, provisional), True
        writes.delete(provisional_key)
    outcome = apply_change(current, change, event, tenant_id=tenant_id)
    doc = outcome.document
    if resync:
        doc["resyncs"] = int(doc.get("resyncs") or 0) + len(change.sources)
    writes.set(key, doc)
    facts = doc["ledger"] if merged else outcome.facts
    for fact_id, fact in facts.items():
        writes.set(
            DocKey(PAYMENT_TRANSACTIONS, fact_id),
            {"tenant_id": tenant_id, "payment_id": change.payment_id, **fact},
        )
    touched = {(u.kind, u.id) for u in change.sources}
    for kind, collection, shape in (
        ("refunds", REFUNDS, records.refund_record),
        ("disputes", DISPUTES, records.dispute_record),
    ):
        for object_id, source in doc["sources"].get(kind, {}).items():
            if merged or (kind, object_id) in touched:
                writes.set(
                    DocKey(collection, object_id),
                    shape(object_id, source, tenant_id=tenant_id, payment_id=change.payment_id),
                )
    writes.set(
        DocKey(EVENT_LOGS, event.id),
        records.timeline_entry(
            event,
            tenant_id=tenant_id,
            payment_id=change.payment_id,
            summary=change.summary,
            applied=outcome.applied,
            now=now,
        ),
    )
    return ApplyResult(
        "processed", outcome.applied, change.payment_id, resync_needed=doc["resync_needed"]
    )


def _owns_account(tenant: Doc, account_id: str) -> bool:
    """An account event changes only the tenant whose stored account it is. One routed by its
    metadata to a tenant with no account yet waits (`EventNotReady`, retried: our own creation
    stores the link right after Stripe answers); one for another tenant's account is recorded
    and never applied. An account is linked by `connect.create_account` only, never by an
    event."""
    linked = tenant.get("merchant_account_id")
    if not linked:
        raise EventNotReady("the tenant's connected account is not linked yet")
    return bool(linked == account_id)


def _apply_tenant(
    writes: WriteSet,
    docs: Mapping[DocKey, Doc | None],
    change: TenantChange,
    event: StripeEvent,
    tenant_id: str | None,
    now: datetime,
) -> ApplyResult:
    tenant = docs.get(DocKey(TENANTS, tenant_id or ""))
    applied = False
    if tenant is not None and _owns_account(tenant, change.account_id):
        seen = tenant.get("account_state_key")
        if seen is None or change.key > tuple(seen):
            fields = {**change.fields, "account_state_key": list(change.key)}
            writes.update(DocKey(TENANTS, str(tenant_id)), fields)
            applied = True
    writes.set(
        DocKey(EVENT_LOGS, event.id),
        records.timeline_entry(
            event,
            tenant_id=tenant_id,
            payment_id=None,
            summary=change.summary,
            applied=applied,
            now=now,
        ),
    )
    return ApplyResult("processed", applied)


def _record_only(
    writes: WriteSet, change: NoChange, event: StripeEvent, tenant_id: str | None, now: datetime
) -> ApplyResult:
    writes.set(
        DocKey(EVENT_LOGS, event.id),
        records.timeline_entry(
            event,
            tenant_id=tenant_id,
            payment_id=None,
            summary=change.summary,
            applied=False,
            now=now,
        ),
    )
    return ApplyResult("processed")
