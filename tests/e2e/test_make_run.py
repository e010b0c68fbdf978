"""`make run`'s stack (`python -m emulators.stack`): up, ready, degraded, and stopped by Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import sys
import time

from emulators.gcloud import free_port
from tests.e2e import api_client
from tests.e2e.servers import ROOT, running
from tests.processes import java_processes_serving


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_stack_serves_ready_then_503_without_firestore_and_ctrl_c_stops_everything() -> None:
    ports = {"PORT": free_port(), "FIRESTORE_PORT": free_port(), "PUBSUB_PORT": free_port()}
    env = {**os.environ, "PYTHONPATH": str(ROOT), **{k: str(v) for k, v in ports.items()}}
    env.pop("FIRESTORE_EMULATOR_HOST", None)
    command = [sys.executable, "-m", "emulators.stack"]
    with running(command, env=env, port=ports["PORT"], ready_path="/api/v1/health/ready") as stack:
        assert api_client.get(stack.url, "/api/v1/health/ready").status_code == 200

        firestore_java = java_processes_serving(f":{ports['FIRESTORE_PORT']}")
        assert len(firestore_java) == 1
        os.kill(firestore_java[0], signal.SIGKILL)
        deadline = time.monotonic() + 10
        while java_processes_serving(f":{ports['FIRESTORE_PORT']}") and time.monotonic() < deadline:
            time.sleep(0.05)

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

    assert "functions" in output and f"http://127.0.0.1:{ports['PORT']}" in output
    assert java_processes_serving(f":{ports['PUBSUB_PORT']}") == []
    assert not port_is_open(ports["PORT"])
    assert not port_is_open(ports["PUBSUB_PORT"])
