"""Documents the bench puts in place directly, through the product's own ledger modules."""

from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from typing import Any

from auth.api_keys import generate_api_key
from identity.api_keys import store_api_key
from identity.records import ApiKeyRecord, membership_doc, membership_key
from ledger.collections import TENANTS
from ledger.store import AbstractStore, DocKey

__all__ = ["create_api_key", "create_connected_tenant"]

BENCH_OWNER = "usr_bench"


def create_api_key(store: AbstractStore, tenant_id: str, *, role: str) -> str:
    """An API key of `tenant_id` with `role` (`viewer` reads payments; `owner` may do all the
    functions' first requests): the key."""
    generated = generate_api_key(livemode=False)
    now = datetime.now(UTC)  # a key acts with at most its creator's role: an owner makes it
    store.set(
        membership_key(tenant_id, BENCH_OWNER),
        membership_doc(tenant_id, BENCH_OWNER, "owner", now=now),
    )
    store_api_key(
        store,
        ApiKeyRecord(
            key_id=f"key_bench_{secrets.token_hex(6)}",
            tenant_id=tenant_id,
            name="bench",
            role=role,
            mode=generated.mode,
            lookup_prefix=generated.lookup_prefix,
            key_hash=generated.key_hash,
            created_by=BENCH_OWNER,
            created_at=datetime.now(UTC),
        ),
    )
    return generated.key


def create_connected_tenant(
    store: AbstractStore, stripe_url: str, tenant_id: str, *, stripe_key: str
) -> str:
    """A tenant whose Express account exists at the Stripe emulator, onboarded and able to
    take charges (as `account.updated` would have recorded it): the account id."""
    account = _stripe_post(stripe_url, "/v1/accounts", {"type": "express"}, stripe_key)["id"]
    _stripe_post(stripe_url, f"/_emulator/accounts/{account}/complete_onboarding", None, None)
    store.create(
        DocKey(TENANTS, tenant_id),
        {
            "name": tenant_id,
            "merchant_account_id": account,
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
            "connect_status": "active",
        },
    )
    return str(account)


def _stripe_post(
    base: str, path: str, form: dict[str, str] | None, key: str | None
) -> dict[str, Any]:
    if form is None:  # the emulator's helpers take JSON
        data, content_type = b"{}", "application/json"
    else:
        data, content_type = (
            urllib.parse.urlencode(form).encode(),
            "application/x-www-form-urlencoded",
        )
    headers = {"Content-Type": content_type}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    request = urllib.request.Request(f"{base}{path}", data=data, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        body: dict[str, Any] = json.loads(response.read())
    return body
