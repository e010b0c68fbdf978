"""The PaymentIntents API: create, confirm, retrieve, list, capture, cancel."""

from __future__ import annotations

from typing import Any

from ..emulator import Emulator
from ..errors import StripeApiError, invalid, unexpected_state
from ..forms import as_list
from ..shapes import shaped
from ..store import Obj, new_id, now, public
from . import payment_flow
from .common import (
    Call,
    Route,
    apply_metadata,
    bool_param,
    choice_param,
    created_filter,
    int_param,
    str_param,
)

METHOD_TYPES = ("card", "us_bank_account")
CANCELABLE = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "requires_capture",
)
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
MINIMUM_AMOUNT = 50


def new_intent(emu: Emulator, params: dict[str, Any], account: str | None) -> Obj:
    """Build and store a PaymentIntent from create parameters (also used by Checkout)."""
    amount = int_param(params, "amount", needed=True) or 0
    if amount < MINIMUM_AMOUNT:
        raise invalid("Amount must be at least $0.50 usd", param="amount", code="amount_too_small")
    currency = (str_param(params, "currency", needed=True) or "").lower()
    method_types = as_list(
        params.get("payment_method_types") or params.get("allowed_payment_method_types")
    ) or ["card"]
    for method_type in method_types:
        if method_type not in METHOD_TYPES:
            raise invalid(
                f"The payment method type {method_type!r} is invalid.", param="payment_method_types"
            )
    intent_id = new_id("pi_")
    payment_method = str_param(params, "payment_method")
    intent = shaped(
        "payment_intent",
        {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_details": {"tip": {}},
            "amount_received": 0,
            "application_fee_amount": int_param(params, "application_fee_amount"),
            "automatic_payment_methods": None,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": choice_param(
                params, "capture_method", ("automatic", "automatic_async", "manual")
            )
            or "automatic",
            "client_secret": f"{intent_id}_secret_{new_id('', 24)}",
            "confirmation_method": "automatic",
            "created": now(),
            "currency": currency,
            "customer": str_param(params, "customer"),
            "description": str_param(params, "description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": apply_metadata({}, params.get("metadata")),
            "next_action": None,
            "payment_method": payment_method,
            "payment_method_options": {},
            "payment_method_types": method_types,
            "processing": None,
            "receipt_email": str_param(params, "receipt_email"),
            "status": "requires_confirmation" if payment_method else "requires_payment_method",
            "transfer_data": None,
            "transfer_group": None,
        },
    )
    emu.store.add(intent, account)
    emu.emit("payment_intent.created", intent, account)
    return intent


def create_intent(call: Call) -> Obj:
    intent = new_intent(call.emu, call.params, call.account)
    if bool_param(call.params, "confirm"):
        return _confirm(call, intent)
    return public(intent)


def confirm_intent(call: Call, object_id: str) -> Obj:
    intent = call.get(object_id, "payment_intent")
    if intent["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise unexpected_state(
            intent["status"], "confirmed", "requires_payment_method, requires_confirmation"
        )
    payment_method = str_param(call.params, "payment_method")
    if payment_method:
        intent["payment_method"] = payment_method
    if not intent["payment_method"]:
        raise invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            code="payment_intent_unexpected_state",
        )
    return _confirm(call, intent)


def _confirm(call: Call, intent: Obj) -> Obj:
    intent["last_payment_error"] = None
    declined: StripeApiError | None = payment_flow.attempt(call.emu, intent, call.account)
    if declined is not None:
        raise declined
    return public(intent)


def capture_intent(call: Call, object_id: str) -> Obj:
    intent = call.get(object_id, "payment_intent")
    if intent["status"] != "requires_capture":
        raise unexpected_state(intent["status"], "captured", "requires_capture")
    amount = int_param(call.params, "amount_to_capture")
    amount = intent["amount_capturable"] if amount is None else amount
    if not 0 < amount <= intent["amount_capturable"]:
        raise invalid(
            f"The amount to capture ({amount}) must be positive and at most the amount "
            f"capturable ({intent['amount_capturable']}).",
            param="amount_to_capture",
            code="amount_too_large",
        )
    fee = int_param(call.params, "application_fee_amount")
    if fee is not None:
        intent["application_fee_amount"] = fee
        call.emu.store.get(intent["latest_charge"], call.account, "charge")[
            "application_fee_amount"
        ] = fee
    if "metadata" in call.params:
        intent["metadata"] = apply_metadata(intent["metadata"], call.params["metadata"])
    payment_flow.capture(call.emu, intent, amount, call.account)
    return public(intent)


def cancel_intent(call: Call, object_id: str) -> Obj:
    intent = call.get(object_id, "payment_intent")
    if intent["status"] not in CANCELABLE:
        raise unexpected_state(intent["status"], "canceled", ", ".join(CANCELABLE))
    reason = choice_param(call.params, "cancellation_reason", CANCELLATION_REASONS)
    if intent["status"] == "requires_capture":
        charge = call.emu.store.get(intent["latest_charge"], call.account, "charge")
        charge.update(refunded=True, amount_refunded=charge["amount"])
    intent.update(
        status="canceled",
        canceled_at=now(),
        cancellation_reason=reason,
        amount_capturable=0,
        next_action=None,
    )
    call.emu.emit("payment_intent.canceled", intent, call.account)
    return public(intent)


def retrieve_intent(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "payment_intent"))


def list_intents(call: Call) -> Obj:
    customer = str_param(call.params, "customer")
    in_range = created_filter(call.params)
    return call.list_of(
        "payment_intent",
        lambda pi: in_range(pi) and (customer is None or pi["customer"] == customer),
    )


ROUTES = [
    Route(
        "POST",
        "/v1/payment_intents",
        create_intent,
        "PaymentIntentCreateParams",
        also=("payment_method_types",),
    ),
    Route("GET", "/v1/payment_intents", list_intents, "PaymentIntentListParams"),
    Route("GET", "/v1/payment_intents/<object_id>", retrieve_intent, "PaymentIntentRetrieveParams"),
    Route(
        "POST",
        "/v1/payment_intents/<object_id>/confirm",
        confirm_intent,
        "PaymentIntentConfirmParams",
    ),
    Route(
        "POST",
        "/v1/payment_intents/<object_id>/capture",
        capture_intent,
        "PaymentIntentCaptureParams",
    ),
    Route(
        "POST", "/v1/payment_intents/<object_id>/cancel", cancel_intent, "PaymentIntentCancelParams"
    ),
]
