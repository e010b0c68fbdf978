"""The HTTP edge: Stripe's v1 protocol (auth, Stripe-Account, forms, idempotency, errors)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from . import helpers, pages
from .config import EmulatorConfig
from .emulator import Emulator
from .errors import StripeApiError
from .expand import expand
from .forms import as_list, parse_pairs
from .params import params_class, validate
from .resources import (
    accounts,
    charges,
    checkout,
    customers,
    disputes,
    events,
    payment_intents,
    refunds,
)
from .resources.common import Call, Route
from .responses import json_response
from .store import IdempotentResponse, Obj

RESOURCE_MODULES = (
    accounts,
    charges,
    checkout,
    customers,
    disputes,
    events,
    payment_intents,
    refunds,
)
EMULATOR_KEY = "stripe_emulator"


def create_app(config: EmulatorConfig | None = None) -> Flask:
    """A Flask app speaking Stripe's API v1, with hosted pages and `/_emulator` helpers."""
    emu = Emulator(config or EmulatorConfig())
    app = Flask(__name__)
    app.extensions[EMULATOR_KEY] = emu
    for module in RESOURCE_MODULES:
        for route in module.ROUTES:
            app.add_url_rule(
                route.rule,
                endpoint=f"{route.method} {route.rule}",
                view_func=_api_view(emu, route),
                methods=[route.method],
            )
    pages.register(app, emu)
    helpers.register(app, emu)
    app.register_error_handler(StripeApiError, _error_response)
    app.register_error_handler(404, _unrecognized)
    app.register_error_handler(405, _unrecognized)
    return app


def _error_response(error: StripeApiError) -> Response:
    return json_response(error.body(), error.status)


def _unrecognized(error: HTTPException) -> Response | HTTPException:
    if not request.path.startswith("/v1/"):
        return error
    message = (
        f"Unrecognized request URL ({request.method}: {request.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/."
    )
    return json_response({"error": {"type": "invalid_request_error", "message": message}}, 404)


def _api_key() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    key = ""
    if scheme.lower() == "bearer":
        key = credentials.strip()
    elif scheme.lower() == "basic":
        try:
            key = base64.b64decode(credentials).decode().partition(":")[0]
        except (ValueError, UnicodeDecodeError):
            key = ""
    if not header:
        raise StripeApiError(
            401,
            "You did not provide an API key. You need to provide your "
            "API key in the Authorization header, using Bearer auth.",
        )
    if not key.startswith("sk_test_"):
        shown = key[:8] + "*" * max(0, len(key) - 12) + key[-4:] if key else "(empty)"
        raise StripeApiError(401, f"Invalid API Key provided: {shown}", code="api_key_invalid")
    return key


def _api_view(emu: Emulator, route: Route) -> Callable[..., Response]:
    accepted = params_class(route.params)

    def view(**path_args: str) -> Response:
        api_key = _api_key()
        account = request.headers.get("Stripe-Account") or None
        source = request.form if route.method == "POST" else request.args
        params = parse_pairs(source.items(multi=True))
        validate(params, accepted, also=route.also)
        idempotency_key = request.headers.get("Idempotency-Key") if route.method == "POST" else None
        with emu.store.lock:
            emu.require_account(account)
            if idempotency_key is None:
                status, body = _run(emu, route, account, params, path_args)
                return json_response(body, status)
            scope = (api_key, account, idempotency_key)
            fingerprint = json.dumps([request.path, params], sort_keys=True)
            earlier = emu.store.idempotency.get(scope)
            if earlier is not None:
                return _replay(earlier, fingerprint, idempotency_key)
            status, body = _run(emu, route, account, params, path_args)
            emu.store.idempotency[scope] = IdempotentResponse(fingerprint, status, body)
            return json_response(body, status, {"Idempotency-Key": idempotency_key})

    return view


def _run(
    emu: Emulator,
    route: Route,
    account: str | None,
    params: dict[str, Any],
    path_args: dict[str, str],
) -> tuple[int, Obj]:
    try:
        body = route.handler(Call(emu, account, params, request.path), **path_args)
        return 200, expand(body, as_list(params.get("expand")), emu.store, account)
    except StripeApiError as error:
        return error.status, error.body()


def _replay(earlier: IdempotentResponse, fingerprint: str, key: str) -> Response:
    if earlier.fingerprint != fingerprint:
        raise StripeApiError(
            400,
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
            type="idempotency_error",
        )
    return json_response(
        earlier.body, earlier.status, {"Idempotent-Replayed": "true", "Idempotency-Key": key}
    )
