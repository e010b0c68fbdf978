"""The one HTTP edge wrapper: routing, error mapping, size limit, request ids and logs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, Request, Response, request

from core import errors, logs
from functions._http import View, http_function, json_body, json_response
from functions.routes import Route
from tests.support.settings import settings_from

ROUTES = (
    Route("probe", "GET", "/things/<thing_id>", "show", "Show a thing"),
    Route("probe", "POST", "/things", "create", "Create a thing"),
    Route("probe", "GET", "/boom", "boom", "Fail unexpectedly"),
    Route("probe", "GET", "/conflict", "conflict", "Fail with a known error"),
    Route("probe", "GET", "/limited", "limited", "Fail with a rate limit"),
)


def show(req: Request, thing_id: str) -> Response:
    return json_response({"id": thing_id})


def create(req: Request) -> Response:
    return json_response(json_body(req), status=201)


def boom(req: Request) -> Response:
    raise RuntimeError("secret internals: sk_test_do_not_leak at /srv/app.py line 3")


def conflict(req: Request) -> Response:
    raise errors.Conflict("Already captured", code="already_captured")


def limited(req: Request) -> Response:
    raise errors.RateLimited("Too many attempts", retry_after=7)


VIEWS: dict[str, View] = {
    "show": show,
    "create": create,
    "boom": boom,
    "conflict": conflict,
    "limited": limited,
}
ENTRY = http_function("probe", routes=ROUTES, views=VIEWS)
APP = Flask("edge-test")


def call(path: str, method: str = "GET", **kwargs: Any) -> Response:
    with APP.test_request_context(path, method=method, **kwargs):
        return ENTRY(request)


def body(response: Response) -> dict[str, object]:
    parsed: dict[str, object] = json.loads(response.get_data(as_text=True))
    return parsed


def test_routes_with_path_parameters() -> None:
    response = call("/things/th_1")
    assert response.status_code == 200
    assert body(response) == {"id": "th_1"}
    assert response.mimetype == "application/json"


def test_unknown_path_is_a_json_404_and_wrong_method_a_json_405() -> None:
    missing = call("/nothing-here")
    assert missing.status_code == 404
    assert body(missing)["error"] == {
        "type": "invalid_request_error",
        "code": "not_found",
        "message": "No route for GET /nothing-here",
    }
    wrong = call("/things/th_1", method="DELETE")
    assert wrong.status_code == 405
    assert body(wrong)["error"]["code"] == "method_not_allowed"  # type: ignore[index]
    assert wrong.headers["Allow"] == "GET, HEAD"  # RFC 9110: a 405 says what is allowed


def test_an_error_with_a_retry_time_sends_retry_after() -> None:
    response = call("/limited")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert body(response)["error"]["retry_after"] == 7  # type: ignore[index]
    assert "Retry-After" not in call("/conflict").headers


def test_app_error_maps_to_its_status_and_body() -> None:
    response = call("/conflict")
    assert response.status_code == 409
    assert body(response) == {
        "error": {
            "type": "conflict_error",
            "code": "already_captured",
            "message": "Already captured",
        }
    }


def test_unexpected_error_is_a_500_that_reveals_nothing_but_is_logged(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure_logging()
    response = call("/boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert body(response)["error"]["code"] == "internal_error"  # type: ignore[index]
    for leak in ("Traceback", "RuntimeError", "sk_test_do_not_leak", "app.py"):
        assert leak not in text
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    error_line = next(entry for entry in logged if entry["severity"] == "ERROR")
    assert "RuntimeError" in error_line["stack_trace"]


def test_json_body_must_be_a_json_object() -> None:
    created = call("/things", method="POST", json={"name": "a"})
    assert created.status_code == 201
    assert body(created) == {"name": "a"}
    for kwargs in (
        {"data": "name=a"},
        {"json": [1, 2]},
        {"data": "{not json", "content_type": "application/json"},
    ):
        refused = call("/things", method="POST", **kwargs)
        assert refused.status_code == 400, kwargs
        assert body(refused)["error"]["type"] == "invalid_request_error"  # type: ignore[index]


def test_a_json_body_too_deep_for_the_parser_is_a_400_not_a_500() -> None:
    deep = '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"
    refused = call("/things", method="POST", data=deep, content_type="application/json")
    assert refused.status_code == 400
    assert "nested too deeply" in body(refused)["error"]["message"]  # type: ignore[index]


def test_a_json_body_with_a_lone_surrogate_is_refused_but_escaped_pairs_are_text() -> None:
    for lone in ('{"name": "\\ud800"}', '{"a": [{"\\udfff": 1}]}'):
        refused = call("/things", method="POST", data=lone, content_type="application/json")
        assert refused.status_code == 400, lone
        assert body(refused)["error"]["code"] == "invalid_unicode"  # type: ignore[index]
    pair = '{"name": "\\ud83d\\ude00 \\u00e9"}'
    accepted = call("/things", method="POST", data=pair, content_type="application/json")
    assert accepted.status_code == 201
    assert body(accepted) == {"name": "\U0001f600 \u00e9"}


def test_bodies_over_the_limit_are_refused_with_413() -> None:
    with settings_from(MAX_REQUEST_BYTES="64"):
        response = call("/things", method="POST", json={"name": "x" * 100})
    assert response.status_code == 413
    assert body(response)["error"]["code"] == "payload_too_large"  # type: ignore[index]


def test_request_id_is_echoed_or_minted_and_logs_carry_it_with_the_trace(
    capsys: pytest.CaptureFixture[str],
) -> None:
    logs.configure_logging()
    trace_id = "105445aa7843bc8bf206b12000100000"
    supplied = call(
        "/things/a",
        headers={"X-Request-Id": "req-123", "X-Cloud-Trace-Context": f"{trace_id}/1;o=1"},
    )
    assert supplied.headers["X-Request-Id"] == "req-123"
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["request_id"] == "req-123"
    assert line["severity"] == "INFO"
    assert line["logging.googleapis.com/trace"].endswith(f"/traces/{trace_id}")
    assert line["httpRequest"]["status"] == 200

    minted = call("/things/a", headers={"X-Request-Id": "bad id with spaces"})
    assert minted.headers["X-Request-Id"] != "bad id with spaces"
    assert len(minted.headers["X-Request-Id"]) == 32


def test_paths_the_surrounding_flask_app_cannot_route_are_answered_in_json() -> None:
    """Flask's catch-all `<path:path>` matches no encoded newline, so such a request never
    reaches a function: the app around them (functions-framework deployed, the local server)
    must still answer the API's JSON, not an HTML page."""
    import functions_framework

    from functions.server import create_app
    from tests.support.stacks import ROOT

    deployed = functions_framework.create_app(target="payments", source=str(ROOT / "main.py"))
    for app in (deployed, create_app()):
        response = app.test_client().get("/api/v1/payments/a%0Ab")
        assert response.status_code == 404
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["code"] == "not_found"
        wrong = app.test_client().put("/api/v1/payments/a%0Ab")
        assert wrong.mimetype == "application/json"
