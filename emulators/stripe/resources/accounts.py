"""Connect accounts (Express), account links and login links."""

from __future__ import annotations

from typing import Any

from ..emulator import Emulator
from ..errors import invalid
from ..shapes import shaped
from ..store import Obj, new_id, now, public
from .common import Call, Route, apply_metadata, changes, choice_param, str_param

UNFINISHED = [
    "business_profile.product_description",
    "business_profile.url",
    "external_account",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]


def _requirements(due: list[str]) -> Obj:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": "requirements.past_due" if due else None,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def _capabilities(requested: Any, status: str) -> Obj:
    names = list(requested) if isinstance(requested, dict) else ["card_payments", "transfers"]
    return dict.fromkeys(names, status)


def create_account(call: Call) -> Obj:
    params = call.params
    account_type = choice_param(params, "type", ("express", "standard", "custom")) or "express"
    account_id = new_id("acct_", 16)
    account = shaped(
        "account",
        {
            "id": account_id,
            "object": "account",
            "type": account_type,
            "business_profile": params.get("business_profile") or {},
            "business_type": params.get("business_type"),
            "capabilities": _capabilities(params.get("capabilities"), "inactive"),
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "controller": {"type": "application", "is_controller": True},
            "country": params.get("country") or "US",
            "created": now(),
            "default_currency": params.get("default_currency") or "usd",
            "email": params.get("email"),
            "external_accounts": {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/accounts/{account_id}/external_accounts",
            },
            "future_requirements": _requirements([]),
            "metadata": apply_metadata({}, params.get("metadata")),
            "requirements": _requirements(UNFINISHED),
            "settings": {},
            "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        },
    )
    return public(call.emu.store.add(account, None))


def _platform_account(call: Call, account_id: str) -> Obj:
    return call.emu.store.get(account_id, None, "account", param="account")


def retrieve_account(call: Call, object_id: str) -> Obj:
    return public(_platform_account(call, object_id))


def update_account(call: Call, object_id: str) -> Obj:
    account = _platform_account(call, object_id)
    params = call.params
    updates: Obj = {"metadata": apply_metadata(account["metadata"], params.get("metadata"))}
    for key in ("email", "business_type", "default_currency"):
        if key in params:
            updates[key] = params[key] or None
    if isinstance(params.get("business_profile"), dict):
        updates["business_profile"] = {**account["business_profile"], **params["business_profile"]}
    previous = changes(account, updates)
    if previous:
        call.emu.emit("account.updated", account, account["id"], previous)
    return public(account)


def list_accounts(call: Call) -> Obj:
    return call.list_of("account")


def delete_account(call: Call, object_id: str) -> Obj:
    account = _platform_account(call, object_id)
    call.emu.store.remove(account["id"])
    return shaped("deleted_account", {"id": account["id"], "object": "account", "deleted": True})


def complete_onboarding(emu: Emulator, account_id: str) -> Obj:
    """What finishing the hosted onboarding does: the account can take charges and pay out."""
    account = emu.store.get(account_id, None, "account", param="account")
    previous = changes(
        account,
        {
            "charges_enabled": True,
            "payouts_enabled": True,
            "details_submitted": True,
            "requirements": _requirements([]),
            "capabilities": dict.fromkeys(account["capabilities"] or {}, "active"),
            "tos_acceptance": {"date": now(), "ip": "127.0.0.1", "user_agent": "emulator"},
        },
    )
    if previous:
        emu.emit("account.updated", account, account_id, previous)
    return public(account)


def create_account_link(call: Call) -> Obj:
    account_id = str_param(call.params, "account", needed=True) or ""
    _platform_account(call, account_id)
    link_type = choice_param(call.params, "type", ("account_onboarding", "account_update"))
    if link_type is None:
        raise invalid("Missing required param: type.", param="type", code="parameter_missing")
    token = new_id("al_", 24)
    call.emu.store.add(
        {
            "id": token,
            "object": "_account_link",
            "account": account_id,
            "return_url": str_param(call.params, "return_url"),
            "refresh_url": str_param(call.params, "refresh_url"),
        },
        None,
    )
    created = now()
    return shaped(
        "account_link",
        {
            "object": "account_link",
            "created": created,
            "expires_at": created + 300,
            "url": f"{call.emu.config.base_url}/connect/onboarding/{token}",
        },
    )


def create_login_link(call: Call, object_id: str) -> Obj:
    account = _platform_account(call, object_id)
    if not account["details_submitted"]:
        raise invalid(
            "Cannot create a login link for an account that has not completed onboarding.",
            param="account",
        )
    return shaped(
        "login_link",
        {
            "object": "login_link",
            "created": now(),
            "url": f"{call.emu.config.base_url}/express/{account['id']}",
        },
    )


ROUTES = [
    Route("POST", "/v1/accounts", create_account, "AccountCreateParams"),
    Route("GET", "/v1/accounts", list_accounts, "AccountListParams"),
    Route("GET", "/v1/accounts/<object_id>", retrieve_account, "AccountRetrieveParams"),
    Route("POST", "/v1/accounts/<object_id>", update_account, "AccountUpdateParams"),
    Route("DELETE", "/v1/accounts/<object_id>", delete_account, "AccountDeleteParams"),
    Route(
        "POST",
        "/v1/accounts/<object_id>/login_links",
        create_login_link,
        "AccountLoginLinkCreateParams",
    ),
    Route("POST", "/v1/account_links", create_account_link, "AccountLinkCreateParams"),
]
