"""`process_event`: the retry queue's push endpoint (a Pub/Sub push subscription).

Answers 2xx when the event needs nothing more (processed, ignored, or dead after the maximum
attempts), and 503 while it should be delivered again later; Pub/Sub's retry policy spaces the
redeliveries. Attempts are counted in the inbox record, not taken from Pub/Sub.
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
    event_id = _event_id(json_body(request))
    receipt = service.process_recorded(event_id, bootstrap.webhook_deps())
    return json_response(receipt.to_body(), status=200 if receipt.status in DONE else 503)


def _event_id(envelope: dict[str, object]) -> str:
    message = envelope.get("message")
    data = message.get("data") if isinstance(message, dict) else None
    try:
        decoded = json.loads(base64.b64decode(str(data), validate=True))
    except (binascii.Error, ValueError):
        raise ValidationError("Expected a Pub/Sub push message whose data is JSON") from None
    event_id = decoded.get("event_id") if isinstance(decoded, dict) else None
    if not isinstance(event_id, str) or not event_id.startswith("evt_"):
        raise ValidationError("The message names no event", param="event_id")
    return event_id


process_event = http_function("process_event")
