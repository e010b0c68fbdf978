"""Stripe Connect for a tenant: its Express account, onboarding links, status and dashboard.

Stripe is called outside any transaction; the tenant document is written afterwards in one
small transaction that never regresses what a newer `account.updated` webhook wrote (the same
`account_state_key` order as `payments.events.handlers.accounts`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from core.errors import ValidationError
from core.settings import Settings
from ledger.collections import TENANTS
from ledger.store import AbstractStore, Doc, DocKey, WriteSet
from payments.commands import (
    CreateAccountLink,
    CreateConnectAccount,
    CreateLoginLink,
    RefreshAccount,
)
from payments.events.handlers.accounts import account_fields, onboarding_progress
from payments.stripe_gateway import AbstractStripeGateway, Obj
from payments.tenants import connected_account, load_tenant

__all__ = [
    "account_status",
    "create_account",
    "create_account_link",
    "create_login_link",
    "refresh_account",
]


def create_account(
    cmd: CreateConnectAccount,
    store: AbstractStore,
    stripe: AbstractStripeGateway,
    *,
    now: datetime,
) -> tuple[Doc, bool]:
    """The tenant's Express account: created once (the idempotency key is the tenant, so
    concurrent calls make one account), then the existing one. Returns (status, created)."""
    tenant = load_tenant(store, cmd.tenant_id)
    if tenant.get("merchant_account_id"):
        return account_status(tenant), False
    params: dict[str, Any] = {
        "type": "express",
        "country": cmd.country,
        "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
        "metadata": {"tenant_id": cmd.tenant_id},
    }
    if cmd.email:
        params["email"] = cmd.email
    if cmd.business_type:
        params["business_type"] = cmd.business_type
    account = stripe.create_account(params, idempotency_key=f"connect-account-{cmd.tenant_id}")
    stored = _record_account(store, cmd.tenant_id, account, now=now)
    return account_status(stored), stored.get("merchant_account_id") == account["id"]


def create_account_link(
    cmd: CreateAccountLink,
    store: AbstractStore,
    stripe: AbstractStripeGateway,
    *,
    settings: Settings,
) -> Obj:
    account = connected_account(load_tenant(store, cmd.tenant_id))
    base = settings.app_base_url
    refresh_url = cmd.refresh_url or f"{base}/dashboard/connect/refresh"
    return_url = cmd.return_url or f"{base}/dashboard/connect/return"
    allowed = allowed_origins(settings)
    for name, url in (("refresh_url", refresh_url), ("return_url", return_url)):
        if _origin(url) not in allowed:
            raise ValidationError(
                f"{name} must start with one of the allowed origins: {', '.join(allowed)}",
                code="origin_not_allowed",
                param=name,
            )
    link = stripe.create_account_link(account, refresh_url=refresh_url, return_url=return_url)
    return {
        "object": "account_link",
        "url": link["url"],
        "expires_at": link.get("expires_at"),
        "account_id": account,
    }


def refresh_account(
    cmd: RefreshAccount, store: AbstractStore, stripe: AbstractStripeGateway, *, now: datetime
) -> Doc:
    """The account's status fetched from Stripe, written to the tenant, and returned."""
    account_id = connected_account(load_tenant(store, cmd.tenant_id))
    account = stripe.retrieve_account(account_id)
    return account_status(_record_account(store, cmd.tenant_id, account, now=now))


def create_login_link(
    cmd: CreateLoginLink, store: AbstractStore, stripe: AbstractStripeGateway
) -> Obj:
    account = connected_account(load_tenant(store, cmd.tenant_id))
    link = stripe.create_login_link(account)
    return {"object": "login_link", "url": link["url"], "account_id": account}


def account_status(tenant: Doc) -> Doc:
    requirements = tenant.get("requirements") or {}
    return {
        "object": "connect_account",
        "account_id": tenant.get("merchant_account_id"),
        "status": tenant.get("connect_status") or "onboarding",
        "charges_enabled": bool(tenant.get("charges_enabled")),
        "payouts_enabled": bool(tenant.get("payouts_enabled")),
        "details_submitted": bool(tenant.get("details_submitted")),
        "requirements": {
            "currently_due": list(requirements.get("currently_due") or []),
            "past_due": list(requirements.get("past_due") or []),
            "disabled_reason": requirements.get("disabled_reason"),
        },
    }


def allowed_origins(settings: Settings) -> list[str]:
    return list(dict.fromkeys([_origin(settings.app_base_url), *settings.connect_return_origins]))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _record_account(store: AbstractStore, tenant_id: str, account: Obj, *, now: datetime) -> Doc:
    """Write the account's state unless the tenant already shows a newer one."""
    key = DocKey(TENANTS, tenant_id)
    fields = account_fields(account)
    state_key = [int(now.timestamp()), *onboarding_progress(account)]

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, Doc]:
        writes, tenant = WriteSet(), dict(docs[key] or {})
        if tenant.get("merchant_account_id") not in (None, account["id"]):
            return writes, tenant  # a concurrent call linked another account first
        seen = tenant.get("account_state_key")
        changes: Doc = {"merchant_account_id": account["id"]}
        if seen is None or tuple(state_key) > tuple(seen):
            changes.update(fields, account_state_key=state_key)
        writes.update(key, changes)
        tenant.update(changes)
        return writes, tenant

    return store.transact([key], decide)
