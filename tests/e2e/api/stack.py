"""The payments API's end-to-end stack (`tests.support.stacks.product_stack`: the functions, the
webhook queues, the Stripe emulator delivering to them), with request helpers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from emulators import gcloud
from tests.e2e import api_client
from tests.support.stacks import STRIPE_KEY, ProductStack, product_stack


class ApiStack(ProductStack):
    """The whole product, with the API's request helpers."""

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


@contextmanager
def api_stack(mail_url: str, pubsub_emulator: gcloud.RunningEmulator) -> Iterator[ApiStack]:
    """The whole product (`product_stack`), with the API's request helpers."""
    with product_stack(mail_url, pubsub_emulator.host_port) as running:
        yield ApiStack(running.auth, running.stripe_url)


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
