"""Charges and balance transactions: what a payment leaves behind."""

from __future__ import annotations

from ..emulator import Emulator
from ..shapes import shaped
from ..store import Obj, new_id, now, public
from .common import Call, Route, created_filter, str_param
from .payment_methods import TestMethod, details

CARD_FEE_PERCENT, CARD_FEE_FIXED = 2.9, 30
ACH_FEE_PERCENT, ACH_FEE_CAP = 0.8, 500


def processing_fee(method_type: str, amount: int) -> int:
    if method_type == "us_bank_account":
        return min(round(amount * ACH_FEE_PERCENT / 100), ACH_FEE_CAP)
    return round(amount * CARD_FEE_PERCENT / 100) + CARD_FEE_FIXED


def new_charge(emu: Emulator, intent: Obj, method: TestMethod, account: str | None) -> Obj:
    charge_id = new_id("py_" if method.kind == "us_bank_account" else "ch_")
    charge = shaped(
        "charge",
        {
            "id": charge_id,
            "object": "charge",
            "amount": intent["amount"],
            "amount_captured": 0,
            "amount_refunded": 0,
            "application_fee_amount": intent["application_fee_amount"],
            "balance_transaction": None,
            "billing_details": {
                "address": None,
                "email": None,
                "name": None,
                "phone": None,
                "tax_id": None,
            },
            "captured": False,
            "created": now(),
            "currency": intent["currency"],
            "customer": intent["customer"],
            "description": intent["description"],
            "disputed": False,
            "failure_code": None,
            "failure_message": None,
            "fraud_details": {},
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "outcome": None,
            "paid": False,
            "payment_intent": intent["id"],
            "payment_method": intent["payment_method"],
            "payment_method_details": details(method),
            "receipt_email": intent["receipt_email"],
            "refunded": False,
            "refunds": {
                "object": "list",
                "data": [],
                "has_more": False,
                "url": f"/v1/charges/{charge_id}/refunds",
            },
            "status": "pending",
            "_method": method,
        },
    )
    return emu.store.add(charge, account)


def outcome(approved: bool, reason: str | None = None) -> Obj:
    """A charge's `outcome`: authorized, or declined by the issuer."""
    return {
        "network_status": "approved_by_network" if approved else "declined_by_network",
        "reason": reason,
        "risk_level": "normal",
        "seller_message": "Payment complete."
        if approved
        else "The bank did not return any further details with this decline.",
        "type": "authorized" if approved else "issuer_declined",
    }


def add_balance_transaction(
    emu: Emulator,
    *,
    source: Obj,
    amount: int,
    fee: int,
    kind: str,
    account: str | None,
    category: str,
    application_fee: int = 0,
) -> Obj:
    fee_details = []
    if fee:
        fee_details.append(
            {
                "amount": fee,
                "currency": source["currency"],
                "description": "Stripe processing fees",
                "type": "stripe_fee",
                "application": None,
            }
        )
    if application_fee:
        fee_details.append(
            {
                "amount": application_fee,
                "currency": source["currency"],
                "description": "Application fee",
                "type": "application_fee",
                "application": None,
            }
        )
    total_fee = fee + application_fee
    created = now()
    txn = shaped(
        "balance_transaction",
        {
            "id": new_id("txn_"),
            "object": "balance_transaction",
            "amount": amount,
            "available_on": created + 2 * 86400,
            "created": created,
            "currency": source["currency"],
            "description": source.get("description"),
            "exchange_rate": None,
            "fee": total_fee,
            "fee_details": fee_details,
            "net": amount - total_fee,
            "reporting_category": category,
            "source": source["id"],
            "status": "pending",
            "type": kind,
        },
    )
    return emu.store.add(txn, account)


def record_capture(emu: Emulator, charge: Obj, amount: int, account: str | None) -> None:
    """The balance transaction of a captured charge: amount, Stripe fee, application fee."""
    method: TestMethod = charge["_method"]
    txn = add_balance_transaction(
        emu,
        source=charge,
        amount=amount,
        fee=processing_fee(method.kind, amount),
        kind="charge" if method.kind == "card" else "payment",
        account=account,
        category="charge",
        application_fee=charge["application_fee_amount"] or 0,
    )
    charge["balance_transaction"] = txn["id"]


def retrieve_charge(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "charge"))


def list_charges(call: Call) -> Obj:
    intent = str_param(call.params, "payment_intent")
    customer = str_param(call.params, "customer")
    in_range = created_filter(call.params)
    return call.list_of(
        "charge",
        lambda c: (
            in_range(c)
            and (intent is None or c["payment_intent"] == intent)
            and (customer is None or c["customer"] == customer)
        ),
    )


def retrieve_balance_transaction(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "balance_transaction"))


def list_balance_transactions(call: Call) -> Obj:
    kind = str_param(call.params, "type")
    source = str_param(call.params, "source")
    in_range = created_filter(call.params)
    return call.list_of(
        "balance_transaction",
        lambda t: (
            in_range(t)
            and (kind is None or t["type"] == kind)
            and (source is None or t["source"] == source)
        ),
    )


ROUTES = [
    Route("GET", "/v1/charges", list_charges, "ChargeListParams"),
    Route("GET", "/v1/charges/<object_id>", retrieve_charge, "ChargeRetrieveParams"),
    Route(
        "GET", "/v1/balance_transactions", list_balance_transactions, "BalanceTransactionListParams"
    ),
    Route(
        "GET",
        "/v1/balance_transactions/<object_id>",
        retrieve_balance_transaction,
        "BalanceTransactionRetrieveParams",
    ),
]
