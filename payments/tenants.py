"""The tenant document as the payments API reads it: its connected account and settings."""

from __future__ import annotations

from core.errors import Conflict, NotFound
from ledger.collections import TENANTS
from ledger.store import AbstractStore, Doc, DocKey

__all__ = ["connected_account", "load_tenant"]


def load_tenant(store: AbstractStore, tenant_id: str) -> Doc:
    tenant = store.get(DocKey(TENANTS, tenant_id))
    if tenant is None:
        raise NotFound("The tenant does not exist", code="tenant_not_found")
    return tenant


def connected_account(tenant: Doc) -> str:
    """The tenant's Stripe account, or a `Conflict` telling the owner to onboard first."""
    account = tenant.get("merchant_account_id")
    if not account:
        raise Conflict(
            "This tenant has no Stripe account yet; the owner creates one with "
            "POST /api/v1/connect/accounts",
            code="no_connected_account",
        )
    return str(account)
