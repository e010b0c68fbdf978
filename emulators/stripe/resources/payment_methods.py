"""Stripe's test payment methods and cards, and what each one does when charged."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import invalid
from ..store import Obj, Store, new_id

SUCCEED = "succeed"
DECLINE = "decline"
DISPUTE = "dispute"
AUTHENTICATE = "authenticate"
BANK_SUCCEED = "bank_succeed"
BANK_FAIL = "bank_fail"
REFUND_FAIL = "refund_fail"  # the charge succeeds; each refund of it fails right after creation


@dataclass(frozen=True)
class TestMethod:
    kind: str  # "card" or "us_bank_account"
    outcome: str
    last4: str
    brand: str = "visa"


CARDS = {
    "4242424242424242": TestMethod("card", SUCCEED, "4242"),
    "5555555555554444": TestMethod("card", SUCCEED, "4444", "mastercard"),
    "4000000000000002": TestMethod("card", DECLINE, "0002"),
    "4000000000000259": TestMethod("card", DISPUTE, "0259"),
    "4000002500003155": TestMethod("card", AUTHENTICATE, "3155"),
    "4000000000005126": TestMethod("card", REFUND_FAIL, "5126"),
}
BANK_ACCOUNTS = {
    "000123456789": TestMethod("us_bank_account", BANK_SUCCEED, "6789", "STRIPE TEST BANK"),
    "000111111113": TestMethod("us_bank_account", BANK_FAIL, "1113", "STRIPE TEST BANK"),
}
NAMED = {
    "pm_card_visa": CARDS["4242424242424242"],
    "pm_card_mastercard": CARDS["5555555555554444"],
    "pm_card_chargeDeclined": CARDS["4000000000000002"],
    "pm_card_visa_chargeDeclined": CARDS["4000000000000002"],
    "pm_card_createDispute": CARDS["4000000000000259"],
    "pm_card_authenticationRequired": CARDS["4000002500003155"],
    "pm_card_refundFail": CARDS["4000000000005126"],
    "pm_usBankAccount": BANK_ACCOUNTS["000123456789"],
    "pm_usBankAccount_failure": BANK_ACCOUNTS["000111111113"],
}


def register(store: Store, method: TestMethod, owner: str | None) -> str:
    """Store a payment method entered on a hosted page; return its id."""
    method_id = new_id("pm_")
    store.add({"id": method_id, "object": "_payment_method", "method": method}, owner)
    return method_id


def resolve(store: Store, method_id: str, owner: str | None) -> TestMethod:
    if method_id in NAMED:
        return NAMED[method_id]
    entry = store.find(method_id, owner, "_payment_method")
    if entry is None:
        raise invalid(
            f"No such PaymentMethod: '{method_id}'", param="payment_method", code="resource_missing"
        )
    found: TestMethod = entry["method"]
    return found


def details(method: TestMethod) -> Obj:
    """`payment_method_details` of a charge made with this method."""
    if method.kind == "card":
        return {
            "type": "card",
            "card": {
                "brand": method.brand,
                "last4": method.last4,
                "exp_month": 12,
                "exp_year": 2034,
                "country": "US",
                "funding": "credit",
                "network": method.brand,
                "checks": {
                    "cvc_check": "pass",
                    "address_line1_check": None,
                    "address_postal_code_check": None,
                },
            },
        }
    return {
        "type": "us_bank_account",
        "us_bank_account": {
            "account_holder_type": "individual",
            "account_type": "checking",
            "bank_name": method.brand,
            "last4": method.last4,
            "routing_number": "110000000",
        },
    }
