"""Disputes: opened by the dispute test card, answered with evidence, won or lost."""

from __future__ import annotations

from ..emulator import Emulator
from ..errors import invalid
from ..shapes import shaped
from ..store import Obj, new_id, now, public
from .charges import add_balance_transaction
from .common import Call, Route, apply_metadata, bool_param, created_filter, str_param

DISPUTE_FEE = 1500
EVIDENCE_FIELDS = (
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
)
OPEN_STATUSES = ("warning_needs_response", "needs_response", "under_review", "warning_under_review")


def open_dispute(
    emu: Emulator, charge: Obj, account: str | None, reason: str = "fraudulent"
) -> Obj:
    """Dispute a captured charge: funds and the dispute fee leave the balance."""
    created = now()
    dispute = shaped(
        "dispute",
        {
            "id": new_id("dp_"),
            "object": "dispute",
            "amount": charge["amount_captured"],
            "balance_transactions": [],
            "charge": charge["id"],
            "created": created,
            "currency": charge["currency"],
            "evidence": dict.fromkeys(EVIDENCE_FIELDS),
            "evidence_details": {
                "due_by": created + 7 * 86400,
                "has_evidence": False,
                "past_due": False,
                "submission_count": 0,
            },
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": charge["payment_intent"],
            "payment_method_details": {
                "type": "card",
                "card": {"brand": "visa", "case_type": "chargeback", "network_reason_code": "10.4"},
            },
            "reason": reason,
            "status": "needs_response",
            "enhanced_eligibility_types": [],
        },
    )
    emu.store.add(dispute, account)
    charge["disputed"] = True
    emu.emit("charge.dispute.created", dispute, account)
    _move_funds(emu, dispute, account, withdraw=True)
    emu.emit("charge.dispute.funds_withdrawn", dispute, account)
    return dispute


def _move_funds(emu: Emulator, dispute: Obj, account: str | None, *, withdraw: bool) -> None:
    """Withdrawal: -amount plus the dispute fee. Reinstatement: +amount, the fee is kept."""
    txn = add_balance_transaction(
        emu,
        source=dispute,
        amount=-dispute["amount"] if withdraw else dispute["amount"],
        fee=DISPUTE_FEE if withdraw else 0,
        kind="adjustment",
        account=account,
        category="dispute" if withdraw else "dispute_reversal",
    )
    action = "withdrawal" if withdraw else "reversal"
    txn["description"] = f"Chargeback {action} for {dispute['charge']}"
    dispute["balance_transactions"].append(public(txn))


def resolve_dispute(emu: Emulator, dispute: Obj, account: str | None, *, won: bool) -> Obj:
    """Close an open dispute as won (funds come back) or lost."""
    _require_open(dispute)
    previous = {"status": dispute["status"]}
    dispute["status"] = "won" if won else "lost"
    if won:
        _move_funds(emu, dispute, account, withdraw=False)
    emu.emit("charge.dispute.closed", dispute, account, previous)
    if won:
        emu.emit("charge.dispute.funds_reinstated", dispute, account)
    return dispute


def _require_open(dispute: Obj) -> None:
    if dispute["status"] not in OPEN_STATUSES:
        raise invalid(f"This dispute is already closed (status {dispute['status']}).")


def retrieve_dispute(call: Call, object_id: str) -> Obj:
    return public(call.get(object_id, "dispute"))


def list_disputes(call: Call) -> Obj:
    charge = str_param(call.params, "charge")
    intent = str_param(call.params, "payment_intent")
    in_range = created_filter(call.params)
    return call.list_of(
        "dispute",
        lambda d: (
            in_range(d)
            and (charge is None or d["charge"] == charge)
            and (intent is None or d["payment_intent"] == intent)
        ),
    )


def update_dispute(call: Call, object_id: str) -> Obj:
    dispute = call.get(object_id, "dispute")
    _require_open(dispute)
    previous: Obj = {}
    evidence = call.params.get("evidence")
    if isinstance(evidence, dict):
        previous["evidence"] = dict(dispute["evidence"])
        dispute["evidence"].update(evidence)
        dispute["evidence_details"]["has_evidence"] = True
    if "metadata" in call.params:
        previous["metadata"] = dispute["metadata"]
        dispute["metadata"] = apply_metadata(dispute["metadata"], call.params["metadata"])
    if bool_param(call.params, "submit", default=True) and isinstance(evidence, dict):
        previous["status"] = dispute["status"]
        dispute["status"] = "under_review"
        dispute["evidence_details"]["submission_count"] += 1
    call.emu.emit("charge.dispute.updated", dispute, call.account, previous)
    return public(dispute)


def close_dispute(call: Call, object_id: str) -> Obj:
    dispute = call.get(object_id, "dispute")
    return public(resolve_dispute(call.emu, dispute, call.account, won=False))


ROUTES = [
    Route("GET", "/v1/disputes", list_disputes, "DisputeListParams"),
    Route("GET", "/v1/disputes/<object_id>", retrieve_dispute, "DisputeRetrieveParams"),
    Route("POST", "/v1/disputes/<object_id>", update_dispute, "DisputeUpdateParams"),
    Route("POST", "/v1/disputes/<object_id>/close", close_dispute, "DisputeCloseParams"),
]
