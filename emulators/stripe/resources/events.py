"""Events (retrieve, list with filters) and webhook endpoints (CRUD)."""

from __future__ import annotations

from ..errors import invalid
from ..forms import as_list
from ..shapes import shaped
from ..store import Obj, public
from .common import (
    Call,
    Route,
    apply_metadata,
    bool_param,
    changes,
    created_filter,
    str_param,
)


def retrieve_event(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "event"))


def list_events(call: Call) -> Obj:
    one_type = str_param(call.params, "type")
    types = as_list(call.params.get("types"))
    in_range = created_filter(call.params)
    success = (
        bool_param(call.params, "delivery_success") if "delivery_success" in call.params else None
    )

    def keep(event: Obj) -> bool:
        return (
            in_range(event)
            and (one_type is None or _type_matches(event["type"], one_type))
            and (not types or event["type"] in types)
            and (success is None or (event["pending_webhooks"] == 0) == success)
        )

    return call.list_of("event", keep)


def _type_matches(event_type: str, pattern: str) -> bool:
    """Stripe's `type` filter accepts `*` as a wildcard, e.g. `charge.dispute.*`."""
    if pattern.endswith("*"):
        return event_type.startswith(pattern[:-1])
    return event_type == pattern


def create_endpoint(call: Call) -> Obj:
    url = str_param(call.params, "url", needed=True) or ""
    events = [str(e) for e in as_list(call.params.get("enabled_events"))]
    if not events:
        raise invalid(
            "Missing required param: enabled_events.",
            param="enabled_events",
            code="parameter_missing",
        )
    endpoint = call.emu.add_endpoint(
        url,
        events,
        connect=bool_param(call.params, "connect"),
        owner=call.account,
        description=str_param(call.params, "description"),
        metadata=apply_metadata({}, call.params.get("metadata")),
    )
    return {**public(endpoint), "secret": endpoint["_secret"]}


def retrieve_endpoint(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "webhook_endpoint"))


def update_endpoint(call: Call, object_id: str) -> Obj:
    endpoint = call.get(object_id, "webhook_endpoint")
    updates: Obj = {}
    if "url" in call.params:
        updates["url"] = str_param(call.params, "url", needed=True)
    if "enabled_events" in call.params:
        updates["enabled_events"] = [str(e) for e in as_list(call.params["enabled_events"])]
    if "description" in call.params:
        updates["description"] = str_param(call.params, "description")
    if "disabled" in call.params:
        updates["status"] = "disabled" if bool_param(call.params, "disabled") else "enabled"
    if "metadata" in call.params:
        updates["metadata"] = apply_metadata(endpoint["metadata"], call.params["metadata"])
    changes(endpoint, updates)
    return public(endpoint)


def delete_endpoint(call: Call, object_id: str) -> Obj:
    endpoint = call.get(object_id, "webhook_endpoint")
    call.emu.store.remove(endpoint["id"])
    return shaped(
        "deleted_webhook_endpoint",
        {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True},
    )


def list_endpoints(call: Call) -> Obj:
    return call.list_of("webhook_endpoint")


ROUTES = [
    Route("GET", "/v1/events", list_events, "EventListParams"),
    Route("GET", "/v1/events/<object_id>", retrieve_event, "EventRetrieveParams"),
    Route("POST", "/v1/webhook_endpoints", create_endpoint, "WebhookEndpointCreateParams"),
    Route("GET", "/v1/webhook_endpoints", list_endpoints, "WebhookEndpointListParams"),
    Route(
        "GET",
        "/v1/webhook_endpoints/<object_id>",
        retrieve_endpoint,
        "WebhookEndpointRetrieveParams",
    ),
    Route(
        "POST", "/v1/webhook_endpoints/<object_id>", update_endpoint, "WebhookEndpointUpdateParams"
    ),
    Route(
        "DELETE",
        "/v1/webhook_endpoints/<object_id>",
        delete_endpoint,
        "WebhookEndpointDeleteParams",
    ),
]
