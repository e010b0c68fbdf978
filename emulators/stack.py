"""`make run`: the whole product on this machine, on its embedded default stack.

Starts the official Firestore and Pub/Sub emulators, the mail capture (`emulators.mail`), every
function on one port (the merchant dashboard at `/dashboard` too), and the Stripe emulator
delivering signed webhooks to it; wires the retry queue (a Pub/Sub push subscription to
`/tasks/process-event`); prints the URLs and stays in the foreground. Ctrl-C (or SIGTERM) stops
everything it started, each by its process group.

Ports: `PORT` (functions, 8080), `FIRESTORE_PORT` (8085), `PUBSUB_PORT` (8086), `MAIL_PORT`
(8025) and `STRIPE_PORT` (12111); a default port that is taken is replaced by a free one, a port
given explicitly is used as is. Each run gets fresh dev secrets (`AUTH_SIGNING_KEY`, webhook
signing secrets) shared by the functions and the Stripe emulator.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from emulators import gcloud, pubsub
from emulators.processes import stop_process_group, wait_for_200

__all__ = ["main"]

PROJECT = "demo-payments"
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


@dataclass
class Service:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    stop: Callable[[], None]


def main() -> int:
    ports = _ports(os.environ)
    services: list[Service] = []
    _stop_on_sigterm()
    try:
        for name in ("firestore", "pubsub"):
            emulator = gcloud.start(name, project=PROJECT, port=ports[name])
            services.append(
                Service(f"{name} emulator", emulator.url, emulator.process, emulator.stop)
            )
        mail = _start("mail capture", ["-m", "emulators.mail", "--port", str(ports["mail"])])
        services.append(mail)
        env = _product_env(services, ports)
        functions = _start(
            "functions", ["-m", "functions", "serve", "--port", str(ports["functions"])], env=env
        )
        services.append(functions)
        services.append(_start_stripe(ports["stripe"], functions.url, env))
        pubsub.ensure_retry_queue(
            env["PUBSUB_EMULATOR_HOST"],
            PROJECT,
            push_endpoint=f"{functions.url}/tasks/process-event",
        )
        _print_urls(services)
        _wait_for_exit(services)
        return 1
    except gcloud.EmulatorMissing as missing:
        print(f"make run: {missing}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        for service in reversed(services):
            service.stop()
        if services:
            print("stack stopped", flush=True)


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


def _product_env(services: list[Service], ports: Mapping[str, int]) -> dict[str, str]:
    urls = {s.name: s.url for s in services}
    env = dict(os.environ)
    env.update(
        GOOGLE_CLOUD_PROJECT=PROJECT,
        FIRESTORE_EMULATOR_HOST=urls["firestore emulator"].removeprefix("http://"),
        PUBSUB_EMULATOR_HOST=urls["pubsub emulator"].removeprefix("http://"),
        PORT=str(ports["functions"]),
        APP_BASE_URL=f"http://127.0.0.1:{ports['functions']}",
        MAILGUN_API_BASE=urls["mail capture"],
        MAILGUN_DOMAIN=env.get("MAILGUN_DOMAIN") or "mg.localhost",
        MAILGUN_API_KEY=env.get("MAILGUN_API_KEY") or "local-mail-capture-key",
        STRIPE_API_BASE=f"http://127.0.0.1:{ports['stripe']}",
        STRIPE_SECRET_KEY=env.get("STRIPE_SECRET_KEY") or "sk_test_local_stack",
        # fresh dev secrets per run, shared with the Stripe emulator
        AUTH_SIGNING_KEY=secrets.token_urlsafe(32),
        STRIPE_WEBHOOK_SECRET=f"whsec_{secrets.token_hex(16)}",
        STRIPE_CONNECT_WEBHOOK_SECRET=f"whsec_{secrets.token_hex(16)}",
        WEBHOOK_RETRY_BASE_SECONDS=env.get("WEBHOOK_RETRY_BASE_SECONDS") or "5",
    )
    return env


def _start_stripe(port: int, functions_url: str, env: Mapping[str, str]) -> Service:
    argv = [
        "-m", "emulators.stripe", "--port", str(port),
        "--webhook-url", f"{functions_url}/webhook",
        "--webhook-secret", env["STRIPE_WEBHOOK_SECRET"],
        "--connect-webhook-secret", env["STRIPE_CONNECT_WEBHOOK_SECRET"],
    ]  # fmt: skip
    return _start("stripe emulator", argv, health_path="/_emulator/health")


def _start(
    name: str,
    argv: list[str],
    *,
    env: Mapping[str, str] | None = None,
    health_path: str = "/health",
) -> Service:
    """Run `python ARGV` on 127.0.0.1 in its own process group; return once it answers."""
    port = argv[argv.index("--port") + 1]
    process = subprocess.Popen(
        [sys.executable, *argv, "--host", "127.0.0.1"],
        env=dict(env) if env is not None else None,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_200(f"{url}{health_path}", process)
    except BaseException:
        stop_process_group(process, grace_s=10)
        raise
    return Service(name, url, process, lambda: stop_process_group(process, grace_s=10))


def _print_urls(services: list[Service]) -> None:
    print("\nPayment Event Processor is running:", flush=True)
    for service in services:
        print(f"  {service.name:<20} {service.url}", flush=True)
        if service.name == "functions":
            print(f"  {'dashboard':<20} {service.url}/dashboard", flush=True)
    print("Press Ctrl-C to stop everything.\n", flush=True)


def _wait_for_exit(services: list[Service]) -> None:
    """Return when one of the services exits on its own (Ctrl-C raises KeyboardInterrupt)."""
    while True:
        for service in services:
            if service.process.poll() is not None:
                print(f"make run: {service.name} exited unexpectedly", file=sys.stderr)
                return
        time.sleep(0.5)


def _stop_on_sigterm() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


if __name__ == "__main__":
    sys.exit(main())
