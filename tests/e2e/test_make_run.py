"""`make run`'s stack (`python -m emulators.stack`): up and wired, degraded, stopped by Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable

import requests

from emulators.gcloud import free_port
from emulators.stack import PORT_VARIABLES, PROJECT
from tests.e2e import api_client
from tests.e2e.servers import ROOT, Server, running
from tests.processes import java_processes_serving


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def eventually(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def inbox_ids(firestore_port: int) -> list[str]:
    url = (
        f"http://127.0.0.1:{firestore_port}/v1/projects/{PROJECT}/databases/(default)"
        "/documents/webhook_events"
    )
    documents = requests.get(url, timeout=5).json().get("documents", [])
    return [doc["name"].rsplit("/", 1)[1] for doc in documents]


def assert_wired(stack: Server, ports: dict[str, int]) -> None:
    """The Stripe emulator signs with the secrets the functions verify with."""
    stripe_url = f"http://127.0.0.1:{ports['stripe']}"
    assert requests.get(f"{stripe_url}/_emulator/health", timeout=5).status_code == 200
    assert requests.get(f"http://127.0.0.1:{ports['mail']}/health", timeout=5).status_code == 200
    triggered = requests.post(
        f"{stripe_url}/_emulator/trigger", json={"type": "payment_intent.succeeded"}, timeout=10
    )
    assert triggered.status_code == 200, triggered.text
    # a delivery that failed verification writes nothing: a record proves the secrets match
    eventually(lambda: bool(inbox_ids(ports["firestore"])), "a delivery recorded in the inbox")


def test_stack_is_wired_then_503_without_firestore_and_ctrl_c_stops_everything() -> None:
    ports = {name: free_port() for name in PORT_VARIABLES}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.update({PORT_VARIABLES[name]: str(port) for name, port in ports.items()})
    env.pop("FIRESTORE_EMULATOR_HOST", None)
    command = [sys.executable, "-m", "emulators.stack"]
    with running(
        command, env=env, port=ports["functions"], ready_path="/api/v1/health/ready"
    ) as stack:
        eventually(lambda: "Press Ctrl-C" in stack.output(), "the stack to print its URLs")
        assert_wired(stack, ports)

        firestore_java = java_processes_serving(f":{ports['firestore']}")
        assert len(firestore_java) == 1
        os.kill(firestore_java[0], signal.SIGKILL)
        eventually(
            lambda: not java_processes_serving(f":{ports['firestore']}"), "Firestore to stop"
        )

        degraded = api_client.get(stack.url, "/api/v1/health/ready")
        assert degraded.status_code == 503
        assert degraded.json()["error"] == {
            "type": "api_error",
            "code": "firestore_unavailable",
            "message": "Firestore is not reachable",
        }
        assert api_client.get(stack.url, "/health").status_code == 200  # liveness is unaffected

        stack.process.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
        stack.process.wait(timeout=30)
        output = stack.output()
        assert stack.process.returncode == 0, output

    for name in ("functions", "stripe", "mail"):
        assert f"http://127.0.0.1:{ports[name]}" in output
    assert java_processes_serving(f":{ports['pubsub']}") == []
    for name in ("functions", "pubsub", "stripe", "mail"):
        assert not port_is_open(ports[name]), name
