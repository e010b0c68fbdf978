"""Topics and push subscriptions on the Pub/Sub emulator, over its REST API (no client library),
for `make run` and the tests: the retry queue is a topic whose push subscription calls the
`process_event` function, with a retry policy and a dead-letter topic."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

__all__ = ["RETRY_SUBSCRIPTION", "RETRY_TOPIC", "ensure_retry_queue"]

RETRY_TOPIC = "webhook-retries"
RETRY_SUBSCRIPTION = "webhook-retries-push"
DEAD_LETTER_TOPIC = "webhook-retries-dead"


def ensure_retry_queue(
    host_port: str,
    project: str,
    *,
    push_endpoint: str,
    min_backoff_s: int = 1,
    max_backoff_s: int = 60,
    max_delivery_attempts: int = 20,
) -> None:
    base = f"http://{host_port}/v1/projects/{project}"
    for topic in (RETRY_TOPIC, DEAD_LETTER_TOPIC):
        _put(f"{base}/topics/{topic}", {})
    subscription = f"{base}/subscriptions/{RETRY_SUBSCRIPTION}"
    _put(
        subscription,
        {
            "topic": f"projects/{project}/topics/{RETRY_TOPIC}",
            "pushConfig": {"pushEndpoint": push_endpoint},
            "ackDeadlineSeconds": 30,
            "retryPolicy": {
                "minimumBackoff": f"{min_backoff_s}s",
                "maximumBackoff": f"{max_backoff_s}s",
            },
            "deadLetterPolicy": {
                "deadLetterTopic": f"projects/{project}/topics/{DEAD_LETTER_TOPIC}",
                "maxDeliveryAttempts": max_delivery_attempts,
            },
        },
    )
    # The subscription may already exist from an earlier server on another port: point it here.
    _send(
        "POST", f"{subscription}:modifyPushConfig", {"pushConfig": {"pushEndpoint": push_endpoint}}
    )


def _put(url: str, body: dict[str, Any]) -> None:
    try:
        _send("PUT", url, body)
    except urllib.error.HTTPError as error:
        if error.code != 409:  # already exists
            raise


def _send(method: str, url: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
