"""Refunds, by charge or by PaymentIntent, full or partial; refused on a charged-back charge;
failed after the fact (the refund-failure test card, or the `/_emulator` helper)."""

from __future__ import annotations

from ..emulator import Emulator
from ..errors import StripeApiError, invalid, missing
from ..shapes import shaped
from ..store import Obj, new_id, now, public
from .charges import add_balance_transaction
from .common import (
    Call,
    Route,
    apply_metadata,
    choice_param,
    created_filter,
    int_param,
    str_param,
)
from .payment_methods import REFUND_FAIL

REASONS = ("duplicate", "fraudulent", "requested_by_customer")
FAILURE_REASONS = ("expired_or_canceled_card", "lost_or_stolen_card", "unknown")


def _charge_to_refund(call: Call) -> Obj:
    charge_id = str_param(call.params, "charge")
    intent_id = str_param(call.params, "payment_intent")
    if charge_id:
        return call.emu.store.get(charge_id, call.account, "charge", param="charge")
    if not intent_id:
        raise invalid(
            "One of the following params should be provided for this request: "
            "payment_intent or charge.",
            code="parameter_missing",
        )
    intent = call.emu.store.get(intent_id, call.account, "payment_intent", param="payment_intent")
    if intent["status"] != "succeeded" or not intent["latest_charge"]:
        raise StripeApiError(
            400,
            f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
            code="charge_not_refundable"
            if intent["status"] == "requires_capture"
            else "payment_intent_unexpected_state",
            param="payment_intent",
        )
    charge = call.emu.store.find(intent["latest_charge"], call.account, "charge")
    if charge is None:
        raise missing("charge", intent["latest_charge"], param="payment_intent")
    return charge


def _refuse_if_disputed(call: Call, charge: Obj) -> None:
    """Stripe refuses any refund once the charge is charged back: a dispute on it that says
    `is_charge_refundable: false` (every dispute the emulator opens), open, won or lost."""
    disputes = call.emu.store.select(
        "dispute",
        call.account,
        lambda d: d["charge"] == charge["id"] and not d["is_charge_refundable"],
    )
    if disputes:
        raise StripeApiError(
            400,
            f"Charge {charge['id']} has been charged back; cannot issue a refund.",
            code="charge_disputed",
        )


def _refundable_amount(charge: Obj) -> int:
    if not charge["captured"] or charge["status"] != "succeeded":
        raise StripeApiError(
            400,
            f"Charge {charge['id']} has not been captured, so it cannot "
            "be refunded. Cancel the PaymentIntent instead.",
            code="charge_not_refundable",
            param="charge",
        )
    remaining: int = charge["amount_captured"] - charge["amount_refunded"]
    if remaining <= 0:
        raise StripeApiError(
            400,
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
            param="charge",
        )
    return remaining


def create_refund(call: Call) -> Obj:
    charge = _charge_to_refund(call)
    _refuse_if_disputed(call, charge)
    remaining = _refundable_amount(charge)
    amount = int_param(call.params, "amount")
    amount = remaining if amount is None else amount
    if amount <= 0 or amount > remaining:
        raise invalid(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})"
            if amount > 0
            else "Refund amount must be positive.",
            param="amount",
            code="amount_too_large" if amount > 0 else None,
        )
    refund = shaped(
        "refund",
        {
            "id": new_id("re_"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": now(),
            "currency": charge["currency"],
            "destination_details": {"type": "card", "card": {"type": "refund"}},
            "metadata": apply_metadata({}, call.params.get("metadata")),
            "payment_intent": charge["payment_intent"],
            "status": "succeeded",
            "reason": choice_param(call.params, "reason", REASONS),
        },
    )
    txn = add_balance_transaction(
        call.emu,
        source=refund,
        amount=-amount,
        fee=0,
        kind="refund",
        account=call.account,
        category="refund",
    )
    refund["balance_transaction"] = txn["id"]
    call.emu.store.add(refund, call.account)
    previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
    charge["refunds"]["data"].insert(0, public(refund))
    call.emu.emit("refund.created", refund, call.account)
    call.emu.emit("charge.refunded", charge, call.account, previous)
    created = public(refund)  # as Stripe answers: the failure shows on later fetches only
    if charge["_method"].outcome == REFUND_FAIL:
        fail_refund(call.emu, refund, call.account)
    return created


def fail_refund(
    emu: Emulator, refund: Obj, account: str | None, reason: str = "expired_or_canceled_card"
) -> Obj:
    """The card network sends a refund back: `failed` with `failure_reason`, its amount back
    on the balance (`failure_balance_transaction`) and off the charge's `amount_refunded`."""
    if refund["status"] not in ("pending", "succeeded"):
        raise invalid(f"Refund {refund['id']} is {refund['status']}; it cannot fail now.")
    charge = emu.store.get(refund["charge"], account, "charge")
    txn = add_balance_transaction(
        emu,
        source=refund,
        amount=refund["amount"],
        fee=0,
        kind="refund_failure",
        account=account,
        category="refund_failure",
    )
    previous = {
        "status": refund["status"],
        "failure_balance_transaction": None,
        "failure_reason": None,
    }
    refund.update(status="failed", failure_reason=reason, failure_balance_transaction=txn["id"])
    charge["amount_refunded"] -= refund["amount"]
    charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
    charge["refunds"]["data"] = [
        public(refund) if listed["id"] == refund["id"] else listed
        for listed in charge["refunds"]["data"]
    ]
    emu.emit("charge.refund.updated", refund, account, previous)
    emu.emit("refund.updated", refund, account, previous)
    emu.emit("refund.failed", refund, account)
    return refund


def retrieve_refund(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "refund"))


def update_refund(call: Call, object_id: str) -> Obj:
    refund = call.get(object_id, "refund")
    previous = {"metadata": refund["metadata"]}
    refund["metadata"] = apply_metadata(refund["metadata"], call.params.get("metadata"))
    call.emu.emit("refund.updated", refund, call.account, previous)
    return public(refund)


def list_refunds(call: Call) -> Obj:
    charge = str_param(call.params, "charge")
    intent = str_param(call.params, "payment_intent")
    in_range = created_filter(call.params)
    return call.list_of(
        "refund",
        lambda r: (
            in_range(r)
            and (charge is None or r["charge"] == charge)
            and (intent is None or r["payment_intent"] == intent)
        ),
    )


ROUTES = [
    Route("POST", "/v1/refunds", create_refund, "RefundCreateParams"),
    Route("GET", "/v1/refunds", list_refunds, "RefundListParams"),
    Route("GET", "/v1/refunds/<object_id>", retrieve_refund, "RefundRetrieveParams"),
    Route("POST", "/v1/refunds/<object_id>", update_refund, "RefundUpdateParams"),
]
