"""account.*: the connected account's ability to take charges and receive payouts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payments.events.handlers._common import summary
from payments.events.model import StripeEvent, TenantChange


def on_account_updated(event: StripeEvent) -> TenantChange:
    account = event.object
    fields = account_fields(account)
    enabled = "charges enabled" if fields["charges_enabled"] else "charges not enabled yet"
    return TenantChange(
        account_id=str(account["id"]),
        summary=summary(event, enabled),
        key=(event.created, *onboarding_progress(account)),
        fields=fields,
        metadata_tenant_id=(account.get("metadata") or {}).get("tenant_id"),
    )


def account_fields(account: Mapping[str, Any]) -> dict[str, Any]:
    """What the tenant document keeps of its connected account (webhook or API refresh)."""
    requirements = account.get("requirements") or {}
    return {
        "charges_enabled": bool(account.get("charges_enabled")),
        "payouts_enabled": bool(account.get("payouts_enabled")),
        "details_submitted": bool(account.get("details_submitted")),
        "requirements": {
            "currently_due": list(requirements.get("currently_due") or []),
            "past_due": list(requirements.get("past_due") or []),
            "disabled_reason": requirements.get("disabled_reason"),
        },
        "connect_status": "active" if account.get("charges_enabled") else "onboarding",
    }


def onboarding_progress(account: Mapping[str, Any]) -> tuple[int, ...]:
    """How far onboarding got, to order two views of one account taken at the same second."""
    return tuple(
        int(bool(account.get(name)))
        for name in ("details_submitted", "charges_enabled", "payouts_enabled")
    )


def on_account_application_deauthorized(event: StripeEvent) -> TenantChange:
    account_id = event.account or str(event.object.get("id", ""))
    return TenantChange(
        account_id=account_id,
        summary=summary(event, "the account disconnected the platform"),
        key=(event.created, 9, 9, 9),
        fields={
            "charges_enabled": False,
            "payouts_enabled": False,
            "connect_status": "deauthorized",
        },
    )
