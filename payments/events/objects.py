"""What the ledger keeps of each Stripe object, how its states are ordered, and which
financial facts a state proves. Pure functions of one object: no I/O, no clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from payments.events import machines
from payments.events.model import Fact, SourceUpdate

__all__ = [
    "UPDATES",
    "charge_update",
    "checkout_session_update",
    "dispute_update",
    "facts_of",
    "payment_intent_update",
    "refund_update",
    "resync_update",
]

Obj = dict[str, Any]

REFUNDED_STATES = {"pending", "requires_action", "succeeded", "failed", "canceled"}
REVERSED_REFUND_STATES = {"failed", "canceled"}
WITHDRAWN_DISPUTE_STATES = {"needs_response", "under_review", "won", "lost"}
ID_FIELDS = {"latest_charge", "payment_intent", "charge"}


def _pick(obj: Obj, *names: str) -> Obj:
    return {name: obj.get(name) for name in names}


def _id(value: object) -> str | None:
    """An expandable field: either an id string or an expanded object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _update(
    kind: str, object_id: str, state: Obj, created: int, previous: Obj | None
) -> SourceUpdate:
    """The update, with `previous` cut to the fields the state keeps (ids as ids)."""
    kept = None
    if previous:
        kept = {
            name: _id(value) if name in ID_FIELDS and isinstance(value, dict) else value
            for name, value in previous.items()
            if name in state
        } or None
    key = (created, *machines.rank(kind, state))
    return SourceUpdate(kind, object_id, key, state, previous=kept)


def payment_intent_update(pi: Obj, created: int, previous: Obj | None = None) -> SourceUpdate:
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
    state["client_reference_id"] = (pi.get("metadata") or {}).get("client_reference_id")
    error = pi.get("last_payment_error") or {}
    state["last_payment_error"] = (
        {
            **_pick(error, "type", "code", "decline_code", "message"),
            "charge": _id(error.get("charge")),
        }
        if error
        else None
    )
    return _update("payment_intent", str(pi["id"]), state, created, previous)


def checkout_session_update(
    session: Obj, created: int, previous: Obj | None = None
) -> SourceUpdate:
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
    return _update("checkout_session", str(session["id"]), state, created, previous)


def charge_update(charge: Obj, created: int, previous: Obj | None = None) -> SourceUpdate:
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
    return _update("charges", str(charge["id"]), state, created, previous)


def refund_update(refund: Obj, created: int, previous: Obj | None = None) -> SourceUpdate:
    state = _pick(
        refund, "status", "amount", "currency", "reason", "created", "failure_reason", "metadata"
    )
    state["charge"] = _id(refund.get("charge"))
    state["payment_intent"] = _id(refund.get("payment_intent"))
    return _update("refunds", str(refund["id"]), state, created, previous)


def dispute_update(dispute: Obj, created: int, previous: Obj | None = None) -> SourceUpdate:
    state = _pick(
        dispute, "status", "amount", "currency", "reason", "created", "is_charge_refundable"
    )
    state["charge"] = _id(dispute.get("charge"))
    state["payment_intent"] = _id(dispute.get("payment_intent"))
    state["due_by"] = (dispute.get("evidence_details") or {}).get("due_by")
    return _update("disputes", str(dispute["id"]), state, created, previous)


UPDATES: dict[str, Callable[[Obj, int], SourceUpdate]] = {
    "payment_intent": payment_intent_update,
    "checkout_session": checkout_session_update,
    "charges": charge_update,
    "refunds": refund_update,
    "disputes": dispute_update,
}


def resync_update(kind: str, obj: Obj, second: int, *, observed: str) -> SourceUpdate:
    """The object as Stripe held it when read at `second`, to settle the state `observed`."""
    return replace(UPDATES[kind](obj, second), observed=observed)


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
