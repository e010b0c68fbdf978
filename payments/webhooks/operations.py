"""What operators do with the inbox: list events (each with its lag, `payments.webhooks.lag`),
replay one, and the sweeper that retries failed events whose time has come and claims whose
holder died."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from core.errors import AppError, NotFound, ValidationError
from ledger.collections import WEBHOOK_EVENTS
from ledger.store import Doc, DocKey, Query
from payments.webhooks import logs
from payments.webhooks.lag import event_lag
from payments.webhooks.resync import resync_due
from payments.webhooks.service import Receipt, WebhookDeps, process_recorded

__all__ = ["LISTABLE_STATUSES", "list_events", "replay_event", "sweep"]

LISTABLE_STATUSES = ("received", "processed", "ignored", "failed", "dead")
MAX_LIMIT = 100
SUMMARY_FIELDS = (
    "id",
    "type",
    "account",
    "tenant_id",
    "status",
    "ignored_reason",
    "attempts",
    "last_error",
    "created",
    "received_at",
    "processed_at",
    "next_retry_at",
    "payment_id",
)


def list_events(
    deps: WebhookDeps, *, tenant_id: str | None, status: str | None, limit: int = 50
) -> list[dict[str, Any]]:
    if status is not None and status not in LISTABLE_STATUSES:
        raise ValidationError(
            f"status must be one of {', '.join(LISTABLE_STATUSES)}", param="status"
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", param="limit")
    where: list[tuple[str, str, Any]] = []
    if tenant_id is not None:
        where.append(("tenant_id", "==", tenant_id))
    if status is not None:
        where.append(("status", "==", status))
    rows = deps.store.query(
        Query(
            WEBHOOK_EVENTS,
            where=tuple(where),
            order_by=(("received_at", "desc"),),
            limit=limit,
        )
    )
    return [_summary(doc) for _, doc in rows]


def replay_event(deps: WebhookDeps, event_id: str, *, tenant_id: str | None) -> Receipt:
    """Apply a recorded event again, whatever its status. Idempotent: a processed event
    changes nothing it already changed."""
    inbox = deps.store.get(DocKey(WEBHOOK_EVENTS, event_id))
    if inbox is None or (tenant_id is not None and inbox.get("tenant_id") != tenant_id):
        raise NotFound(f"No webhook event {event_id}")
    return process_recorded(event_id, deps, replay=True)


def sweep(deps: WebhookDeps, *, limit: int = 50) -> dict[str, int]:
    """Retry failed events that are due and events whose claim expired (holder died), and
    resync payments whose queued resync was lost: the count of each outcome (`skipped`: could
    not be taken now, the next sweep tries again)."""
    now = deps.clock()
    due = deps.store.query(
        Query(
            WEBHOOK_EVENTS,
            where=(("status", "==", "failed"), ("next_retry_at", "<=", now)),
            order_by=(("next_retry_at", "asc"),),
            limit=limit,
        )
    )
    stuck = deps.store.query(
        Query(
            WEBHOOK_EVENTS,
            where=(("status", "==", "received"), ("claim.until", "<=", now)),
            order_by=(("claim.until", "asc"),),
            limit=limit,
        )
    )
    outcomes = Counter(_sweep_one(deps, event_id) for event_id, _ in [*due, *stuck])
    outcomes.update(f"resync_{receipt.status}" for receipt in resync_due(deps, limit=limit))
    return dict(outcomes)


def _sweep_one(deps: WebhookDeps, event_id: str) -> str:
    """One event's outcome; an event that cannot be taken now (its record locked by a dead
    holder's transaction, Firestore slow) is skipped, not a reason to stop the sweep."""
    try:
        return process_recorded(event_id, deps).status
    except AppError as error:
        logs.log_sweep_skipped(event_id=event_id, error=f"{type(error).__name__}: {error}")
        return "skipped"


def _summary(doc: Doc) -> dict[str, Any]:
    summary = {name: _jsonable(doc.get(name)) for name in SUMMARY_FIELDS}
    summary["lag"] = event_lag(doc)
    return summary


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
