"""What happens when a PaymentIntent is confirmed: authorize, decline, capture, settle ACH.

Status machine: requires_payment_method -> requires_confirmation -> (requires_action) ->
processing (bank debits) or requires_capture (manual capture) -> succeeded; any state
before success may go to canceled. A decline returns the intent to requires_payment_method.
"""

from __future__ import annotations

from ..emulator import Emulator
from ..errors import StripeApiError, invalid
from ..store import Obj, public
from .charges import new_charge, outcome, record_capture
from .disputes import open_dispute
from .payment_methods import (
    AUTHENTICATE,
    BANK_FAIL,
    BANK_SUCCEED,
    DECLINE,
    DISPUTE,
    TestMethod,
    resolve,
)


def attempt(emu: Emulator, intent: Obj, account: str | None) -> StripeApiError | None:
    """Charge the intent's payment method; return the card error if it was declined."""
    method = resolve(emu.store, intent["payment_method"], account)
    if method.kind not in intent["payment_method_types"]:
        raise invalid(
            f"The PaymentMethod provided ({method.kind}) is not allowed for this PaymentIntent.",
            param="payment_method",
            code="payment_intent_invalid_parameter",
        )
    if method.outcome == AUTHENTICATE and not intent.get("_authenticated"):
        intent.update(
            status="requires_action", next_action={"type": "use_stripe_sdk", "use_stripe_sdk": {}}
        )
        emu.emit("payment_intent.requires_action", intent, account)
        return None
    intent["next_action"] = None
    charge = new_charge(emu, intent, method, account)
    intent["latest_charge"] = charge["id"]
    if method.outcome == DECLINE:
        return decline(emu, intent, charge, account, code="card_declined")
    if method.outcome in (BANK_SUCCEED, BANK_FAIL):
        _start_bank_debit(emu, intent, charge, account)
        return None
    authorize(emu, intent, charge, account)
    return None


def decline(
    emu: Emulator, intent: Obj, charge: Obj, account: str | None, *, code: str
) -> StripeApiError:
    card = charge["_method"].kind == "card"
    message = "Your card was declined." if card else "The customer's bank account is closed."
    error = {
        "type": "card_error" if card else "invalid_request_error",
        "code": code,
        "decline_code": "generic_decline" if card else None,
        "message": message,
        "charge": charge["id"],
        "payment_method": {"id": intent["payment_method"], "object": "payment_method"},
    }
    charge.update(
        status="failed",
        failure_code=code,
        failure_message=message,
        outcome=outcome(False, "generic_decline"),
    )
    intent.update(status="requires_payment_method", last_payment_error=error)
    emu.emit("charge.failed", charge, account)
    emu.emit("payment_intent.payment_failed", intent, account)
    _notify_session(emu, intent, account, succeeded=False)
    return StripeApiError(
        402,
        message,
        type=error["type"],
        code=code,
        extra={
            "decline_code": error["decline_code"],
            "charge": charge["id"],
            "payment_intent": public(intent),
        },
    )


def authorize(emu: Emulator, intent: Obj, charge: Obj, account: str | None) -> None:
    charge.update(status="succeeded", paid=True, outcome=outcome(True))
    if intent["capture_method"] == "manual":
        intent.update(status="requires_capture", amount_capturable=intent["amount"])
        emu.emit("charge.succeeded", charge, account)
        emu.emit(
            "payment_intent.amount_capturable_updated", intent, account, {"amount_capturable": 0}
        )
        return
    _settle(emu, intent, charge, intent["amount"], account)
    emu.emit("charge.succeeded", charge, account)
    emu.emit("payment_intent.succeeded", intent, account)
    _maybe_dispute(emu, charge, account)


def capture(emu: Emulator, intent: Obj, amount: int, account: str | None) -> None:
    charge = emu.store.get(intent["latest_charge"], account, "charge")
    _settle(emu, intent, charge, amount, account)
    emu.emit("charge.captured", charge, account, {"captured": False, "amount_captured": 0})
    emu.emit("payment_intent.succeeded", intent, account)
    _maybe_dispute(emu, charge, account)


def _settle(emu: Emulator, intent: Obj, charge: Obj, amount: int, account: str | None) -> None:
    charge.update(captured=True, amount_captured=amount, paid=True, status="succeeded")
    record_capture(emu, charge, amount, account)
    intent.update(status="succeeded", amount_received=amount, amount_capturable=0)


def _maybe_dispute(emu: Emulator, charge: Obj, account: str | None) -> None:
    method: TestMethod = charge["_method"]
    if method.outcome == DISPUTE:
        open_dispute(emu, charge, account)


def _start_bank_debit(emu: Emulator, intent: Obj, charge: Obj, account: str | None) -> None:
    intent.update(status="processing", processing={"type": "us_bank_account"})
    emu.emit("charge.pending", charge, account)
    emu.emit("payment_intent.processing", intent, account)
    delay = emu.config.ach_delay
    if delay > 0:
        intent_id = intent["id"]

        def settle() -> None:
            settle_bank_debit(emu, intent_id, account)

        emu.later(delay, settle)


def settle_bank_debit(
    emu: Emulator, intent_id: str, account: str | None, *, succeed: bool | None = None
) -> Obj | None:
    """Finish a `processing` bank debit; `succeed` overrides the test account's outcome."""
    intent = emu.store.find(intent_id, account, "payment_intent")
    if intent is None or intent["status"] != "processing":
        return None
    charge = emu.store.get(intent["latest_charge"], account, "charge")
    if succeed is None:
        succeed = charge["_method"].outcome == BANK_SUCCEED
    intent["processing"] = None
    if not succeed:
        decline(emu, intent, charge, account, code="account_closed")
        return intent
    charge["outcome"] = outcome(True)
    _settle(emu, intent, charge, intent["amount"], account)
    emu.emit("charge.succeeded", charge, account)
    emu.emit("payment_intent.succeeded", intent, account)
    _notify_session(emu, intent, account, succeeded=True)
    return intent


def _notify_session(emu: Emulator, intent: Obj, account: str | None, *, succeeded: bool) -> None:
    """Checkout's async payment events, once a session's delayed payment settles."""
    session_id = intent.get("_checkout_session")
    session = emu.store.find(session_id, account, "checkout.session") if session_id else None
    if session is None or session["status"] != "complete":
        return
    previous = {"payment_status": session["payment_status"]}
    session["payment_status"] = "paid" if succeeded else "unpaid"
    kind = "succeeded" if succeeded else "failed"
    emu.emit(f"checkout.session.async_payment_{kind}", session, account, previous)
