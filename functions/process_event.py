"""`process_event`: the push endpoints of the webhook queues (Pub/Sub push subscriptions).

`POST /tasks/apply-event` is the apply queue's, ordered by payment: it applies one received
event (`service.apply_handed_off`) and answers 2xx after that one attempt whatever its outcome,
because an ordered subscription holds the payment's later messages behind a message it
redelivers; a failure has gone to the retry queue. Only Firestore down answers 503 (every key
waits for it anyway), and a message that is not ours is acknowledged (`rejected`), never
redelivered.

`POST /tasks/process-event` is the retry queue's. It answers 2xx when the event needs nothing
more (processed, ignored, or dead after the maximum attempts), and 503 while it should be
delivered again later; Pub/Sub's retry policy spaces the redeliveries. A `{"resync":
payment_id}` message reads the payment's unsettled objects from Stripe and applies them
(`payments.webhooks.resync`), 503 while it is still unsettled.
Attempts are counted in the inbox record, not taken from Pub/Sub.
Deployed without public access: only the push subscriptions' service account may invoke it,
and the entry point checks that caller's ID token itself before any view
(`functions._internal.require_internal_caller`; locally, the stack's `INTERNAL_TOKEN`).
"""

from __future__ import annotations

import base64
import binascii
import json

from flask import Request, Response

import bootstrap
from core.errors import ValidationError
from functions._http import http_function, json_body, json_response
from functions._internal import require_internal_caller
from payments.webhooks import logs, service
from payments.webhooks.queues import HandOff

__all__ = ["process_event"]

DONE = {"processed", "duplicate", "ignored", "dead"}


def apply(request: Request) -> Response:
    try:
        receipt = service.apply_handed_off(_handoff(json_body(request)), bootstrap.webhook_deps())
    except ValidationError as error:  # redelivering it would only hold its payment's key
        logs.log_message_rejected(error=str(error))
        return json_response({"received": True, "status": "rejected", "detail": str(error)})
    return json_response(receipt.to_body())


def process(request: Request) -> Response:
    message = _message(json_body(request))
    deps = bootstrap.webhook_deps()
    payment_id = message.get("resync")
    if isinstance(payment_id, str) and payment_id:
        from payments.webhooks.resync import resync_payment

        receipt = resync_payment(payment_id, deps)
    else:
        receipt = service.process_recorded(_event_id(message), deps)
    return json_response(receipt.to_body(), status=200 if receipt.status in DONE else 503)


def _handoff(envelope: dict[str, object]) -> HandOff:
    message = envelope.get("message")
    if not isinstance(message, dict):
        raise ValidationError("Expected a Pub/Sub push message", param="message")
    attributes = message.get("attributes")
    names = ("event_id", "claim", "tenant_id", "payment")
    if not isinstance(attributes, dict) or not all(
        isinstance(attributes.get(name), str) for name in names
    ):
        raise ValidationError(f"The message needs the attributes {', '.join(names)}")
    try:
        payload = base64.b64decode(str(message.get("data")), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("The message's data is not base64", param="data") from None
    return HandOff(
        event_id=attributes["event_id"],
        claim_token=attributes["claim"],
        tenant_id=attributes["tenant_id"],
        ordering_key=attributes["payment"],
        payload=payload,
    )


def _message(envelope: dict[str, object]) -> dict[str, object]:
    message = envelope.get("message")
    data = message.get("data") if isinstance(message, dict) else None
    try:
        decoded = json.loads(base64.b64decode(str(data), validate=True))
    except (binascii.Error, ValueError):
        raise ValidationError("Expected a Pub/Sub push message whose data is JSON") from None
    if not isinstance(decoded, dict):
        raise ValidationError("The message names no event", param="event_id")
    return decoded


def _event_id(message: dict[str, object]) -> str:
    event_id = message.get("event_id")
    if not isinstance(event_id, str) or not event_id.startswith("evt_"):
        raise ValidationError("The message names no event", param="event_id")
    return event_id


process_event = http_function("process_event", guard=require_internal_caller)
