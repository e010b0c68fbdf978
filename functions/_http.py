"""The one HTTP edge wrapper shared by every deployed function.

`http_function(name)` builds a function's entry point from its rows of the routing table. For
each request it: opens a log context (request id, Cloud Trace), enforces the body size limit,
picks the view by method and path, and turns the outcome into a response — an `AppError` into
its status, its headers (`Retry-After`, `Allow`) and `{"error": {"type", "code", "message"}}`,
anything else into a logged 500 whose body says nothing about the cause. No stack trace ever
reaches a client.
"""

from __future__ import annotations

import importlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from flask import Flask, Request, Response, request
from werkzeug import exceptions as werkzeug_exceptions
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import Map, Rule

from core import errors, logs
from core.settings import get_settings
from functions.routes import Route, routes_of

__all__ = [
    "View",
    "answer_routing_misses_in_json",
    "http_function",
    "in_framework_app_setup",
    "json_body",
    "json_response",
]

View = Callable[..., Response]
EntryPoint = Callable[[Request], Response]

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def json_response(
    body: object, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")),
        status=status,
        headers=headers,
        mimetype="application/json",
    )


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or a `ValidationError` saying what is wrong with it."""
    if not request.is_json:
        raise errors.ValidationError("Send a JSON body with Content-Type: application/json")
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # `[[[[…` deeper than the parser goes
        raise errors.ValidationError("The JSON body is nested too deeply") from None
    if not isinstance(body, dict):
        raise errors.ValidationError("The request body must be a JSON object")
    if b"\\u" in request.get_data(cache=True) and not _unicode_text(body):
        raise errors.ValidationError(
            "The JSON body escapes a lone surrogate (e.g. \\ud800): that is not text",
            code="invalid_unicode",
        )
    return body


def _unicode_text(value: object) -> bool:
    """No lone surrogate in any string (JSON can escape one; Firestore, Stripe and the logs
    cannot carry it). Iterative: the parser's nesting limit is not this walk's."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def http_function(
    name: str,
    *,
    guard: Callable[[Request], None] | None = None,
    routes: Sequence[Route] | None = None,
    views: Mapping[str, View] | None = None,
) -> EntryPoint:
    """The deployed entry point of `functions.<name>`, dispatching its routes to its views.

    `guard`, if given, runs before any view and refuses by raising an `AppError` (the internal
    functions' caller check). By default the routes are the function's rows of the routing
    table and the views are the attributes of its module; tests may pass their own.
    """
    routes = routes_of(name) if routes is None else tuple(routes)
    if not routes:
        raise LookupError(f"no route in the routing table belongs to function {name!r}")
    logs.configure_logging()
    url_map = Map(
        [Rule(route.path, methods=[route.method], endpoint=route) for route in routes],
        strict_slashes=False,
        merge_slashes=False,
    )

    def entry(request: Request) -> Response:
        started = time.perf_counter()
        with _request_log_context(request) as request_id:
            response = _handle(request, url_map, name, views, guard)
            response.headers["X-Request-Id"] = request_id
            logs.log_request_completed(
                method=request.method,
                path=request.path,
                status=response.status_code,
                latency_ms=(time.perf_counter() - started) * 1000,
                function=name,
            )
            return response

    entry.__name__ = entry.__qualname__ = name
    return entry


def in_framework_app_setup() -> None:
    """Called as functions-framework resolves its target (inside its app's context, before any
    request): have that app answer its routing misses in JSON too."""
    from flask import current_app, has_app_context, has_request_context

    if has_app_context() and not has_request_context():
        answer_routing_misses_in_json(current_app)


def answer_routing_misses_in_json(app: Flask) -> None:
    """A request the Flask app around the functions cannot route (its catch-all `<path:path>`
    matches no encoded newline, `%0A`) never reaches `entry`: answer it in JSON too, not
    with Flask's HTML page."""
    app.register_error_handler(werkzeug_exceptions.NotFound, _routing_miss)
    app.register_error_handler(werkzeug_exceptions.MethodNotAllowed, _routing_miss)


def _routing_miss(error: HTTPException) -> Response:
    mapped: errors.AppError = errors.NotFound(f"No route for {request.method} {request.path}")
    if isinstance(error, werkzeug_exceptions.MethodNotAllowed):
        mapped = errors.MethodNotAllowed(
            f"{request.method} is not allowed on {request.path}", allowed=error.valid_methods or ()
        )
    return json_response(mapped.to_body(), status=mapped.status, headers=mapped.headers())


def _handle(
    request: Request,
    url_map: Map,
    function: str,
    views: Mapping[str, View] | None,
    guard: Callable[[Request], None] | None,
) -> Response:
    try:
        _limit_body(request)
        if guard is not None:
            guard(request)
        route, params = _match(request, url_map)
        return _view(function, route.view, views)(request, **params)
    except errors.AppError as error:
        return json_response(error.to_body(), status=error.status, headers=error.headers())
    except RequestEntityTooLarge:
        too_large = errors.PayloadTooLarge("The request body is too large")
        return json_response(too_large.to_body(), status=too_large.status)
    except HTTPException as error:  # e.g. a malformed body werkzeug refused to parse
        status = error.code or 400
        mapped = errors.ValidationError(error.description or "Bad request", code="bad_request")
        return json_response(mapped.to_body(), status=status if status < 500 else 400)
    except Exception:
        logs.log_unhandled_error(function=function, path=request.path)
        internal = errors.AppError("An internal error occurred; it has been logged")
        return json_response(internal.to_body(), status=internal.status)


def _view(function: str, name: str, views: Mapping[str, View] | None) -> View:
    if views is not None:
        return views[name]
    view: View = getattr(importlib.import_module(f"functions.{function}"), name)
    return view


def _limit_body(request: Request) -> None:
    limit = get_settings().max_request_bytes
    request.max_content_length = limit  # guards bodies sent without a Content-Length too
    if request.content_length is not None and request.content_length > limit:
        raise errors.PayloadTooLarge(f"The request body is larger than {limit} bytes")


def _match(request: Request, url_map: Map) -> tuple[Route, Mapping[str, Any]]:
    adapter = url_map.bind("localhost", path_info=request.path, url_scheme="http")
    try:
        route, params = adapter.match(method=request.method)
    except HTTPException as error:
        if isinstance(error, werkzeug_exceptions.MethodNotAllowed):
            raise errors.MethodNotAllowed(
                f"{request.method} is not allowed on {request.path}",
                allowed=error.valid_methods or (),
            ) from None
        raise errors.NotFound(f"No route for {request.method} {request.path}") from None
    if not isinstance(route, Route):  # a redirect rule; this map declares none
        raise errors.NotFound(f"No route for {request.method} {request.path}")
    return route, params


@contextmanager
def _request_log_context(request: Request) -> Iterator[str]:
    supplied = request.headers.get("X-Request-Id", "")
    request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
    trace, span = _cloud_trace(request.headers.get("X-Cloud-Trace-Context", ""))
    token = logs.request_context.set(logs.RequestContext(request_id, trace, span))
    try:
        yield request_id
    finally:
        logs.request_context.reset(token)


def _cloud_trace(header: str) -> tuple[str | None, str | None]:
    """`TRACE_ID/SPAN_ID;o=1` → (`projects/P/traces/TRACE_ID`, SPAN_ID)."""
    match = re.match(r"^([0-9a-fA-F]{32})(?:/(\d+))?", header)
    if match is None:
        return None, None
    return f"projects/{get_settings().project}/traces/{match.group(1)}", match.group(2)
