"""Topics and push subscriptions on the Pub/Sub emulator, over its REST API (no client library),
for `make run`, the tests and the bench — the same ones `cloudbuild.yaml` creates in a project:

- the apply queue: topic `webhook-events`, and an ordered push subscription to
  `/tasks/apply-event` (one outstanding message per payment). No dead-letter topic: that
  endpoint acknowledges every message after one attempt, and only answers 503 while Firestore
  is down, when redelivering is what should happen;
- the retry queue: topic `webhook-retries`, and a push subscription to `/tasks/process-event`
  with a retry policy and a dead-letter topic.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

__all__ = [
    "APPLY_SUBSCRIPTION",
    "APPLY_TOPIC",
    "RETRY_SUBSCRIPTION",
    "RETRY_TOPIC",
    "create_subscription",
    "delete_subscription",
    "ensure_queues",
    "ensure_topic",
]

APPLY_TOPIC = "webhook-events"
APPLY_SUBSCRIPTION = "webhook-events-apply"
RETRY_TOPIC = "webhook-retries"
RETRY_SUBSCRIPTION = "webhook-retries-push"
DEAD_LETTER_TOPIC = "webhook-retries-dead"


def ensure_queues(
    host_port: str,
    project: str,
    *,
    functions_url: str,
    internal_token: str,
    min_backoff_s: int = 1,
    max_backoff_s: int = 60,
    max_delivery_attempts: int = 20,
) -> None:
    """Both queues, pushing to the functions at `functions_url`. The emulator's pushes carry no
    ID token (it sends no `Authorization`), so the endpoints name the functions'
    `INTERNAL_TOKEN` as `?token=`; deployed, Pub/Sub sends a Google ID token instead."""
    base = f"http://{host_port}/v1/projects/{project}"
    query = "?" + urllib.parse.urlencode({"token": internal_token})
    for topic in (APPLY_TOPIC, RETRY_TOPIC, DEAD_LETTER_TOPIC):
        _put(f"{base}/topics/{topic}", {})
    retry_policy = {"minimumBackoff": f"{min_backoff_s}s", "maximumBackoff": f"{max_backoff_s}s"}
    apply = f"{base}/subscriptions/{APPLY_SUBSCRIPTION}"
    _ensure_subscription(
        apply,
        {
            "topic": f"projects/{project}/topics/{APPLY_TOPIC}",
            "pushConfig": {"pushEndpoint": f"{functions_url}/tasks/apply-event{query}"},
            "ackDeadlineSeconds": 30,
            "enableMessageOrdering": True,
            "retryPolicy": retry_policy,
        },
    )
    if not _get(apply).get("enableMessageOrdering"):  # read it back: ordering is the design
        raise RuntimeError(f"{APPLY_SUBSCRIPTION} exists without message ordering")
    _ensure_subscription(
        f"{base}/subscriptions/{RETRY_SUBSCRIPTION}",
        {
            "topic": f"projects/{project}/topics/{RETRY_TOPIC}",
            "pushConfig": {"pushEndpoint": f"{functions_url}/tasks/process-event{query}"},
            "ackDeadlineSeconds": 30,
            "retryPolicy": retry_policy,
            "deadLetterPolicy": {
                "deadLetterTopic": f"projects/{project}/topics/{DEAD_LETTER_TOPIC}",
                "maxDeliveryAttempts": max_delivery_attempts,
            },
        },
    )


def ensure_topic(host_port: str, project: str, name: str) -> None:
    _put(f"http://{host_port}/v1/projects/{project}/topics/{name}", {})


def delete_subscription(host_port: str, project: str, name: str) -> None:
    """Delete a subscription (what it holds is dropped); nothing if there is none."""
    try:
        _send("DELETE", f"http://{host_port}/v1/projects/{project}/subscriptions/{name}", None)
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise


def create_subscription(host_port: str, project: str, name: str, body: dict[str, Any]) -> None:
    """A subscription as `body` describes it (the REST resource), anew: one of that name is
    deleted first."""
    delete_subscription(host_port, project, name)
    _put(f"http://{host_port}/v1/projects/{project}/subscriptions/{name}", body)


def _ensure_subscription(url: str, body: dict[str, Any]) -> None:
    _put(url, body)
    # It may already exist from an earlier server on another port: point it here.
    _send("POST", f"{url}:modifyPushConfig", {"pushConfig": body["pushConfig"]})


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:
        found: dict[str, Any] = json.loads(response.read())
    return found


def _put(url: str, body: dict[str, Any]) -> None:
    try:
        _send("PUT", url, body)
    except urllib.error.HTTPError as error:
        if error.code != 409:  # already exists
            raise


def _send(method: str, url: str, body: dict[str, Any] | None) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
