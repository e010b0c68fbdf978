"""The documents the webhook path writes, shaped in one place (names: docs/ledger.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from payments.events.model import StripeEvent
from payments.webhooks.routing import EventRoute

__all__ = ["dispute_record", "inbox_record", "refund_record", "support_ticket", "timeline_entry"]

Doc = dict[str, Any]
MONEY_EVENT_PREFIXES = ("payment_intent.", "charge.", "refund.", "checkout.session.")


def inbox_record(
    event: StripeEvent,
    raw_body: str,
    route: EventRoute,
    *,
    now: datetime,
    claim: Doc | None,
    ordering_key: str = "",
) -> Doc:
    """`received` with the claim its delivery took, until the apply queue applies it (or
    `ignored`); `ordering_key` is what the queue serializes it on (its payment, or account)."""
    return {
        "id": event.id,
        "type": event.type,
        "account": event.account,
        "tenant_id": route.tenant_id,
        "livemode": event.livemode,
        "created": event.created,
        "status": "ignored" if route.ignored_reason else "received",
        "ignored_reason": route.ignored_reason,
        "attempts": 0,
        "last_error": None,
        "received_at": now,
        "processed_at": None,
        "next_retry_at": None,
        "claim": claim,
        "ordering_key": ordering_key,
        "payment_id": None,
        "applied": None,
        "payload": raw_body,
    }


def timeline_entry(
    event: StripeEvent,
    *,
    tenant_id: str | None,
    payment_id: str | None,
    summary: str,
    applied: bool,
    now: datetime,
) -> Doc:
    return {
        "tenant_id": tenant_id,
        "payment_id": payment_id,
        "event_id": event.id,
        "type": event.type,
        "created": event.created,
        "summary": summary,
        "applied": applied,
        "recorded_at": now,
    }


def refund_record(refund_id: str, source: Doc, *, tenant_id: str | None, payment_id: str) -> Doc:
    state = source["state"]
    return {
        "refund_id": refund_id,
        "tenant_id": tenant_id,
        "payment_id": payment_id,
        "status": state.get("status"),
        "amount": state.get("amount"),
        "currency": state.get("currency"),
        "reason": state.get("reason"),
        "failure_reason": state.get("failure_reason"),
        "charge_id": state.get("charge"),
        "created": state.get("created"),
        "updated": source["key"][0],
    }


def dispute_record(dispute_id: str, source: Doc, *, tenant_id: str | None, payment_id: str) -> Doc:
    state = source["state"]
    return {
        "dispute_id": dispute_id,
        "tenant_id": tenant_id,
        "payment_id": payment_id,
        "status": state.get("status"),
        "amount": state.get("amount"),
        "currency": state.get("currency"),
        "reason": state.get("reason"),
        "charge_id": state.get("charge"),
        "due_by": state.get("due_by"),
        "created": state.get("created"),
        "updated": source["key"][0],
    }


def support_ticket(inbox: Doc, *, error: str, now: datetime) -> Doc:
    money = str(inbox.get("type", "")).startswith(MONEY_EVENT_PREFIXES)
    return {
        "type": "webhook_event_dead",
        "event_id": inbox["id"],
        "event_type": inbox.get("type"),
        "tenant_id": inbox.get("tenant_id"),
        "error": error,
        "attempts": inbox.get("attempts"),
        "priority": "high" if money else "normal",
        "status": "open",
        "created_at": now,
    }
