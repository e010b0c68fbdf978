"""The running stacks the end-to-end and browser tests use, on free ports, built the one way
`make run` and the bench build theirs: `emulators.processes.serving` (a process group of its
own, waited for, stopped as a group) running the commands of `emulators.stack`, from the
repository's root, on the session's Firestore and Pub/Sub emulators and mail capture.

- `functions_server(**env)`: every function on one port; the internal routes take
  `tests.support.settings.INTERNAL_TOKEN`, and `wire_queues` points the webhook queues at them.
- `auth_server(mail_url, **env)`: the same, able to authenticate and to send mail.
- `stripe_emulator(port, webhook_url=…)`: the Stripe emulator, delivering to `webhook_url`.
- `product_stack(mail_url, pubsub_host, …)`: the whole product as `make run` wires it: the
  functions, told where the Stripe emulator is; the webhook queues pushing to them; the Stripe
  emulator delivering signed webhooks to them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emulators import pubsub
from emulators.gcloud import free_port
from emulators.processes import Served, serving
from emulators.stack import functions_command, stripe_command
from tests.conftest import PROJECT
from tests.support import webhooks as ws
from tests.support.settings import INTERNAL_TOKEN

__all__ = [
    "MAIL_DOMAIN",
    "ROOT",
    "SIGNING_KEY",
    "STRIPE_KEY",
    "AuthStack",
    "ProductStack",
    "Server",
    "auth_env",
    "auth_server",
    "functions_server",
    "product_stack",
    "running",
    "stripe_emulator",
    "stripe_env",
    "wire_queues",
]

ROOT = Path(__file__).resolve().parents[2]
SIGNING_KEY = "test-signing-key-" + "0123456789abcdef" * 2
MAIL_DOMAIN = "mg.test"
STRIPE_KEY = "sk_test_api_e2e"

Server = Served
running = functools.partial(serving, cwd=ROOT)


@contextmanager
def functions_server(**env_overrides: str) -> Iterator[Server]:
    """Every function on a free port, with this environment plus the overrides."""
    with _functions_on(free_port(), env_overrides) as server:
        yield server


@contextmanager
def _functions_on(port: int, env_overrides: Mapping[str, str]) -> Iterator[Server]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "INTERNAL_TOKEN": INTERNAL_TOKEN, **env_overrides}
    with running(functions_command(port), env=env, port=port) as server:
        yield server


def wire_queues(pubsub_host: str, functions_url: str, **options: int) -> None:
    """The webhook queues on the Pub/Sub emulator, pushing to the functions at `functions_url`
    (with the internal token), as `make run` wires them."""
    pubsub.ensure_queues(
        pubsub_host, PROJECT, functions_url=functions_url, internal_token=INTERNAL_TOKEN, **options
    )


def auth_env(mail_url: str) -> dict[str, str]:
    """Environment overrides for `functions_server` so `auth` and `require` work."""
    return {
        "AUTH_SIGNING_KEY": SIGNING_KEY,
        "MAILGUN_API_BASE": mail_url,
        "MAILGUN_DOMAIN": MAIL_DOMAIN,
        "MAILGUN_API_KEY": "key-test-mailgun",
    }


@dataclass
class AuthStack:
    server: Server
    mail_url: str

    @property
    def url(self) -> str:
        return self.server.url

    def output(self) -> str:
        """Everything the server printed so far (its log lines)."""
        return self.server.output()


@contextmanager
def auth_server(mail_url: str, **env: str) -> Iterator[AuthStack]:
    with functions_server(**{**auth_env(mail_url), **env}) as server:
        yield AuthStack(server, mail_url)


def stripe_env(stripe_port: int) -> dict[str, str]:
    """Environment overrides that point the functions at a Stripe emulator on `stripe_port`."""
    return {
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_API_BASE": f"http://127.0.0.1:{stripe_port}",
        "STRIPE_MAX_NETWORK_RETRIES": "0",
        "STRIPE_WEBHOOK_SECRET": ws.SECRET,
        "STRIPE_CONNECT_WEBHOOK_SECRET": ws.CONNECT_SECRET,
        "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
        "APP_BASE_URL": "http://127.0.0.1:8080",
        "CONNECT_RETURN_ORIGINS": "https://shop.example",
    }


@contextmanager
def stripe_emulator(
    port: int, *, webhook_url: str | None = None, chaos: bool = False
) -> Iterator[Server]:
    """The Stripe emulator on `port`; with `webhook_url`, delivering signed events to it (fast
    retries; with `chaos`, in any order, twice, late)."""
    options = ["--ach-delay", "0"]
    if webhook_url is not None:
        options += [
            *("--webhook-secret", ws.SECRET, "--connect-webhook-secret", ws.CONNECT_SECRET),
            *("--retry-scale", "0.002"),
        ]
    if chaos:
        options.append("--chaos")
    command = stripe_command(port, webhook_url=webhook_url, options=options)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    with running(command, env=env, port=port, ready_path="/_emulator/health") as emulator:
        yield emulator


@dataclass(frozen=True)
class ProductStack:
    auth: AuthStack
    stripe_url: str

    @property
    def url(self) -> str:
        return self.auth.url


@contextmanager
def product_stack(
    mail_url: str, pubsub_host: str, *, own_base_url: bool = False, **env: str
) -> Iterator[ProductStack]:
    """The functions (able to authenticate, told where the Stripe emulator is: with
    `own_base_url`, `APP_BASE_URL` is their own URL, for the links a browser follows), the
    webhook queues pushing to them, and the Stripe emulator delivering to them."""
    port, stripe_port = free_port(), free_port()
    overrides = {**stripe_env(stripe_port), **env}
    if own_base_url:
        overrides["APP_BASE_URL"] = f"http://127.0.0.1:{port}"
    with _functions_on(port, {**auth_env(mail_url), **overrides}) as server:
        auth = AuthStack(server, mail_url)
        wire_queues(pubsub_host, auth.url)
        with stripe_emulator(stripe_port, webhook_url=f"{auth.url}/webhook") as emulator:
            yield ProductStack(auth, emulator.url)
