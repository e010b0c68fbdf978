"""One WSGI app serving every deployed function under its routes, as the deploy would."""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Collection

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from core import errors
from core.settings import get_settings
from functions._http import answer_routing_misses_in_json, json_response
from functions.routes import ROUTES

__all__ = ["HideQueryTokens", "create_app", "serve"]

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s\"]*")


class HideQueryTokens(logging.Filter):
    """The access log shows `?token=…` (the internal token the Pub/Sub emulator's pushes carry,
    an emailed link's token) as `?token=[hidden]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_QUERY.sub(r"\1[hidden]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def create_app(functions: Collection[str] | None = None) -> Flask:
    """A Flask app that hands each request to the deployed function that owns its path (of
    `functions` only, when given: one deployed function's own instance)."""
    function_of_path = Map(
        [
            Rule(route.path, endpoint=route.function)
            for route in ROUTES
            if functions is None or route.function in functions
        ],
        strict_slashes=False,
        merge_slashes=False,
    )
    app = Flask(__name__)
    app.url_map.strict_slashes = False
    answer_routing_misses_in_json(app)

    @app.route("/", defaults={"path": ""}, methods=_METHODS)
    @app.route("/<path:path>", methods=_METHODS)
    def dispatch(path: str) -> Response:
        adapter = function_of_path.bind("localhost", path_info=request.path)
        try:
            function, _ = adapter.match(method=None)
        except HTTPException:
            missing = errors.NotFound(f"No route for {request.method} {request.path}")
            return json_response(missing.to_body(), status=missing.status)
        entry = getattr(importlib.import_module(f"functions.{function}"), str(function))
        response: Response = entry(request)
        return response

    return app


def serve(*, host: str = "127.0.0.1", port: int | None = None) -> None:
    from werkzeug.serving import run_simple

    settings = get_settings()  # read (and checked) before serving anything
    chosen = port if port is not None else settings.port
    print(f"functions serving on http://{host}:{chosen}", flush=True)
    logging.getLogger("werkzeug").addFilter(HideQueryTokens())
    run_simple(host, chosen, create_app(), threaded=True, use_reloader=False)
