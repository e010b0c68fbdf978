"""`openapi.yaml` is valid OpenAPI 3.1 and describes exactly the JSON API of the routing table.

The dashboard's HTML pages (function `dashboard`) are not part of the JSON API, by rule. Each
operation names its deployed function (`x-function`), and its security agrees with the access
rule the isolation matrix enforces (`tests/e2e/test_isolation_matrix.py`): public routes need
no credential, internal ones are marked `x-internal` and guarded by Cloud IAM, protected ones
name their permission (`x-permission`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator

from auth.rbac import PERMISSIONS
from core import errors
from functions.discovery import OPENAPI_FILE, OPENAPI_PATH
from functions.routes import ROUTES, Route
from tests.e2e.test_isolation_matrix import ACCESS, Internal, Protected, Public

ROOT = Path(__file__).resolve().parents[2]
NOT_JSON_API = frozenset({"dashboard"})  # HTML pages, not part of the JSON API
METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
Operation = dict[str, Any]


def load_spec() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(OPENAPI_FILE.read_text())
    return spec


def openapi_path(werkzeug_path: str) -> str:
    """`/payments/<payment_id>` or `/x/<int:n>` → `/payments/{payment_id}`, `/x/{n}`."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", werkzeug_path)


def api_routes() -> dict[tuple[str, str], Route]:
    return {
        (route.method, openapi_path(route.path)): route
        for route in ROUTES
        if route.function not in NOT_JSON_API
    }


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], Operation]:
    return {
        (method.upper(), path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec()


def test_the_document_is_at_the_repository_root_and_served_by_discovery() -> None:
    assert OPENAPI_FILE == ROOT / "openapi.yaml"
    assert ("GET", OPENAPI_PATH) in {(r.method, r.path) for r in ROUTES}


def test_openapi_path_converts_werkzeug_rules() -> None:
    assert openapi_path("/api/v1/payments/<payment_id>/timeline") == (
        "/api/v1/payments/{payment_id}/timeline"
    )
    assert openapi_path("/a/<int:n>/b/<path:rest>") == "/a/{n}/b/{rest}"
    assert openapi_path("/health") == "/health"


def test_the_spec_is_valid_openapi_3_1(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1.")
    found = [error.message for error in OpenAPIV31SpecValidator(spec).iter_errors()]
    assert found == []


def test_the_spec_and_the_routing_table_list_the_same_operations(spec: dict[str, Any]) -> None:
    documented, routed = set(operations(spec)), set(api_routes())
    assert sorted(routed - documented) == [], "routes missing from openapi.yaml"
    assert sorted(documented - routed) == [], "operations in openapi.yaml that no route serves"


def test_every_operation_names_the_function_that_serves_it(spec: dict[str, Any]) -> None:
    routes = api_routes()
    wrong = {
        key: (operation.get("x-function"), routes[key].function)
        for key, operation in operations(spec).items()
        if key in routes and operation.get("x-function") != routes[key].function
    }
    assert wrong == {}


def test_operation_ids_are_unique(spec: dict[str, Any]) -> None:
    ids = [operation["operationId"] for operation in operations(spec).values()]
    assert len(ids) == len(set(ids))


def test_security_agrees_with_the_isolation_matrix(spec: dict[str, Any]) -> None:
    default_security = spec["security"]
    routes = api_routes()
    for key, operation in operations(spec).items():
        route = routes[key]
        rule = ACCESS[(route.method, route.path)]
        security = operation.get("security", default_security)
        if isinstance(rule, Public):
            assert security == [], key
            assert "x-permission" not in operation, key
        elif isinstance(rule, Internal):
            assert operation.get("x-internal") is True, key
            assert security == [{"internalCaller": []}], key
        else:
            assert isinstance(rule, Protected)
            assert not operation.get("x-internal"), key
            assert "x-permission" in operation, key
            assert operation["x-permission"] == rule.permission, key
            assert rule.permission is None or rule.permission in PERMISSIONS
            schemes = {name for requirement in security for name in requirement}
            assert {"accessToken", "apiKey", "apiKeyHeader", "sessionCookie"} <= schemes, key
            if key[0] != "GET":  # a state-changing request with the cookie needs its CSRF token
                assert {"sessionCookie": [], "csrfToken": []} in security, key


def test_every_operation_documents_the_errors_it_can_answer(spec: dict[str, Any]) -> None:
    """The statuses every operation of a kind can answer, whatever its view does."""
    routes = api_routes()
    missing: dict[tuple[str, str], set[str]] = {}
    for key, operation in operations(spec).items():
        rule = ACCESS[(routes[key].method, routes[key].path)]
        expected = {"500"}  # the edge's answer to anything unexpected
        if isinstance(rule, Protected):
            expected |= {"401", "403", "429", "503"}  # credential, role, API-key limiter, Firestore
        if "{" in key[1] and isinstance(rule, Protected):
            expected.add("404")
        if "requestBody" in operation:
            expected |= {"400", "413"}
        if any(_is_idempotency_key(p) for p in operation.get("parameters", [])):
            expected |= {"400", "409"}
        lacking = expected - set(operation["responses"])
        if lacking:
            missing[key] = lacking
    assert missing == {}


def test_no_operation_has_a_catch_all_response(spec: dict[str, Any]) -> None:
    """A `default` response would let any status conform, hiding undocumented ones."""
    assert [key for key, op in operations(spec).items() if "default" in op["responses"]] == []


def test_the_error_schema_names_every_error_type(spec: dict[str, Any]) -> None:
    types = {getattr(errors, name).type for name in errors.__all__}
    documented = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    assert set(documented["type"]["enum"]) == types


def _is_idempotency_key(parameter: dict[str, Any]) -> bool:
    return parameter.get("$ref") == "#/components/parameters/IdempotencyKey"
