"""Section 3, cold start: process start to the first success of each deployed function under
functions-framework (what a deployed function runs: `--target=NAME --source=main.py`), against
a bare functions-framework hello-world (`bench/hello_world.py`) that imports the same client
libraries — those the function itself had imported by its first answer — and nothing else.

The first request is a real one of the function's own: a signed event for `webhooks`, a due
retry for `process_event`, a sweep for `jobs`, `GET /api/v1/me` for `auth`, the account's
status from Stripe for `connect`, a Checkout Session for `checkout` (both against the Stripe
emulator), `GET /health` for `discovery`; a function added later is probed on its first GET
route without path parameters (any 2xx or 3xx). So a function's figure includes building its
clients and its first RPCs, which the hello-world does not do: that difference is the point.

Every start runs under `python -X importtime`: the first round's output lists what each
process imported (top offenders by package, and what the function imports beyond its
hello-world).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import stats
from bench.events import CONNECT_SECRET, INTERNAL_TOKEN, TENANTS
from emulators.gcloud import free_port
from functions.routes import API_PREFIX, FUNCTION_NAMES, routes_of
from ledger.collections import WEBHOOK_EVENTS
from ledger.store import AbstractStore, DocKey
from payments.events.model import StripeEvent
from payments.webhooks.records import inbox_record
from payments.webhooks.routing import EventRoute
from payments.webhooks.signature import sign
from tests.support import stripe_events as se

__all__ = ["CLIENT_LIBRARIES", "Probe", "probes", "run_cold_start"]

ROOT = Path(__file__).resolve().parents[1]
CLIENT_LIBRARIES = (
    "google.cloud.firestore",
    "google.cloud.pubsub_v1",
    "google.cloud.secretmanager",
    "stripe",
    "requests",
    "argon2",
    "jwt",
)
OWN_PACKAGES = ("main", "functions", "payments", "ledger", "auth")
START_TIMEOUT_S = 60.0
_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)$")


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    success: tuple[int, int] = (200, 201)  # the range of statuses that count as an answer

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ProbeFactory = Callable[[int], Probe]  # run number → a fresh request
HELLO = Probe("GET", "/")


def probes(store: AbstractStore, *, webhook_tenant: str, owner_key: str) -> dict[str, ProbeFactory]:
    """The first request of each function (see the module docstring); `owner_key` belongs to
    a tenant whose account exists at the Stripe emulator."""
    auth = (("Authorization", f"Bearer {owner_key}"),)
    internal = (("Authorization", f"Bearer {INTERNAL_TOKEN}"),)
    account = TENANTS[webhook_tenant]

    def webhook(run: int) -> Probe:
        body = _cold_event(run, account)
        header = sign(body, CONNECT_SECRET, int(time.time()))
        return Probe("POST", "/webhook", body, (("Stripe-Signature", header),))

    def queued(run: int) -> Probe:
        event_id = _failed_event(store, run, account, webhook_tenant)
        envelope = {"message": {"data": _b64(json.dumps({"event_id": event_id}))}}
        return Probe("POST", "/tasks/process-event", json.dumps(envelope).encode(), internal)

    def checkout(run: int) -> Probe:
        body = {
            "line_items": [{"name": "Cold start", "unit_amount": 1000, "currency": "usd"}],
            "success_url": "https://shop.example/ok",
            "cancel_url": "https://shop.example/cancel",
        }
        idempotency = (("Idempotency-Key", f"bench-cold-{run}-{time.time_ns()}"),)
        path = f"{API_PREFIX}/checkout-sessions"
        return Probe("POST", path, json.dumps(body).encode(), auth + idempotency, (201, 201))

    known: dict[str, ProbeFactory] = {
        "discovery": lambda run: Probe("GET", "/health"),
        "webhooks": webhook,
        "process_event": queued,
        "jobs": lambda run: Probe("POST", "/jobs/retry-sweep", b"{}", internal),
        "auth": lambda run: Probe("GET", f"{API_PREFIX}/me", None, auth),
        "connect": lambda run: Probe("GET", f"{API_PREFIX}/connect/account", None, auth),
        "checkout": checkout,
    }
    for name in FUNCTION_NAMES:  # a function added later: its first GET route, any 2xx/3xx
        if name not in known:
            gets = [r.path for r in routes_of(name) if r.method == "GET" and "<" not in r.path]
            if gets:
                known[name] = _get_probe(gets[0], auth)
    return known


def _get_probe(path: str, headers: tuple[tuple[str, str], ...]) -> ProbeFactory:
    def probe(run: int) -> Probe:
        return Probe("GET", path, None, headers, (200, 399))

    return probe


def _cold_event(run: int, account: str) -> bytes:
    payload = se.event(
        "payment_intent.created",
        se.payment_intent(f"pi_cold{run:05d}"),
        created=se.T0,
        event_id=f"evt_cold_{run:05d}_{time.time_ns()}",
        account=account,
    )
    return json.dumps(payload).encode()


def _failed_event(store: AbstractStore, run: int, account: str, tenant_id: str) -> str:
    """An event in the inbox as a failed delivery leaves it, due for its retry: what the retry
    queue hands `process_event`. Its id."""
    raw = _cold_event(100_000 + run, account).decode()
    event = StripeEvent.from_payload(json.loads(raw))
    now = datetime.now(UTC)
    record = inbox_record(event, raw, EventRoute(tenant_id), now=now, claim=None)
    record.update(
        status="failed",
        attempts=1,
        last_error="bench: a failed first attempt",
        failed_at=now - timedelta(seconds=2),
        next_retry_at=now - timedelta(seconds=1),
    )
    store.create(DocKey(WEBHOOK_EVENTS, event.id), record)
    return event.id


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def run_cold_start(
    env: dict[str, str],
    probe_of: dict[str, ProbeFactory],
    *,
    runs: int,
    functions: Sequence[str] = FUNCTION_NAMES,
) -> dict[str, Any]:
    """`runs` rounds; each starts every function once, each right next to a start of its
    hello-world (taking turns to go first), so both sides of a ratio see the same moment of a
    shared machine. Every start runs under `-X importtime` (its cost is within the noise here);
    the first round's output says what each imports: its client libraries (which its
    hello-world then imports), its top offenders, and what it imports beyond its hello-world.
    Medians, their ratio, and each pair's ratio."""
    functions_framework = str(Path(sys.executable).with_name("functions-framework"))
    hello = [functions_framework, "--target=hello", "--source=bench/hello_world.py"]

    def target(name: str) -> list[str]:
        return [functions_framework, f"--target={name}", "--source=main.py"]

    measured = [name for name in functions if name in probe_of]
    imports: dict[str, dict[str, Any]] = {}
    hello_imports: dict[tuple[str, ...], dict[str, Any]] = {}
    libraries: dict[str, tuple[str, ...]] = {}
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name in measured}
    baselines: dict[str, list[tuple[float, float]]] = {name: [] for name in measured}
    probes_sent: dict[str, str] = {}
    for run in range(runs):
        for name in measured:
            probe = probe_of[name](run)
            probes_sent[name] = str(probe)
            function_first = run % 2 == 0  # the first round: it says what the hello imports
            if function_first:
                timings[name].append(_start(target(name), env, probe, imports, key=name))
            libs = libraries.setdefault(
                name, tuple(lib for lib in CLIENT_LIBRARIES if lib in imports[name]["modules"])
            )
            hello_env = {**env, "BENCH_HELLO_IMPORTS": ",".join(libs)}
            baselines[name].append(_start(hello, hello_env, HELLO, hello_imports, key=libs))
            if not function_first:
                timings[name].append(_start(target(name), env, probe, imports, key=name))
    results: dict[str, Any] = {}
    for name in functions:
        if name not in probe_of:
            results[name] = {"measured": False, "why": "no probe for it (no parameterless GET)"}
            continue
        runs_ms, base = timings[name], baselines[name]
        pairs = [stats.ratio(f, h) for (f, _), (h, _) in zip(runs_ms, base, strict=True)]
        function_ms = statistics.median(total for total, _ in runs_ms)
        baseline_ms = statistics.median(total for total, _ in base)
        results[name] = {
            "measured": True,
            "first_200_ms": round(function_ms, 1),
            "runs_ms": [round(total, 1) for total, _ in runs_ms],
            # of which the first request itself (lazy imports, clients, first RPCs): the rest
            # is the process starting and importing until it listens
            "first_request_ms": round(statistics.median(r for _, r in runs_ms), 1),
            "hello_world_ms": round(baseline_ms, 1),
            "hello_world_runs_ms": [round(total, 1) for total, _ in base],
            "hello_first_request_ms": round(statistics.median(r for _, r in base), 1),
            # the median of each run's ratio to the hello-world started next to it (robust to
            # the machine's load drifting between runs), and the ratio of the medians
            "ratio": round(statistics.median(pairs), 2),
            "pair_ratios": pairs,
            "ratio_of_medians": stats.ratio(function_ms, baseline_ms),
            "client_libraries": list(libraries[name]),
            "probe": probes_sent[name],
            "importtime": {
                **{k: v for k, v in imports[name].items() if k not in ("modules", "self_us")},
                "beyond_hello_world": beyond_baseline(
                    imports[name], hello_imports[libraries[name]]
                ),
            },
        }
    return results


def _command(target: list[str], port: int) -> list[str]:
    return [sys.executable, *target, f"--port={port}", "--host=127.0.0.1"]


def _start(
    target: list[str],
    env: dict[str, str],
    probe: Probe,
    imports: dict[Any, dict[str, Any]],
    *,
    key: Any,
) -> tuple[float, float]:
    """One cold start under `-X importtime`: (process start to the first answer, of which the
    first request itself), in ms; the first import profile seen for `key` goes to `imports`."""
    port = free_port()
    command = _command(target, port)
    command[1:1] = ["-X", "importtime"]
    with tempfile.NamedTemporaryFile(prefix="bench-importtime-", suffix=".log") as log:
        with _process(command, env, stderr=log) as (process, started):
            request_s = _wait_for_answer(port, probe, process)
            timing = (time.perf_counter() - started) * 1000, request_s * 1000
        if key not in imports:
            imports[key] = summarize_importtime(Path(log.name).read_text(errors="replace"))
    return timing


def summarize_importtime(text: str) -> dict[str, Any]:
    """Self time grouped by package (top offenders), the slowest top-level imports, and the
    share of the product's own modules."""
    by_package: dict[str, int] = defaultdict(int)
    top_level: list[tuple[int, str]] = []
    modules: set[str] = set()
    self_us_of: dict[str, int] = {}
    total = own = 0
    for line in text.splitlines():
        match = _IMPORT_LINE.match(line)
        if match is None:
            continue
        self_us, cumulative_us, indent, module = (
            int(match.group(1)),
            int(match.group(2)),
            match.group(3),
            match.group(4),
        )
        modules.add(module)
        self_us_of[module] = self_us_of.get(module, 0) + self_us
        total += self_us
        by_package[_package(module)] += self_us
        if module.split(".")[0] in OWN_PACKAGES:
            own += self_us
        if not indent:
            top_level.append((cumulative_us, module))
    top_packages = sorted(by_package.items(), key=lambda item: -item[1])[:8]
    return {
        "total_ms": round(total / 1000, 1),
        "own_code_ms": round(own / 1000, 1),
        "top_packages_ms": {name: round(us / 1000, 1) for name, us in top_packages},
        "top_level_imports_ms": {
            name: round(us / 1000, 1) for us, name in sorted(top_level, reverse=True)[:6]
        },
        "modules": modules,
        "self_us": self_us_of,
    }


def beyond_baseline(function: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """What the function imports that its hello-world does not: self time by package."""
    extra: dict[str, int] = defaultdict(int)
    for module, self_us in function["self_us"].items():
        if module not in baseline["modules"]:
            extra[_package(module)] += self_us
    top = sorted(extra.items(), key=lambda item: -item[1])[:6]
    return {
        "total_ms": round(sum(extra.values()) / 1000, 1),
        "top_packages_ms": {name: round(us / 1000, 1) for name, us in top},
    }


def _package(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "google" and len(parts) > 2:
        return ".".join(parts[:3])
    if parts[0] in OWN_PACKAGES:
        return "(product code)"
    return parts[0]


@contextmanager
def _process(
    command: list[str], env: dict[str, str], *, stderr: Any = subprocess.DEVNULL
) -> Iterator[tuple[subprocess.Popen[bytes], float]]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
    )
    try:
        yield process, started
    finally:
        if process.poll() is None:  # measured: no need for a graceful shutdown
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_for_answer(port: int, probe: Probe, process: subprocess.Popen[bytes]) -> float:
    """Poll until the port accepts a connection, then send the probe once: its answer must be
    a success (an error would mean the bench set the function up wrong). The seconds that
    request took."""
    deadline = time.perf_counter() + START_TIMEOUT_S
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the function exited with {process.returncode}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            try:
                connection.connect()
            except ConnectionError:
                time.sleep(0.005)  # not listening yet
                continue
            headers = dict(probe.headers)
            if probe.body is not None:
                headers["Content-Type"] = "application/json"
            sent = time.perf_counter()
            connection.request(probe.method, probe.path, body=probe.body, headers=headers)
            response = connection.getresponse()
            body = response.read()
            answered = time.perf_counter()
            low, high = probe.success
            if not low <= response.status <= high:
                raise RuntimeError(f"{probe} answered {response.status}: {body[:300]!r}")
            return answered - sent
        finally:
            connection.close()
    raise TimeoutError(f"no answer from {probe} within {START_TIMEOUT_S}s")
