"""The webhook service: receive a delivery from Stripe, apply it off the request path, process
a recorded event again (retry queue, sweeper, operator replay).

The delivery (`receive`), while Stripe waits: verify the signature on the raw body → parse and
validate the event → route it to a tenant (or record why not) → create its inbox record, which
claims it (one write: no transaction, no read of the payment) → hand it to the apply queue →
2xx. Firestore down → 503, Stripe retries. A hand-off that fails after the record exists still
answers 2xx: the sweeper applies the record once its claim runs out, so nothing is lost.

The apply (`apply_handed_off`), when the queue delivers the event, one payment at a time: one
atomic commit applies it under the delivery's claim (`apply.py`). That message is done after
this one attempt whatever happens: a failure is recorded and handed to the retry queue with
backoff, so the payment's later events never wait behind it. If the payment now has states
only Stripe can order, the retry queue is asked for a resync (`resync.py`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.errors import Contention, NotFound, Unavailable, ValidationError
from ledger.collections import WEBHOOK_EVENTS
from ledger.store import AbstractStore, DocKey
from payments.events.model import StripeEvent
from payments.stripe_gateway import AbstractStripeGateway
from payments.webhooks import claims, logs, signature
from payments.webhooks.apply import apply_claimed_event
from payments.webhooks.policy import RetryPolicy
from payments.webhooks.queues import AbstractQueue, HandOff
from payments.webhooks.records import inbox_record
from payments.webhooks.routing import TenantDirectory, ordering_key, route_event

__all__ = ["Receipt", "WebhookDeps", "apply_handed_off", "process_recorded", "receive"]

MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class WebhookDeps:
    store: AbstractStore
    queue: AbstractQueue
    tenants: TenantDirectory
    signing_secrets: Callable[[], tuple[str, ...]]  # revealed on first verification only
    livemode: bool
    policy: RetryPolicy
    clock: Callable[[], datetime]
    jitter: Callable[[], float]
    stripe: Callable[[], AbstractStripeGateway] | None = None  # built on the first resync


@dataclass(frozen=True)
class Receipt:
    event_id: str
    # received | processed | duplicate | in_progress | scheduled | ignored | failed | dead
    status: str
    detail: str | None = None

    def to_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"received": True, "event_id": self.event_id, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        return body


def receive(raw_body: bytes, signature_header: str | None, deps: WebhookDeps) -> Receipt:
    now = deps.clock()
    signature.verify(raw_body, signature_header, deps.signing_secrets(), now=now.timestamp())
    event = StripeEvent.from_payload(_json(raw_body))
    route = route_event(event, livemode=deps.livemode, tenants=deps.tenants)
    if route.ignored_reason:
        record = inbox_record(event, raw_body.decode("utf-8"), route, now=now, claim=None)
        if not _record_once(deps, event.id, record):
            return _duplicate(deps, event.id)
        return Receipt(event.id, "ignored", route.ignored_reason)
    claim = claims.new_claim(deps.policy, now)
    key = ordering_key(event)
    record = inbox_record(
        event, raw_body.decode("utf-8"), route, now=now, claim=claim, ordering_key=key
    )
    if not _record_once(deps, event.id, record):
        return _duplicate(deps, event.id)
    handoff = HandOff(event.id, claim["token"], str(route.tenant_id), key, raw_body)
    _hand_off(deps, handoff)
    return Receipt(event.id, "received")


def apply_handed_off(handoff: HandOff, deps: WebhookDeps) -> Receipt:
    """Apply an event the apply queue delivered, under the claim its delivery took (the
    message's capability: only the inbox record and the message know it). One attempt: the
    receipt says how it ended (`failed`: handed to the retry queue); only `Unavailable`
    (Firestore down) propagates, for the queue to deliver the message again."""
    now = deps.clock()
    event = StripeEvent.from_payload(_json(handoff.payload))
    if event.id != handoff.event_id:
        raise ValidationError("The message's event_id is not its event's", param="event_id")
    claim = {"token": handoff.claim_token}
    recorded = handoff.payload.decode("utf-8")
    return _process(deps, event, handoff.tenant_id, claim, now=now, recorded=recorded)


def process_recorded(event_id: str, deps: WebhookDeps, *, replay: bool = False) -> Receipt:
    """Process an event that is already in the inbox (retry queue, sweeper, replay). A failed
    event waits for its `next_retry_at` whoever asks (the queue may come back early), unless
    an operator replays it."""
    now = deps.clock()
    claim, inbox = claims.take_claim(
        deps.store, event_id, policy=deps.policy, now=now, force=replay, respect_schedule=not replay
    )
    if inbox is None:
        raise NotFound(f"No webhook event {event_id}")
    if claim is None and inbox.get("status") == "failed" and not inbox.get("claim"):
        return Receipt(event_id, "scheduled", "the next retry is not due yet")
    if claim is None:
        status = inbox.get("status") or "in_progress"
        return Receipt(event_id, "in_progress" if status in claims.CLAIMABLE else status)
    event = StripeEvent.from_payload(json.loads(inbox["payload"]))
    tenant_id = inbox.get("tenant_id")
    if inbox.get("status") == "ignored":
        route = route_event(event, livemode=deps.livemode, tenants=deps.tenants)
        if route.ignored_reason:
            deps.store.update(
                DocKey(WEBHOOK_EVENTS, event_id),
                {"claim": None, "ignored_reason": route.ignored_reason},
            )
            return Receipt(event_id, "ignored", route.ignored_reason)
        tenant_id = route.tenant_id
    return _process(deps, event, tenant_id, claim, now=now, replay=replay)


def _process(
    deps: WebhookDeps,
    event: StripeEvent,
    tenant_id: str | None,
    claim: dict[str, Any],
    *,
    now: datetime,
    replay: bool = False,
    recorded: str | None = None,
) -> Receipt:
    try:
        result = apply_claimed_event(
            deps.store,
            event,
            tenant_id=tenant_id,
            claim_token=claim["token"],
            now=now,
            replay=replay,
            recorded=recorded,
        )
    except Contention as error:
        return _failed(deps, event, claim, error, now=now, transient=True)
    except Unavailable:
        raise  # Firestore is down: nothing more can be recorded; 503 makes Stripe retry
    except Exception as error:
        return _failed(deps, event, claim, error, now=now)
    if result.status == "claim_lost":
        return Receipt(event.id, "in_progress")
    if result.resync_needed and result.payment_id:
        _request_resync(deps, result.payment_id)
    return Receipt(event.id, "duplicate" if result.status == "already_processed" else "processed")


def _failed(
    deps: WebhookDeps,
    event: StripeEvent,
    claim: dict[str, Any],
    error: Exception,
    *,
    now: datetime,
    transient: bool = False,
) -> Receipt:
    message = f"{type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
    failure = claims.record_failure(
        deps.store,
        event.id,
        claim_token=claim["token"],
        error=message,
        policy=deps.policy,
        now=now,
        jitter=deps.jitter(),
        transient=transient,
    )
    if failure is None:
        return Receipt(event.id, "in_progress")
    logs.log_webhook_failed(
        event_id=event.id, event_type=event.type, status=failure.status, error=message
    )
    if failure.status == "failed":
        _publish(deps, event.id)
    return Receipt(event.id, failure.status, message)


def _hand_off(deps: WebhookDeps, handoff: HandOff) -> None:
    try:
        deps.queue.hand_off(handoff)
    except Exception as error:  # the sweeper applies received events whose claim ran out
        logs.log_handoff_failed(event_id=handoff.event_id, error=type(error).__name__)


def _publish(deps: WebhookDeps, event_id: str) -> None:
    try:
        deps.queue.publish(event_id)
    except Exception:  # the sweeper finds failed events whose retry time has come
        logs.log_retry_not_queued(event_id=event_id)


def _request_resync(deps: WebhookDeps, payment_id: str) -> None:
    try:
        deps.queue.request_resync(payment_id)
    except Exception:  # the sweeper finds payments that still need a resync
        logs.log_resync_not_queued(payment_id=payment_id)


def _record_once(deps: WebhookDeps, event_id: str, record: dict[str, Any]) -> bool:
    """Create the inbox record; False if it exists already. A create that collides with the
    transaction of another delivery of this event (it holds the record's lock) finds the
    record there: that delivery is a duplicate, not a reason for Stripe to retry."""
    key = DocKey(WEBHOOK_EVENTS, event_id)
    try:
        return deps.store.create(key, record)
    except Contention:
        if deps.store.get(key) is None:
            raise
        return False


def _duplicate(deps: WebhookDeps, event_id: str) -> Receipt:
    existing = deps.store.get(DocKey(WEBHOOK_EVENTS, event_id)) or {}
    status = existing.get("status")
    if status in {"received", "processing"}:
        return Receipt(event_id, "in_progress")
    return Receipt(event_id, "duplicate", f"already {status}")


def _json(raw_body: bytes) -> object:
    try:
        return json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError("The body is not JSON", code="not_an_event") from None
