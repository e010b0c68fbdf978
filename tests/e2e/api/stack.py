"""The payments API's end-to-end stack: the Stripe emulator (as a process, on a port chosen
first so the functions can be pointed at it) and the functions server wired to it, the
Firestore and Pub/Sub emulators, and the mail capture; plus request helpers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from emulators import gcloud, pubsub
from emulators.stack import stripe_command
from tests.conftest import PROJECT
from tests.e2e import api_client
from tests.e2e.auth.helpers import AuthStack, auth_server
from tests.e2e.servers import ROOT, Server, running
from tests.support import webhooks as ws

STRIPE_KEY = "sk_test_api_e2e"


@dataclass
class ApiStack:
    auth: AuthStack
    stripe_url: str

    @property
    def url(self) -> str:
        return self.auth.url

    def call(self, method: str, path: str, headers: dict[str, str], **kwargs: Any) -> Any:
        return api_client.request(method, self.url, f"/api/v1{path}", headers=headers, **kwargs)

    def stripe_get(self, path: str, account: str) -> Any:
        response = requests.get(
            f"{self.stripe_url}/v1/{path}",
            headers={"Authorization": f"Bearer {STRIPE_KEY}", "Stripe-Account": account},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def helper(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = requests.post(f"{self.stripe_url}/_emulator/{path}", json=body or {}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


def stripe_env(stripe_port: int) -> dict[str, str]:
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
def stripe_emulator(port: int, *, webhook_url: str | None = None) -> Iterator[Server]:
    options = ["--ach-delay", "0"]
    if webhook_url is not None:
        options += [
            *("--webhook-secret", ws.SECRET, "--connect-webhook-secret", ws.CONNECT_SECRET),
            *("--retry-scale", "0.002"),
        ]
    command = stripe_command(port, webhook_url=webhook_url, options=options)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    with running(command, env=env, port=port, ready_path="/_emulator/health") as emulator:
        yield emulator


@contextmanager
def api_stack(mail_url: str, pubsub_emulator: gcloud.RunningEmulator) -> Iterator[ApiStack]:
    """Functions + Stripe emulator delivering webhooks to them, and the webhook queues."""
    stripe_port = gcloud.free_port()
    with auth_server(mail_url, **stripe_env(stripe_port)) as auth:
        pubsub.ensure_queues(pubsub_emulator.host_port, PROJECT, functions_url=auth.url)
        with stripe_emulator(stripe_port, webhook_url=f"{auth.url}/webhook") as emulator:
            yield ApiStack(auth, emulator.url)


def key() -> dict[str, str]:
    return {"Idempotency-Key": f"e2e-{uuid.uuid4().hex}"}


def connect_tenant(stripe_url: str, tenant_id: str) -> str:
    """Give a seeded tenant an onboarded Express account on the emulator (as if the owner had
    finished onboarding and the webhook had landed): its id."""
    import bootstrap
    from ledger.collections import TENANTS
    from ledger.store import DocKey

    auth = {"Authorization": f"Bearer {STRIPE_KEY}"}
    created = requests.post(
        f"{stripe_url}/v1/accounts",
        data={"type": "express", "metadata[tenant_id]": tenant_id},
        headers=auth,
        timeout=10,
    )
    account = str(created.json()["id"])
    requests.post(f"{stripe_url}/_emulator/accounts/{account}/complete_onboarding", timeout=10)
    bootstrap.store().update(
        DocKey(TENANTS, tenant_id),
        {
            "merchant_account_id": account,
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
            "connect_status": "active",
        },
    )
    return account
