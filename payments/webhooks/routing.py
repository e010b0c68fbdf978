"""Which tenant an event belongs to, or why it is only recorded."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.collections import TENANTS
from ledger.store import AbstractStore, Query
from payments.events.handlers import EVENT_HANDLERS
from payments.events.model import PaymentChange, StripeEvent, TenantChange

__all__ = ["EventRoute", "TenantDirectory", "ordering_key", "route_event"]


@dataclass(frozen=True)
class EventRoute:
    tenant_id: str | None
    ignored_reason: str | None = None  # set → record and acknowledge, apply nothing


class TenantDirectory:
    """Connected account → tenant, cached per instance (the mapping never changes once set)."""

    def __init__(self, store: AbstractStore) -> None:
        self._store = store
        self._cache: dict[str, str] = {}

    def tenant_of_account(self, account_id: str) -> str | None:
        if account_id not in self._cache:
            rows = self._store.query(
                Query(TENANTS, where=(("merchant_account_id", "==", account_id),), limit=1)
            )
            if not rows:
                return None
            self._cache[account_id] = rows[0][0]
        return self._cache[account_id]


def route_event(event: StripeEvent, *, livemode: bool, tenants: TenantDirectory) -> EventRoute:
    if event.livemode != livemode:
        return EventRoute(None, "livemode_mismatch")
    metadata = event.object.get("metadata")
    metadata_tenant = metadata.get("tenant_id") if isinstance(metadata, dict) else None
    if event.account:
        tenant_id = tenants.tenant_of_account(event.account)
        if tenant_id is None and event.object.get("object") == "account":
            tenant_id = metadata_tenant  # e.g. account.updated before the link was stored
        if tenant_id is None:
            return EventRoute(None, "unknown_account")
    elif isinstance(metadata_tenant, str) and metadata_tenant:
        tenant_id = metadata_tenant
    else:
        return EventRoute(None, "no_tenant")
    if event.type not in EVENT_HANDLERS:
        return EventRoute(tenant_id, "unhandled_type")
    return EventRoute(tenant_id)


def ordering_key(event: StripeEvent) -> str:
    """What the apply queue serializes the event on: the payment it changes (its intent's id,
    as the handler derives it), the connected account for account events; "" when no order
    matters, or the handler cannot read the event (its apply will record why)."""
    try:
        change = EVENT_HANDLERS[event.type](event)
    except Exception:
        return ""
    if isinstance(change, PaymentChange):
        return change.payment_id
    if isinstance(change, TenantChange):
        return change.account_id
    return ""
