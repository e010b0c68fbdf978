"""Fixtures for the Stripe emulator's tests: the emulator as a subprocess, a stripe client,
and a real HTTP webhook receiver."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe
from werkzeug.serving import BaseWSGIServer, make_server

from emulators.gcloud import free_port
from emulators.processes import serving
from emulators.stack import stripe_command
from emulators.stripe import EmulatorConfig, create_app

REPO_ROOT = Path(__file__).resolve().parents[3]
API_KEY = "sk_test_emulator"


@pytest.fixture(scope="session")
def stripe_emulator_url() -> Iterator[str]:
    """A standalone emulator (`python -m emulators.stripe`) on a free port, for the session."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "STRIPE_EMULATOR_RETRY_SCALE": "0.0005",
        "STRIPE_EMULATOR_ACH_DELAY": "0",
    }
    command = stripe_command(port)
    with serving(
        command, port=port, env=env, cwd=REPO_ROOT, ready_path="/_emulator/health"
    ) as emulator:
        first_line = emulator.output().splitlines()[0]
        assert first_line.strip() == f"Stripe emulator listening on {emulator.url}", first_line
        yield emulator.url


@pytest.fixture(autouse=True)
def reset_stripe_emulator(stripe_emulator_url: str) -> None:
    requests.post(f"{stripe_emulator_url}/_emulator/reset", timeout=5).raise_for_status()


def make_client(url: str, api_key: str = API_KEY) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": url, "connect": url, "files": url},
        max_network_retries=0,
    )


@pytest.fixture
def client(stripe_emulator_url: str) -> stripe.StripeClient:
    return make_client(stripe_emulator_url)


@pytest.fixture
def helper(stripe_emulator_url: str) -> Callable[..., Any]:
    """POST (or GET) an `/_emulator` helper and return its JSON."""

    def call(
        path: str, body: dict[str, Any] | None = None, *, method: str = "POST", expect: int = 200
    ) -> Any:
        response = requests.request(
            method, f"{stripe_emulator_url}/_emulator/{path}", json=body, timeout=10
        )
        assert response.status_code == expect, response.text
        return response.json()

    return call


@pytest.fixture
def account(client: stripe.StripeClient, helper: Callable[..., Any]) -> str:
    """A connected Express account whose onboarding is complete."""
    created = client.v1.accounts.create({"type": "express", "country": "US"})
    helper(f"accounts/{created.id}/complete_onboarding")
    return created.id


@dataclass
class Receiver:
    """A real HTTP server that records webhook deliveries; it can fail the first N."""

    url: str
    fail_first: int = 0
    status: int = 500
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(r["body"]) for r in self.received if r["status"] < 300]

    def events_of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [b for b in self.bodies() if b["type"] == event_type]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            with receiver.lock:
                failing = receiver.fail_first > 0
                receiver.fail_first -= 1 if failing else 0
                status = receiver.status if failing else 200
                receiver.received.append(
                    {
                        "body": body,
                        "status": status,
                        "path": self.path,
                        "signature": self.headers.get("Stripe-Signature"),
                    }
                )
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Receiver("")))
    receiver = Receiver(f"http://127.0.0.1:{server.server_port}/webhooks")
    server.RequestHandlerClass = _handler(receiver)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def in_process_emulator() -> Iterator[Callable[..., str]]:
    """Start extra emulators in this process with a custom config; returns their URL."""
    servers: list[BaseWSGIServer] = []

    def start(**settings: Any) -> str:
        port = free_port()
        config = EmulatorConfig(port=port, **{"retry_scale": 0.0005, "ach_delay": 0, **settings})
        server = make_server("127.0.0.1", port, create_app(config), threaded=True)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
