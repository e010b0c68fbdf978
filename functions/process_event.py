"""`process_event`: the retry queue's push endpoint (a Pub/Sub push subscription).

Answers 2xx when the event needs nothing more (processed, ignored, or dead after the maximum
attempts), and 503 while it should be delivered again later; Pub/Sub's retry policy spaces the
redeliveries. A `{"resync": payment_id}` message reads the payment's unsettled objects from
Stripe and applies them (`payments.webhooks.resync`), 503 while it is still unsettled.
Attempts are counted in the inbox record, not taken from Pub/Sub.
Deployed without public access: only the push subscription's service account may invoke it.
"""

from __future__ import annotations

import base64
import binascii
import json

from flask import Request, Response

from functions._http import http_function, json_body, json_response
from payments import bootstrap
from payments.errors import ValidationError
from payments.webhooks import service

__all__ = ["process_event"]

DONE = {"processed", "duplicate", "ignored", "dead"}


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


process_event = http_function("process_event")
