"""`make run`: the whole product on this machine, on its embedded default stack.

Starts the official Firestore and Pub/Sub emulators, the mail capture (`emulators.mail`), every
function on one port (the merchant dashboard at `/dashboard` too), and the Stripe emulator
delivering signed webhooks to it; wires the webhook queues (Pub/Sub push subscriptions to
`/tasks/apply-event`, ordered by payment, and to `/tasks/process-event`: `emulators.pubsub`);
prints the URLs and stays in the foreground.

Ports: `PORT` (functions, 8080), `FIRESTORE_PORT` (8085), `PUBSUB_PORT` (8086), `MAIL_PORT`
(8025) and `STRIPE_PORT` (12111); a default port that is taken is replaced by a free one, a port
given explicitly is used as is.

Secrets: `STRIPE_WEBHOOK_SECRET`, `STRIPE_CONNECT_WEBHOOK_SECRET`, `AUTH_SIGNING_KEY` and
`INTERNAL_TOKEN` (the internal routes' shared token, which the queues' pushes carry) are taken
from the environment when set (e.g. the secret `stripe listen` prints), else generated
afresh for the run; `GOOGLE_CLOUD_PROJECT` likewise, else `demo-payments`. The functions verify
with every value of a comma-separated webhook secret and the Stripe emulator signs with the
first, so deliveries from both the emulator and the Stripe CLI verify. Only where each came from
is printed, never a value.

Stopping: Ctrl-C (SIGINT), SIGTERM or SIGHUP, also sent to `make` and the stack at once by
`kill -- -PGID`, stops every child: each runs in a process group of its own, every group gets
SIGTERM together and SIGKILL if anything of it is left after a grace period, and further signals
are ignored once the shutdown has begun so that none interrupts it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulators import gcloud, pubsub
from emulators.processes import Served, child_process_groups, spawn, stop_process_groups

__all__ = ["functions_command", "mail_command", "main", "stripe_command"]

PROJECT = "demo-payments"  # the project id unless GOOGLE_CLOUD_PROJECT is set
DEFAULT_PORTS = {
    "functions": 8080,
    "firestore": 8085,
    "pubsub": 8086,
    "mail": 8025,
    "stripe": 12111,
}
PORT_VARIABLES = {
    "functions": "PORT",
    "firestore": "FIRESTORE_PORT",
    "pubsub": "PUBSUB_PORT",
    "mail": "MAIL_PORT",
    "stripe": "STRIPE_PORT",
}
# each of these settings as given in the environment, else made by its function
GIVEN_OR_MADE: dict[str, Callable[[], str]] = {
    "GOOGLE_CLOUD_PROJECT": lambda: PROJECT,
    "STRIPE_WEBHOOK_SECRET": lambda: f"whsec_{secrets.token_hex(16)}",
    "STRIPE_CONNECT_WEBHOOK_SECRET": lambda: f"whsec_{secrets.token_hex(16)}",
    "AUTH_SIGNING_KEY": lambda: secrets.token_urlsafe(32),
    "INTERNAL_TOKEN": lambda: secrets.token_urlsafe(32),  # who may call /tasks/* and /jobs/*
}
WEBHOOK_SECRETS = ("STRIPE_WEBHOOK_SECRET", "STRIPE_CONNECT_WEBHOOK_SECRET")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_GRACE_S = 8.0  # SIGTERM → SIGKILL, for all the services at once


def functions_command(port: int) -> list[str]:
    """Every function on one port (the dashboard too): `python -m functions serve`."""
    return [sys.executable, "-m", "functions", "serve", "--host", "127.0.0.1", "--port", str(port)]


def stripe_command(
    port: int, *, webhook_url: str | None = None, options: Sequence[str] = ()
) -> list[str]:
    """The Stripe emulator, delivering its events to `webhook_url` if given; `options` are its
    other flags (`python -m emulators.stripe --help`). Its signing secrets come from its
    environment or from `options`."""
    deliveries = ["--webhook-url", webhook_url] if webhook_url else []
    return [
        sys.executable, "-m", "emulators.stripe", "--host", "127.0.0.1", "--port", str(port),
        *deliveries, *options,
    ]  # fmt: skip


def mail_command(port: int) -> list[str]:
    """The Mailgun-compatible mail capture."""
    return [sys.executable, "-m", "emulators.mail", "--host", "127.0.0.1", "--port", str(port)]


class SettingError(ValueError):
    """A setting `make run` cannot use."""


@dataclass
class Service:
    name: str
    url: str
    process: subprocess.Popen[Any]


def main() -> int:
    services: list[Service] = []
    _interrupt_on_stop_signals()
    try:
        return _run(services)
    except (gcloud.EmulatorMissing, SettingError) as problem:
        print(f"make run: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        _shut_down(services)


def _run(services: list[Service]) -> int:
    ports = _ports(os.environ)
    settings, sources = _given_or_made(os.environ)
    project = settings["GOOGLE_CLOUD_PROJECT"]
    for name in ("firestore", "pubsub"):
        emulator = gcloud.start(name, project=project, port=ports[name])
        services.append(Service(f"{name} emulator", emulator.url, emulator.process))
    _start(services, "mail capture", mail_command(ports["mail"]), port=ports["mail"])
    env = _product_env(services, ports, settings)
    functions = _start(
        services,
        "functions",
        functions_command(ports["functions"]),
        port=ports["functions"],
        env=env,
    )
    _start_stripe(services, ports["stripe"], functions.url, env)
    pubsub.ensure_queues(
        env["PUBSUB_EMULATOR_HOST"],
        project,
        functions_url=functions.url,
        internal_token=env["INTERNAL_TOKEN"],
    )
    _print_urls(services, settings, sources)
    _wait_for_exit(services)
    return 1


def _ports(env: Mapping[str, str]) -> dict[str, int]:
    """Each service's port: as given in the environment, else its default if free, else any."""
    ports = {}
    for name, variable in PORT_VARIABLES.items():
        given = env.get(variable)
        ports[name] = int(given) if given else _free_or_other(DEFAULT_PORTS[name])
    return ports


def _free_or_other(port: int) -> int:
    with socket.socket() as sock:
        taken = sock.connect_ex(("127.0.0.1", port)) == 0
    return gcloud.free_port() if taken else port


def _given_or_made(env: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The project id and the dev secrets, and where each came from (never the value)."""
    values, sources = {}, {}
    for name, make in GIVEN_OR_MADE.items():
        given = env.get(name, "")
        if given:
            values[name], sources[name] = given, "from the environment"
        else:
            values[name] = make()
            sources[name] = "default" if name == "GOOGLE_CLOUD_PROJECT" else "generated"
    for name in WEBHOOK_SECRETS:
        if any(part.strip().startswith("sm://") for part in values[name].split(",")):
            raise SettingError(
                f"{name} must be the secret itself, not a Secret Manager reference: "
                "the local Stripe emulator signs its deliveries with it"
            )
    return values, sources


def _product_env(
    services: list[Service], ports: Mapping[str, int], settings: Mapping[str, str]
) -> dict[str, str]:
    urls = {s.name: s.url for s in services}
    env = dict(os.environ)
    env.update(
        settings,  # GOOGLE_CLOUD_PROJECT, AUTH_SIGNING_KEY, INTERNAL_TOKEN, webhook secrets
        FIRESTORE_EMULATOR_HOST=urls["firestore emulator"].removeprefix("http://"),
        PUBSUB_EMULATOR_HOST=urls["pubsub emulator"].removeprefix("http://"),
        PORT=str(ports["functions"]),
        APP_BASE_URL=f"http://127.0.0.1:{ports['functions']}",
        MAILGUN_API_BASE=urls["mail capture"],
        MAILGUN_DOMAIN=env.get("MAILGUN_DOMAIN") or "mg.localhost",
        MAILGUN_API_KEY=env.get("MAILGUN_API_KEY") or "local-mail-capture-key",
        STRIPE_API_BASE=f"http://127.0.0.1:{ports['stripe']}",
        STRIPE_SECRET_KEY=env.get("STRIPE_SECRET_KEY") or "sk_test_local_stack",
        WEBHOOK_RETRY_BASE_SECONDS=env.get("WEBHOOK_RETRY_BASE_SECONDS") or "5",
    )
    return env


def _start_stripe(
    services: list[Service], port: int, functions_url: str, env: Mapping[str, str]
) -> Service:
    """The Stripe emulator, signing with the first value of each webhook secret (given in its
    environment: a command line is readable by every user of the machine)."""
    stripe_env = dict(os.environ)
    for name in WEBHOOK_SECRETS:
        stripe_env[name] = env[name].split(",")[0].strip()
    command = stripe_command(port, webhook_url=f"{functions_url}/webhook")
    return _start(
        services,
        "stripe emulator",
        command,
        port=port,
        env=stripe_env,
        health_path="/_emulator/health",
    )


def _start(
    services: list[Service],
    name: str,
    command: list[str],
    *,
    port: int,
    env: Mapping[str, str] | None = None,
    health_path: str = "/health",
) -> Service:
    """Run `command` in its own process group, its output in this terminal, counted among
    `services` at once (so the shutdown stops it whatever happens next); return once it
    answers."""
    served: Served = spawn(command, port=port, env=env, to_terminal=True)
    service = Service(name, served.url, served.process)
    services.append(service)
    served.wait_ready(health_path)
    return service


def _print_urls(
    services: list[Service], settings: Mapping[str, str], sources: Mapping[str, str]
) -> None:
    print("\nPayment Event Processor is running:", flush=True)
    for service in services:
        print(f"  {service.name:<20} {service.url}", flush=True)
        if service.name == "functions":
            print(f"  {'dashboard':<20} {service.url}/dashboard", flush=True)
    print("Settings (secret values are never printed):", flush=True)
    for name, source in sources.items():
        shown = f"{settings[name]} ({source})" if name == "GOOGLE_CLOUD_PROJECT" else source
        print(f"  {name:<30} {shown}", flush=True)
    print("Press Ctrl-C to stop everything.\n", flush=True)


def _wait_for_exit(services: list[Service]) -> None:
    """Return when one of the services exits on its own (a stop signal raises
    KeyboardInterrupt)."""
    while True:
        for service in services:
            if service.process.poll() is not None:
                print(f"make run: {service.name} exited unexpectedly", file=sys.stderr)
                return
        time.sleep(0.5)


def _interrupt_on_stop_signals() -> None:
    """The first stop signal raises KeyboardInterrupt and turns every stop signal off: `kill --
    -PGID` signals `make` and the stack at once and `make` passes its SIGTERM on, so a second
    one comes right away, and must not interrupt the shutdown the first one began."""

    def interrupt(signum: int, frame: object) -> None:
        _ignore_stop_signals()
        raise KeyboardInterrupt

    for sig in STOP_SIGNALS:
        signal.signal(sig, interrupt)


def _ignore_stop_signals() -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def _shut_down(services: list[Service]) -> None:
    """Stop every process group the stack started, in a bounded time, whatever signals come."""
    while True:
        try:
            _ignore_stop_signals()
            break
        except KeyboardInterrupt:  # a first signal came just before: it has turned them off too
            continue
    processes: list[subprocess.Popen[bytes] | int] = [service.process for service in services]
    names = {service.process.pid: service.name for service in services}
    # and any child whose Popen never reached `services` (a signal right after its start)
    processes += [pgid for pgid in child_process_groups() if pgid not in names]
    if not processes:
        return
    _say("stopping every service…")
    for pgid in stop_process_groups(processes, grace_s=STOP_GRACE_S):
        name = names.get(pgid, f"process group {pgid}")
        _say(f"  {name} was still running {STOP_GRACE_S:g} s after SIGTERM: killed")
    _say("stack stopped")


def _say(line: str) -> None:
    """Print, even when nobody reads any more (a closed terminal must not stop the shutdown)."""
    with contextlib.suppress(OSError):
        print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
