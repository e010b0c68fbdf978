"""`discovery` over real HTTP, served by `python -m functions serve` against the emulator."""

from __future__ import annotations

from emulators.gcloud import RunningEmulator
from functions.discovery import OPENAPI_FILE
from functions.routes import ROUTES
from tests.e2e import api_client
from tests.support.stacks import functions_server


def test_health_index_and_readiness_over_http(firestore: RunningEmulator) -> None:
    with functions_server() as server:
        for path in ("/health", "/api/v1/health"):
            live = api_client.get(server.url, path)
            assert live.status_code == 200
            assert live.json() == {"status": "ok"}

        index = api_client.get(server.url, "/api/v1")
        assert index.status_code == 200
        assert index.json()["version"]
        linked = {(link["method"], link["path"]) for link in index.json()["links"]}
        assert linked == {(route.method, route.path) for route in ROUTES}
        assert index.json()["openapi"] == "/api/v1/openapi.yaml"
        document = api_client.get(server.url, index.json()["openapi"])
        assert document.status_code == 200
        assert document.headers["Content-Type"] == "application/yaml"
        assert document.content == OPENAPI_FILE.read_bytes()

        ready = api_client.get(server.url, "/api/v1/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "checks": {"firestore": "ok"}}

        missing = api_client.get(server.url, "/api/v1/nothing")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "not_found"
        assert missing.headers["Content-Type"] == "application/json"
