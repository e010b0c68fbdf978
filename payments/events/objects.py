"""What the ledger keeps of each Stripe object, how its states are ordered, and which
financial facts a state proves. Pure functions of one object: no I/O, no clock."""

from __future__ import annotations

from typing import Any

from payments.events.model import Fact, SourceUpdate

__all__ = [
    "charge_update",
    "checkout_session_update",
    "dispute_update",
    "facts_of",
    "payment_intent_update",
    "refund_update",
]

Obj = dict[str, Any]

PAYMENT_INTENT_RANK = {
    "requires_payment_method": 0,
    "requires_confirmation": 1,
    "requires_action": 2,
    "processing": 3,
    "requires_capture": 4,
    "canceled": 5,
    "succeeded": 5,
}
CHARGE_RANK = {"pending": 0, "failed": 1, "succeeded": 1}
REFUND_RANK = {"pending": 0, "requires_action": 1, "succeeded": 2, "failed": 3, "canceled": 3}
DISPUTE_RANK = {
    "warning_needs_response": 0,
    "warning_under_review": 1,
    "needs_response": 2,
    "under_review": 3,
    "warning_closed": 4,
    "won": 4,
    "lost": 4,
}
SESSION_RANK = {"open": 0, "complete": 1, "expired": 2}
SESSION_PAYMENT_RANK = {"unpaid": 0, "no_payment_required": 1, "paid": 2}
REFUNDED_STATES = {"pending", "requires_action", "succeeded", "failed", "canceled"}
REVERSED_REFUND_STATES = {"failed", "canceled"}
WITHDRAWN_DISPUTE_STATES = {"needs_response", "under_review", "won", "lost"}


def _pick(obj: Obj, *names: str) -> Obj:
    return {name: obj.get(name) for name in names}


def _id(value: object) -> str | None:
    """An expandable field: either an id string or an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def payment_intent_update(pi: Obj, created: int) -> SourceUpdate:
    state = _pick(
        pi,
        "status",
        "amount",
        "amount_capturable",
        "amount_received",
        "currency",
        "metadata",
        "receipt_email",
        "application_fee_amount",
        "created",
        "capture_method",
        "cancellation_reason",
    )
    state["latest_charge"] = _id(pi.get("latest_charge"))
    error = pi.get("last_payment_error") or {}
    state["last_payment_error"] = _pick(error, "code", "decline_code", "message") if error else None
    rank = PAYMENT_INTENT_RANK.get(str(pi.get("status")), 0)
    key = (created, rank, int(pi.get("amount_received") or 0))
    return SourceUpdate("payment_intent", str(pi["id"]), key, state)


def checkout_session_update(session: Obj, created: int) -> SourceUpdate:
    state = _pick(
        session,
        "status",
        "payment_status",
        "amount_total",
        "currency",
        "client_reference_id",
        "metadata",
        "created",
        "mode",
    )
    details = session.get("customer_details") or {}
    state["customer_email"] = details.get("email") or session.get("customer_email")
    state["payment_intent"] = _id(session.get("payment_intent"))
    key = (
        created,
        SESSION_RANK.get(str(session.get("status")), 0),
        SESSION_PAYMENT_RANK.get(str(session.get("payment_status")), 0),
    )
    return SourceUpdate("checkout_session", str(session["id"]), key, state)


def charge_update(charge: Obj, created: int) -> SourceUpdate:
    state = _pick(
        charge,
        "status",
        "amount",
        "amount_captured",
        "amount_refunded",
        "captured",
        "refunded",
        "disputed",
        "currency",
        "application_fee_amount",
        "failure_code",
        "created",
    )
    state["payment_intent"] = _id(charge.get("payment_intent"))
    key = (
        created,
        CHARGE_RANK.get(str(charge.get("status")), 0),
        int(bool(charge.get("captured"))),
        int(charge.get("amount_refunded") or 0),
        int(bool(charge.get("disputed"))),
    )
    return SourceUpdate("charges", str(charge["id"]), key, state)


def refund_update(refund: Obj, created: int) -> SourceUpdate:
    state = _pick(
        refund, "status", "amount", "currency", "reason", "created", "failure_reason", "metadata"
    )
    state["charge"] = _id(refund.get("charge"))
    state["payment_intent"] = _id(refund.get("payment_intent"))
    key = (created, REFUND_RANK.get(str(refund.get("status")), 0))
    return SourceUpdate("refunds", str(refund["id"]), key, state)


def dispute_update(dispute: Obj, created: int) -> SourceUpdate:
    state = _pick(
        dispute, "status", "amount", "currency", "reason", "created", "is_charge_refundable"
    )
    state["charge"] = _id(dispute.get("charge"))
    state["payment_intent"] = _id(dispute.get("payment_intent"))
    state["due_by"] = (dispute.get("evidence_details") or {}).get("due_by")
    key = (created, DISPUTE_RANK.get(str(dispute.get("status")), 0))
    return SourceUpdate("disputes", str(dispute["id"]), key, state)


def facts_of(update: SourceUpdate) -> list[Fact]:
    """The financial facts this state of an object proves (never depends on other objects)."""
    state, currency = update.state, str(update.state.get("currency") or "")
    if update.kind == "charges":
        return _charge_facts(update.id, state, currency)
    if update.kind == "payment_intent":
        charge_id = state.get("latest_charge")
        if not charge_id or state.get("status") not in {"requires_capture", "succeeded"}:
            return []
        captured = state["amount_received"] if state.get("status") == "succeeded" else 0
        return _charge_facts(
            charge_id,
            {
                "status": "succeeded",
                "amount": state.get("amount"),
                "captured": bool(captured),
                "amount_captured": captured,
                "application_fee_amount": state.get("application_fee_amount"),
            },
            currency,
        )
    if update.kind == "refunds" and state.get("status") in REFUNDED_STATES:
        facts = [Fact("refund", update.id, int(state["amount"]), currency)]
        if state.get("status") in REVERSED_REFUND_STATES:
            facts.append(Fact("refund_reversal", update.id, int(state["amount"]), currency))
        return facts
    if update.kind == "disputes" and state.get("status") in WITHDRAWN_DISPUTE_STATES:
        facts = [Fact("dispute", update.id, int(state["amount"]), currency)]
        if state.get("status") == "won":
            facts.append(Fact("dispute_reversal", update.id, int(state["amount"]), currency))
        return facts
    return []


def _charge_facts(charge_id: str, state: Obj, currency: str) -> list[Fact]:
    if state.get("status") != "succeeded":
        return []
    facts = [Fact("charge", charge_id, int(state.get("amount") or 0), currency)]
    if state.get("captured") and state.get("amount_captured"):
        facts.append(Fact("capture", charge_id, int(state["amount_captured"]), currency))
    fee = state.get("application_fee_amount")
    if fee and state.get("captured"):
        facts.append(Fact("application_fee", charge_id, int(fee), currency))
    return facts
