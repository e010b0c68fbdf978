"""`make run`'s stack (`python -m emulators.stack`): up and wired with the secrets and project
of the environment, degraded, stopped by Ctrl-C; and `kill -- -PGID` of `make run` stops every
service it started."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from auth.tokens import decode_access_token
from emulators.gcloud import free_port
from emulators.stack import GIVEN_OR_MADE, PORT_VARIABLES
from payments.webhooks.signature import sign
from tests.e2e import api_client
from tests.support import stripe_events as se
from tests.support.processes import java_processes_serving
from tests.support.stacks import ROOT, running
from tests.support.waiting import eventually

PASSWORD = "correct horse battery staple"
STOP_BOUND_S = 20.0  # SIGTERM to the group → nothing of the stack left


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stack_env(ports: dict[str, int], **overrides: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **overrides}
    env.update({PORT_VARIABLES[name]: str(port) for name, port in ports.items()})
    env.pop("FIRESTORE_EMULATOR_HOST", None)
    for name in GIVEN_OR_MADE:  # given here, or not at all
        if name not in overrides:
            env.pop(name, None)
    return env


def inbox_ids(firestore_port: int, project: str) -> list[str]:
    url = (
        f"http://127.0.0.1:{firestore_port}/v1/projects/{project}/databases/(default)"
        "/documents/webhook_events"
    )
    documents = requests.get(url, timeout=5).json().get("documents", [])
    return [doc["name"].rsplit("/", 1)[1] for doc in documents]


def assert_wired(ports: dict[str, int], project: str) -> None:
    """The Stripe emulator signs with the secrets the functions verify with, and the functions
    write to the given project."""
    stripe_url = f"http://127.0.0.1:{ports['stripe']}"
    assert requests.get(f"{stripe_url}/_emulator/health", timeout=5).status_code == 200
    assert requests.get(f"http://127.0.0.1:{ports['mail']}/health", timeout=5).status_code == 200
    triggered = requests.post(
        f"{stripe_url}/_emulator/trigger", json={"type": "payment_intent.succeeded"}, timeout=10
    )
    assert triggered.status_code == 200, triggered.text
    # a delivery that failed verification writes nothing: a record proves the secrets match
    eventually(lambda: bool(inbox_ids(ports["firestore"], project)), "a delivery recorded")


def post_webhook(url: str, secret: str) -> requests.Response:
    """What `stripe listen --forward-to URL/webhook` or an outside check sends."""
    intent = se.payment_intent(f"pi_make_run_{uuid.uuid4().hex[:8]}", status="succeeded")
    event = se.event("payment_intent.succeeded", intent, created=int(time.time()), account=None)
    body = json.dumps(event).encode()
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": sign(body, secret, int(time.time())),
    }
    return api_client.post(url, "/webhook", data=body, headers=headers)


def access_token(url: str) -> str:
    email = f"make-run-{uuid.uuid4().hex[:10]}@example.test"
    signup = {"email": email, "password": PASSWORD, "business_name": "Make Run Bikes"}
    signed_up = api_client.post(url, "/api/v1/signup", json=signup)
    assert signed_up.status_code == 202, signed_up.text
    login = api_client.post(url, "/api/v1/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return str(login.json()["access_token"])


def test_stack_uses_the_given_secrets_then_503_without_firestore_and_ctrl_c_stops_it() -> None:
    ports = {name: free_port() for name in PORT_VARIABLES}
    given = {
        "GOOGLE_CLOUD_PROJECT": "demo-make-run",
        "STRIPE_WEBHOOK_SECRET": f"whsec_platform{secrets.token_hex(12)}",
        "STRIPE_CONNECT_WEBHOOK_SECRET": f"whsec_connect{secrets.token_hex(12)}",
        "AUTH_SIGNING_KEY": f"make-run-key-{secrets.token_hex(16)}",
    }
    command = [sys.executable, "-m", "emulators.stack"]
    with running(
        command,
        env=stack_env(ports, **given),
        port=ports["functions"],
        ready_path="/api/v1/health/ready",
    ) as stack:
        eventually(lambda: "Press Ctrl-C" in stack.output(), "the stack to print its URLs")
        assert_wired(ports, given["GOOGLE_CLOUD_PROJECT"])

        # deliveries signed outside the stack with the given secrets verify; others do not
        for name in ("STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET"):
            delivered = post_webhook(stack.url, given[name])
            assert 200 <= delivered.status_code < 300, (name, delivered.text)
        forged = post_webhook(stack.url, f"whsec_{secrets.token_hex(12)}")
        assert forged.status_code == 400, forged.text
        # tokens are signed with the given key (so sessions do not depend on the run)
        claims = decode_access_token(access_token(stack.url), key=given["AUTH_SIGNING_KEY"])
        assert claims.user_id

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
    for name in given:  # where each came from, never the secret itself
        assert re.search(rf"^  {name} +(demo-make-run \()?from the environment", output, re.M)
    for name in ("STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET", "AUTH_SIGNING_KEY"):
        assert given[name] not in output, f"{name} was printed"
    assert java_processes_serving(f":{ports['pubsub']}") == []
    for name in ("functions", "pubsub", "stripe", "mail"):
        assert not port_is_open(ports[name]), name


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    started: int  # clock ticks after boot: tells a process from a later one given its pid
    args: tuple[str, ...]


def machine_processes() -> list[Proc]:
    """Every living (not zombie) process of this machine, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] in ("Z", "X"):
            continue
        pid, ppid, pgid, started = int(entry.name), int(fields[1]), int(fields[2]), int(fields[19])
        found.append(Proc(pid, ppid, pgid, started, tuple(arg for arg in args if arg)))
    return found


def descendants(root: int) -> list[Proc]:
    processes = machine_processes()
    tree, frontier = [], {root}
    while frontier:
        children = [p for p in processes if p.ppid in frontier]
        tree += children
        frontier = {p.pid for p in children}
    return tree


def mentions_a_port(proc: Proc, ports: Iterable[int]) -> bool:
    """`--port 8080`, `--port=8080`, `--host-port=127.0.0.1:8080`: how the stack starts each."""
    suffixes = tuple(f"{sep}{port}" for port in ports for sep in ("=", ":"))
    numbers = {str(port) for port in ports}
    return any(arg in numbers or arg.endswith(suffixes) for arg in proc.args)


def leftovers(started: list[Proc], ports: Iterable[int]) -> list[Proc]:
    """The processes of the stack still alive: one it had started (same pid, same start time),
    or any whose command line names one of the stack's ports (a child that lost its parent)."""
    started_keys = {(p.pid, p.started) for p in started}
    return [
        p
        for p in machine_processes()
        if (p.pid, p.started) in started_keys or mentions_a_port(p, ports)
    ]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_sigterm_to_make_runs_process_group_stops_every_service() -> None:
    """`kill -- -PGID`: SIGTERM to `make` and the stack at once, and `make` passes its SIGTERM
    on to the stack, so the stack gets two at once; every service still stops."""
    ports = {name: free_port() for name in PORT_VARIABLES}
    command = [
        "make", "--no-print-directory",
        "-o", ".venv/.installed",  # never (re)install packages here
        f"BIN={Path(sys.executable).parent}",
        "run",
    ]  # fmt: skip
    started: list[Proc] = []
    try:
        with running(
            command,
            env=stack_env(ports),
            port=ports["functions"],
            ready_path="/api/v1/health/ready",
        ) as stack:
            eventually(lambda: "Press Ctrl-C" in stack.output(), "the stack to print its URLs")
            started = descendants(stack.process.pid)
            groups = {p.pgid for p in started}
            # make and the stack; the two emulators (each gcloud, Java, ...), mail, functions,
            # Stripe: every service in a group of its own, none in make's
            assert len(groups - {stack.process.pid}) == 5, started
            assert sum(mentions_a_port(p, ports.values()) for p in started) >= 5, started

            killed_at = time.monotonic()
            os.killpg(stack.process.pid, signal.SIGTERM)  # kill -- -PGID
            stack.process.wait(timeout=STOP_BOUND_S)
            left = leftovers(started, ports.values())
            while left and time.monotonic() - killed_at < STOP_BOUND_S:
                time.sleep(0.1)
                left = leftovers(started, ports.values())
            stopped_in = time.monotonic() - killed_at
            output = stack.output()
        assert not left, f"still running {stopped_in:.0f} s after SIGTERM: {left}\n{output}"
        assert "stack stopped" in output, output
        assert not [p for p in ports.values() if port_is_open(p)], output
        # nothing given: fresh secrets, the default project
        for name in ("STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET", "AUTH_SIGNING_KEY"):
            assert re.search(rf"^  {name} +generated$", output, re.M), name
        assert re.search(r"^  GOOGLE_CLOUD_PROJECT +demo-payments \(default\)$", output, re.M)
        print(f"make run stopped by its process group's SIGTERM in {stopped_in:.1f} s")
    finally:  # leave nothing behind, whatever failed
        for pgid in {p.pgid for p in leftovers(started, ports.values())} - {os.getpgrp()}:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
