"""The payment snapshot: a pure reducer from (document, change) to the next document.

A payment document keeps, per Stripe object, the newest state seen and its order key
(`sources`), and every financial fact proven so far (`ledger`). Merging keeps the greater key
per object and the union of facts, so it is commutative, associative and idempotent: every
delivery order of the same events ends in the same document. The top-level fields are derived
from `sources` and `ledger` alone, each with the Stripe `created` time it came from
(`provenance`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from core.errors import EventNotReady
from payments.events import machines, objects
from payments.events.machines import Order, Seen
from payments.events.model import Fact, PaymentChange, SourceUpdate, StripeEvent

__all__ = ["PaymentOutcome", "apply_change", "merge_documents"]

Doc = dict[str, Any]
SOURCE_KINDS = ("payment_intent", "checkout_session", "charges", "refunds", "disputes")
STATUS_PRECEDENCE = {
    status: rank
    for rank, status in enumerate(
        [
            "requires_payment_method",
            "requires_confirmation",
            "requires_action",
            "processing",
            "requires_capture",
            "canceled",
            "succeeded",
        ]
    )
}


@dataclass
class PaymentOutcome:
    document: Doc
    applied: bool  # did the event change any object state or prove a new fact?
    facts: dict[str, Doc] = field(default_factory=dict)  # transactions to (re)write, by id


def empty_document(payment_id: str, tenant_id: str | None, account: str | None) -> Doc:
    return {
        "payment_id": payment_id,
        "tenant_id": tenant_id,
        "merchant_account_id": account,
        "sources": {kind: {} for kind in SOURCE_KINDS},
        "ledger": {},
        "flags": [],
        "updated": 0,
    }


def apply_change(
    document: Doc | None, change: PaymentChange, event: StripeEvent, *, tenant_id: str | None
) -> PaymentOutcome:
    doc = (
        copy.deepcopy(document)
        if document
        else empty_document(change.payment_id, tenant_id, event.account)
    )
    applied = False
    for update in change.sources:
        applied |= _merge_source(doc, update, event.id)
    facts: dict[str, Doc] = {}
    for fact in _facts(change, released=_is_released_authorization(doc)):
        if _record_fact(doc, fact, event):
            facts[fact.id] = doc["ledger"][fact.id]
            applied = True
    for flag in change.flags:
        if flag not in doc["flags"]:
            doc["flags"] = sorted([*doc["flags"], flag])
            applied = True
    doc["updated"] = max(int(doc.get("updated") or 0), event.created)
    doc.update(derive(doc))
    _check_invariants(doc)
    return PaymentOutcome(doc, applied, facts)


def merge_documents(into: Doc, other: Doc) -> Doc:
    """Fold `other` (e.g. a payment recorded under its Checkout Session id) into `into`."""
    doc = copy.deepcopy(into)
    for kind in SOURCE_KINDS:
        for object_id, entry in other.get("sources", {}).get(kind, {}).items():
            update = SourceUpdate(
                kind, object_id, tuple(entry["key"]), entry["state"], entry.get("previous")
            )
            _merge_source(doc, update, entry["event_id"])
    for fact_id, entry in other.get("ledger", {}).items():
        mine = doc["ledger"].get(fact_id)
        if mine is None or (entry["created"], entry["event_id"]) < (
            mine["created"],
            mine["event_id"],
        ):
            doc["ledger"][fact_id] = dict(entry)
    doc["flags"] = sorted(set(doc.get("flags", [])) | set(other.get("flags", [])))
    doc["updated"] = max(int(doc.get("updated") or 0), int(other.get("updated") or 0))
    for name in ("tenant_id", "merchant_account_id"):
        doc[name] = doc.get(name) or other.get(name)
    doc.update(derive(doc))
    return doc


def _facts(change: PaymentChange, *, released: bool) -> list[Fact]:
    facts = list(change.facts)
    for update in change.sources:
        facts.extend(objects.facts_of(update))
    if released:  # refunding a canceled authorization releases it: no money moved
        facts = [f for f in facts if f.type not in {"refund", "refund_reversal"}]
    return facts


def _is_released_authorization(doc: Doc) -> bool:
    intents = doc["sources"].get("payment_intent", {}).values()
    captured = any(f["type"] == "capture" for f in doc["ledger"].values())
    return not captured and any(i["state"].get("status") == "canceled" for i in intents)


def _merge_source(doc: Doc, update: SourceUpdate, event_id: str) -> bool:
    """Keep the newer of the stored and the incoming state of one object (`machines.order`).
    Where nothing orders them, keep the one with the greater (key, event id) and mark the
    entry `unsettled`: a resync reads the object from Stripe and settles it."""
    entries = doc["sources"].setdefault(update.kind, {})
    current = entries.get(update.id)
    incoming: Doc = {"key": list(update.key), "event_id": event_id, "state": update.state}
    if update.previous:
        incoming["previous"] = update.previous
    if current is None:
        entries[update.id] = incoming
        return True
    verdict = _order(update, current)
    if verdict is Order.SAME:
        if update.observed is not None:
            return current.pop("unsettled", None) is not None  # Stripe confirms the pick
        if (tuple(update.key), event_id) < (tuple(current["key"]), current["event_id"]):
            current["event_id"] = event_id  # same state, earlier event: the canonical one
        return False
    if verdict is Order.BEFORE:
        return False
    if verdict is Order.AMBIGUOUS:
        if (tuple(update.key), event_id) > (tuple(current["key"]), current["event_id"]):
            entries[update.id] = current = incoming
        current["unsettled"] = True
        return current is incoming
    settles = (
        update.observed is not None
        or update.key[0] > current["key"][0]
        or machines.is_terminal(update.kind, update.state)
    )
    if current.get("unsettled") and not settles:
        incoming["unsettled"] = True
    entries[update.id] = incoming
    return True


def _order(update: SourceUpdate, current: Doc) -> Order:
    if update.observed is not None and update.observed == current["event_id"]:
        return Order.SAME if update.state == current["state"] else Order.AFTER
    return machines.order(
        update.kind,
        Seen(int(current["key"][0]), current["state"], current.get("previous")),
        Seen(update.key[0], update.state, update.previous),
    )


def _record_fact(doc: Doc, fact: Fact, event: StripeEvent) -> bool:
    """Add the fact, or make the earliest event that proves it its canonical source."""
    current = doc["ledger"].get(fact.id)
    if current is not None and (current["created"], current["event_id"]) <= (
        event.created,
        event.id,
    ):
        return False
    doc["ledger"][fact.id] = {
        "type": fact.type,
        "amount": fact.amount,
        "currency": fact.currency,
        "source_id": fact.source_id,
        "event_id": event.id,
        "created": event.created,
    }
    return True


def derive(doc: Doc) -> Doc:
    """The top-level fields, a function of `sources` and `ledger` only."""
    sources = doc["sources"]
    intent = _newest(sources.get("payment_intent", {}))
    session = _newest(sources.get("checkout_session", {}))
    charge = _newest(sources.get("charges", {}))
    totals = _totals(doc["ledger"])
    status, status_at = _status(doc, totals)
    picked = _first(
        ("amount", (intent, "amount"), (session, "amount_total"), (charge, "amount")),
        ("currency", (intent, "currency"), (session, "currency"), (charge, "currency")),
        ("customer_email", (session, "customer_email"), (intent, "receipt_email")),
        ("client_reference_id", (session, "client_reference_id"), (intent, "client_reference_id")),
        ("latest_charge_id", (intent, "latest_charge")),
        ("created", (intent, "created"), (session, "created"), (charge, "created")),
    )
    if picked["latest_charge_id"][0] is None and charge is not None:
        picked["latest_charge_id"] = (charge[0], charge[1]["key"][0])
    capturable = _capturable(intent, charge, status)
    fields: Doc = {name: value for name, (value, _) in picked.items()}
    fields.update(
        status=status,
        amount=fields["amount"] or 0,
        amount_capturable=capturable,
        amount_captured=totals["capture"],
        amount_refunded=totals["refund"] - totals["refund_reversal"],
        amount_disputed=totals["dispute"] - totals["dispute_reversal"],
        application_fee_amount=totals["application_fee"],
        checkout_session_id=session[0] if session else None,
        payment_intent_id=intent[0] if intent else None,
        metadata={
            **((session[1]["state"].get("metadata") or {}) if session else {}),
            **((intent[1]["state"].get("metadata") or {}) if intent else {}),
        },
        early_fraud_warning="early_fraud_warning" in doc.get("flags", []),
    )
    fields["payment_intent_status"] = intent[1]["state"].get("status") if intent else None
    fields["failure"] = _failure(intent[1]["state"]) if status == "failed" and intent else None
    fields["resync_needed"] = any(
        entry.get("unsettled") for kind in SOURCE_KINDS for entry in sources.get(kind, {}).values()
    )
    fields["provenance"] = {name: at for name, (_, at) in picked.items() if at is not None}
    fields["provenance"]["status"] = status_at
    return fields


def _capturable(intent: Entry | None, charge: Entry | None, status: str) -> int:
    """What is authorized and not captured: the intent's word, or, while only its charge has
    arrived, the uncaptured charge's amount."""
    if status != "requires_capture":
        return 0
    if intent and intent[1]["state"].get("status") == "requires_capture":
        return int(intent[1]["state"].get("amount_capturable") or 0)
    if charge and not charge[1]["state"].get("captured"):
        return int(charge[1]["state"].get("amount") or 0)
    return 0


def _failure(intent: Doc) -> Doc:
    """Why the last attempt failed, from the intent's `last_payment_error`."""
    error = intent.get("last_payment_error") or {}
    return {
        "code": error.get("code"),
        "decline_code": error.get("decline_code"),
        "message": error.get("message"),
        "charge_id": error.get("charge"),
    }


Entry = tuple[str, Doc]


def _newest(entries: dict[str, Doc]) -> Entry | None:
    if not entries:
        return None
    object_id = max(entries, key=lambda i: (tuple(entries[i]["key"]), i))
    return object_id, entries[object_id]


def _first(*specs: tuple[Any, ...]) -> dict[str, tuple[Any, int | None]]:
    """For each field, the first source that has a value, with that source's event time."""
    picked: dict[str, tuple[Any, int | None]] = {}
    for name, *candidates in specs:
        picked[name] = (None, None)
        for entry, attribute in candidates:
            if entry is not None and entry[1]["state"].get(attribute) is not None:
                picked[name] = (entry[1]["state"][attribute], entry[1]["key"][0])
                break
    return picked


def _totals(ledger: Doc) -> dict[str, int]:
    totals = dict.fromkeys(
        (
            "charge",
            "capture",
            "refund",
            "refund_reversal",
            "dispute",
            "dispute_reversal",
            "application_fee",
        ),
        0,
    )
    for fact in ledger.values():
        totals[fact["type"]] += int(fact["amount"])
    return totals


def _status(doc: Doc, totals: dict[str, int]) -> tuple[str, int]:
    """The newest state among the intent and its charges decides; a Checkout Session only
    while neither is known. Open or lost disputes, then refunds, overlay it."""
    sources = doc["sources"]
    candidates = [
        (
            e["key"][0],
            STATUS_PRECEDENCE.get(e["state"].get("status"), 0),
            e["state"]["status"],
        )
        for e in sources.get("payment_intent", {}).values()
    ]
    candidates += [
        (e["key"][0], STATUS_PRECEDENCE[status], status)
        for e in sources.get("charges", {}).values()
        if (status := _charge_status(e["state"])) is not None
    ]
    if not candidates:
        candidates = [
            (e["key"][0], STATUS_PRECEDENCE[status], status)
            for e in sources.get("checkout_session", {}).values()
            if (status := _session_status(e["state"])) is not None
        ]
    created, _, status = max(candidates, default=(0, 0, "requires_payment_method"))
    intent = _newest(sources.get("payment_intent", {}))
    if (
        status == "requires_payment_method"
        and intent
        and intent[1]["state"].get("last_payment_error")
    ):
        status = "failed"  # the last attempt failed; a later one may still succeed
    disputes = sources.get("disputes", {}).values()
    if any(d["state"].get("status") not in {"won", "warning_closed"} for d in disputes):
        return "disputed", max(d["key"][0] for d in disputes)
    refunded = totals["refund"] - totals["refund_reversal"]
    if refunded > 0:
        return ("refunded" if refunded >= totals["capture"] else "partially_refunded"), created
    return status, created


def _charge_status(charge: Doc) -> str | None:
    if charge.get("status") == "succeeded":
        return "succeeded" if charge.get("captured") else "requires_capture"
    if charge.get("status") == "pending":
        return "processing"
    if charge.get("status") == "failed":
        return "requires_payment_method"
    return None


def _session_status(session: Doc) -> str | None:
    if session.get("status") == "expired":
        return "canceled"
    if session.get("status") == "complete":
        return "succeeded" if session.get("payment_status") == "paid" else "processing"
    return "requires_payment_method" if session.get("status") == "open" else None


def _check_invariants(doc: Doc) -> None:
    if doc["amount_refunded"] > doc["amount_captured"]:
        raise EventNotReady("a refund arrived before the capture it refunds")
    if doc["amount"] and doc["amount_captured"] > doc["amount"]:
        raise EventNotReady("the capture exceeds the payment amount")
