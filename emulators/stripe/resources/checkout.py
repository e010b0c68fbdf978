"""Checkout Sessions (mode=payment) and paying them on the hosted page."""

from __future__ import annotations

from typing import Any

from ..emulator import Emulator
from ..errors import invalid
from ..forms import as_list
from ..shapes import shaped
from ..store import Obj, new_id, now, paginate, public
from . import payment_flow
from .common import Call, Route, apply_metadata, created_filter, int_param, str_param
from .payment_intents import METHOD_TYPES, new_intent
from .payment_methods import TestMethod, register

SESSION_LIFETIME = 24 * 3600


def _line_item(raw: Any, index: int) -> Obj:
    if not isinstance(raw, dict) or not isinstance(raw.get("price_data"), dict):
        raise invalid(
            "Each line item needs `price_data` (Price ids are not emulated).",
            param=f"line_items[{index}][price_data]",
        )
    price_data = raw["price_data"]
    prefix = f"line_items[{index}][price_data]"
    unit_amount = int_param(price_data, "unit_amount", needed=True) or 0
    currency = (str_param(price_data, "currency", needed=True) or "").lower()
    product = price_data.get("product_data") or {}
    quantity = int_param(raw, "quantity") or 1
    if unit_amount < 0 or quantity < 1:
        raise invalid("Line item amounts must be positive.", param=prefix)
    total = unit_amount * quantity
    return shaped(
        "item",
        {
            "id": new_id("li_"),
            "object": "item",
            "amount_discount": 0,
            "amount_subtotal": total,
            "amount_tax": 0,
            "amount_total": total,
            "currency": currency,
            "description": product.get("name") if isinstance(product, dict) else None,
            "metadata": {},
            "quantity": quantity,
            "adjustable_quantity": None,
            "price": {
                "id": new_id("price_"),
                "object": "price",
                "currency": currency,
                "unit_amount": unit_amount,
                "unit_amount_decimal": str(unit_amount),
                "type": "one_time",
                "product": new_id("prod_", 14),
                "active": False,
                "livemode": False,
                "metadata": {},
            },
        },
    )


def create_session(call: Call) -> Obj:
    params = call.params
    if params.get("mode") != "payment":
        raise invalid("Only mode=payment is emulated.", param="mode")
    items = [_line_item(raw, i) for i, raw in enumerate(as_list(params.get("line_items")))]
    if not items:
        raise invalid(
            "Missing required param: line_items.", param="line_items", code="parameter_missing"
        )
    method_types = as_list(
        params.get("payment_method_types") or params.get("allowed_payment_method_types")
    ) or ["card"]
    if any(t not in METHOD_TYPES for t in method_types):
        raise invalid("Only card and us_bank_account are emulated.", param="payment_method_types")
    session_id = new_id("cs_test_", 58)
    total = sum(item["amount_total"] for item in items)
    session = shaped(
        "checkout.session",
        {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": str_param(params, "cancel_url"),
            "client_reference_id": str_param(params, "client_reference_id"),
            "created": now(),
            "currency": items[0]["currency"],
            "customer": str_param(params, "customer"),
            "customer_details": None,
            "customer_email": str_param(params, "customer_email"),
            "expires_at": now() + SESSION_LIFETIME,
            "livemode": False,
            "metadata": apply_metadata({}, params.get("metadata")),
            "mode": "payment",
            "payment_intent": None,
            "payment_method_options": {},
            "payment_method_types": method_types,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": str_param(params, "success_url"),
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "url": f"{call.emu.config.base_url}/checkout/pay/{session_id}",
            "_line_items": items,
            "_intent_data": params.get("payment_intent_data") or {},
        },
    )
    call.emu.store.add(session, call.account)
    return public(session)


def retrieve_session(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "checkout.session"))


def list_sessions(call: Call) -> Obj:
    intent = str_param(call.params, "payment_intent")
    status = str_param(call.params, "status")
    in_range = created_filter(call.params)
    return call.list_of(
        "checkout.session",
        lambda s: (
            in_range(s)
            and (intent is None or s["payment_intent"] == intent)
            and (status is None or s["status"] == status)
        ),
    )


def list_line_items(call: Call, object_id: str) -> Obj:
    session = call.get(object_id, "checkout.session")
    url = f"/v1/checkout/sessions/{session['id']}/line_items"
    return paginate(session["_line_items"], call.params, url)


def expire_session(call: Call, object_id: str) -> Obj:
    session = call.get(object_id, "checkout.session")
    if session["status"] != "open":
        raise invalid(
            f'Only Checkout Sessions with a status in ["open"] can be expired. '
            f'This Checkout Session has a status of "{session["status"]}".'
        )
    session.update(status="expired", url=None)
    call.emu.emit("checkout.session.expired", session, call.account, {"status": "open"})
    return public(session)


def _intent_for(emu: Emulator, session: Obj, account: str | None) -> Obj:
    if session["payment_intent"]:
        return emu.store.get(session["payment_intent"], account, "payment_intent")
    data = session["_intent_data"]
    intent = new_intent(
        emu,
        {
            "amount": str(session["amount_total"]),
            "currency": session["currency"],
            "payment_method_types": session["payment_method_types"],
            "capture_method": data.get("capture_method"),
            "metadata": data.get("metadata"),
            "application_fee_amount": data.get("application_fee_amount"),
            "description": data.get("description"),
            "customer": session["customer"],
        },
        account,
    )
    intent["_checkout_session"] = session["id"]
    session["payment_intent"] = intent["id"]
    return intent


def pay_session(
    emu: Emulator, session: Obj, account: str | None, method: TestMethod, email: str | None
) -> str | None:
    """Pay an open session as the hosted page does; return the decline message, if any."""
    if session["status"] != "open":
        raise invalid(f"This Checkout Session is {session['status']}.")
    if method.kind not in session["payment_method_types"]:
        raise invalid(f"This session does not accept {method.kind}.")
    intent = _intent_for(emu, session, account)
    intent.update(
        payment_method=register(emu.store, method, account),
        status="requires_confirmation",
        _authenticated=True,
    )
    declined = payment_flow.attempt(emu, intent, account)
    if declined is not None:
        return declined.message
    session.update(
        status="complete",
        url=None,
        payment_status="paid" if intent["status"] == "succeeded" else "unpaid",
        customer_details={
            "address": None,
            "email": email or session["customer_email"],
            "name": None,
            "phone": None,
            "tax_exempt": "none",
            "tax_ids": [],
        },
    )
    emu.emit("checkout.session.completed", session, account)
    return None


def find_session(emu: Emulator, session_id: str) -> tuple[Obj, str | None]:
    """A session by id in whichever account owns it (the hosted page has no Stripe-Account)."""
    owner = emu.store.owner_of(session_id)
    return emu.store.get(session_id, owner, "checkout.session"), owner


ROUTES = [
    Route(
        "POST",
        "/v1/checkout/sessions",
        create_session,
        "checkout.SessionCreateParams",
        also=("payment_method_types",),
    ),
    Route("GET", "/v1/checkout/sessions", list_sessions, "checkout.SessionListParams"),
    Route(
        "GET",
        "/v1/checkout/sessions/<object_id>",
        retrieve_session,
        "checkout.SessionRetrieveParams",
    ),
    Route(
        "POST",
        "/v1/checkout/sessions/<object_id>/expire",
        expire_session,
        "checkout.SessionExpireParams",
    ),
    Route(
        "GET",
        "/v1/checkout/sessions/<object_id>/line_items",
        list_line_items,
        "checkout.SessionListLineItemsParams",
    ),
]
