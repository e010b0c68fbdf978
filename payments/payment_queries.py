"""Reading payments: one payment, the tenant's list (filters, stable cursor), a timeline.

Every read is scoped to the caller's tenant: a payment of another tenant is `NotFound`.
A payment still recorded under its Checkout Session id is found by that id, and once the
webhook has folded it into its PaymentIntent, the session id still finds it.

A payment whose latest attempt failed is `failed` (Stripe says `requires_payment_method`,
shown as `payment_intent_status`), with Stripe's `last_payment_error` as `failure`:
`{code, decline_code, message, charge_id}`, else null.

The timeline shows an event from the moment Stripe's delivery is acknowledged: `processing`
(or `retrying`, its apply failed) from the inbox until it is applied, then once, from the event
log (`applied`, or `recorded` when it changed nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.errors import NotFound, ValidationError
from ledger.collections import EVENT_LOGS, PAYMENTS, WEBHOOK_EVENTS
from ledger.store import AbstractStore, Doc, DocKey, Query
from payments.events.machines import lifecycle_stage
from payments.pagination import Page, fetch_page, limit_arg, unix_time_arg

__all__ = [
    "EQUALITY_FILTERS",
    "STATUSES",
    "get_payment",
    "list_payments",
    "list_query_where",
    "load_payment",
    "payment_timeline",
    "payment_view",
]

STATUSES = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "requires_capture",
    "failed",
    "canceled",
    "succeeded",
    "partially_refunded",
    "refunded",
    "disputed",
)
EQUALITY_FILTERS = ("status", "currency", "client_reference_id", "customer_email")
VIEW_FIELDS = (
    "status",
    "amount",
    "currency",
    "amount_capturable",
    "amount_captured",
    "amount_refunded",
    "amount_disputed",
    "application_fee_amount",
    "checkout_session_id",
    "payment_intent_id",
    "latest_charge_id",
    "customer_email",
    "client_reference_id",
    "merchant_account_id",
    "early_fraud_warning",
    "created",
    "updated",
)
FAILURE_FIELDS = ("code", "decline_code", "message", "charge_id")
TIMELINE_LIMIT = 500
WAITING = {"received": "processing", "failed": "retrying"}  # inbox status → timeline state


def load_payment(store: AbstractStore, tenant_id: str, payment_id: str) -> tuple[str, Doc]:
    """(document id, document) of the tenant's payment, or `NotFound`."""
    doc = store.get(DocKey(PAYMENTS, payment_id))
    if doc is not None and doc.get("tenant_id") == tenant_id:
        return payment_id, doc
    if payment_id.startswith("cs_"):
        rows = store.query(
            Query(
                PAYMENTS,
                where=(("tenant_id", "==", tenant_id), ("checkout_session_id", "==", payment_id)),
                limit=1,
            )
        )
        if rows:
            return rows[0]
    raise NotFound(f"No payment {payment_id}", code="payment_not_found", param="id")


def get_payment(store: AbstractStore, tenant_id: str, payment_id: str) -> Doc:
    return payment_view(*load_payment(store, tenant_id, payment_id))


def list_payments(store: AbstractStore, tenant_id: str, args: Mapping[str, str]) -> Doc:
    page = fetch_page(
        store,
        PAYMENTS,
        where=list_query_where(tenant_id, args),
        tiebreak="payment_id",
        limit=limit_arg(args),
        cursor=args.get("cursor") or None,
    )
    return _list_body(page)


def list_query_where(tenant_id: str, args: Mapping[str, str]) -> tuple[tuple[str, str, Any], ...]:
    where: list[tuple[str, str, Any]] = [("tenant_id", "==", tenant_id)]
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        raise ValidationError(f"status must be one of {', '.join(STATUSES)}", param="status")
    for name in EQUALITY_FILTERS:
        value = args.get(name) or None
        if value is not None:
            where.append((name, "==", value.lower() if name == "currency" else value))
    for name, op in (("created_gte", ">="), ("created_lte", "<=")):
        bound = unix_time_arg(args, name)
        if bound is not None:
            where.append(("created", op, bound))
    return tuple(where)


def payment_timeline(store: AbstractStore, tenant_id: str, payment_id: str) -> Doc:
    """Stripe's events for the payment, by Stripe time, and the API's own notes (capture,
    cancel, refund requests). Each event has its `state`: `applied` (it changed the snapshot),
    `recorded` (applied, changed nothing: older than the state shown), or, while only the
    inbox holds it, `processing` (acknowledged, not applied yet) or `retrying` (its apply
    failed; it waits for a retry)."""
    doc_id, doc = load_payment(store, tenant_id, payment_id)
    # The inbox first: an event applied between the two reads is then in both, and shown once
    # (as applied); read the other way round, it would be in neither.
    waiting = _waiting_events(store, tenant_id, doc_id)
    rows = store.query(
        Query(
            EVENT_LOGS,
            where=(("tenant_id", "==", tenant_id), ("payment_id", "==", doc_id)),
            order_by=(("created", "asc"),),
            limit=TIMELINE_LIMIT,
        )
    )
    logged = {log.get("event_id", log_id): log for log_id, log in rows}
    pending = {event_id: inbox for event_id, inbox in waiting.items() if event_id not in logged}
    entries = [_logged_entry(event_id, log) for event_id, log in logged.items()]
    entries += [_waiting_entry(event_id, inbox) for event_id, inbox in pending.items()]
    entries += [
        {"source": "api", "note_id": note_id, **note}
        for note_id, note in (doc.get("api_notes") or {}).items()
    ]
    delivered = {event_id: _seconds(log.get("recorded_at")) for event_id, log in logged.items()}
    delivered |= {
        event_id: _seconds(inbox.get("received_at")) for event_id, inbox in pending.items()
    }
    entries.sort(key=lambda entry: _position(entry, delivered))
    return {"object": "timeline", "payment_id": doc_id, "data": entries}


def payment_view(doc_id: str, doc: Doc) -> Doc:
    view: Doc = {"object": "payment", "id": doc_id}
    view.update({name: doc.get(name) for name in VIEW_FIELDS})
    view["metadata"] = dict(doc.get("metadata") or {})
    view["capture_method"] = _capture_method(doc)
    view["payment_intent_status"] = _payment_intent_status(doc)
    view["failure"] = _failure(doc)
    view["refunds"] = sorted(doc.get("sources", {}).get("refunds", {}))
    view["disputes"] = sorted(doc.get("sources", {}).get("disputes", {}))
    view["api_notes"] = doc.get("api_notes") or {}
    return view


def _capture_method(doc: Doc) -> str | None:
    intents = doc.get("sources", {}).get("payment_intent", {})
    for entry in intents.values():
        method = entry["state"].get("capture_method")
        if method:
            return str(method).replace("automatic_async", "automatic")
    return doc.get("capture_method")


def _payment_intent_status(doc: Doc) -> str | None:
    """The reducer's field; a document written before it existed falls back to the intent's
    state in `sources`."""
    if "payment_intent_status" in doc:
        return doc["payment_intent_status"]
    for entry in doc.get("sources", {}).get("payment_intent", {}).values():
        status = entry["state"].get("status")
        if status:
            return str(status)
    return None


def _failure(doc: Doc) -> Doc | None:
    """Always the same four keys, or null."""
    failure = doc.get("failure")
    if not failure:
        return None
    return {name: failure.get(name) for name in FAILURE_FIELDS}


def _list_body(page: Page) -> Doc:
    return {
        "object": "list",
        "data": [payment_view(doc_id, doc) for doc_id, doc in page.rows],
        "has_more": page.has_more,
        "next_cursor": page.next_cursor,
    }


def _position(entry: Doc, delivered: Mapping[str, float]) -> tuple[int, int, float, str]:
    """Stripe time; within a second, the payment's lifecycle (an API request before the events
    it causes), then the order of delivery (the inbox's, for an event not applied yet)."""
    if entry["source"] == "api":
        return (int(entry.get("created") or 0), -1, 0.0, entry["note_id"])
    event_id = entry["event_id"]
    stage = lifecycle_stage(entry.get("type"))
    return (int(entry.get("created") or 0), stage, delivered.get(event_id, 0.0), event_id)


def _waiting_events(store: AbstractStore, tenant_id: str, doc_id: str) -> dict[str, Doc]:
    """The payment's inbox records not applied yet: acknowledged, or failed and due a retry
    (`ordering_key` is the payment an event belongs to, docs/ledger.md)."""
    rows = store.query(
        Query(
            WEBHOOK_EVENTS,
            where=(("tenant_id", "==", tenant_id), ("ordering_key", "==", doc_id)),
            limit=TIMELINE_LIMIT,
        )
    )
    return {event_id: inbox for event_id, inbox in rows if inbox.get("status") in WAITING}


def _logged_entry(event_id: str, log: Doc) -> Doc:
    applied = bool(log.get("applied"))
    return {
        "source": "stripe",
        "event_id": event_id,
        "type": log.get("type"),
        "created": log.get("created"),
        "summary": log.get("summary"),
        "applied": applied,
        "state": "applied" if applied else "recorded",
    }


def _waiting_entry(event_id: str, inbox: Doc) -> Doc:
    state = WAITING[inbox["status"]]
    summary = "Processing"
    if state == "retrying":
        error = str(inbox.get("last_error") or "").strip().splitlines()
        summary = f"Waiting to retry: {error[0]}" if error else "Waiting to retry"
    return {
        "source": "stripe",
        "event_id": event_id,
        "type": inbox.get("type"),
        "created": inbox.get("created"),
        "summary": summary,
        "applied": False,
        "state": state,
    }


def _seconds(value: Any) -> float:
    return value.timestamp() if hasattr(value, "timestamp") else 0.0
