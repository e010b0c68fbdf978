"""Disputes as the webhooks project them (`disputes/{id}`): list and get, tenant-scoped."""

from __future__ import annotations

from collections.abc import Mapping

from core.errors import NotFound
from ledger.collections import DISPUTES
from ledger.store import AbstractStore, Doc, DocKey
from payments.pagination import list_by_status_and_payment

__all__ = ["DISPUTE_STATUSES", "dispute_view", "get_dispute", "list_disputes"]

DISPUTE_STATUSES = (
    "warning_needs_response",
    "warning_under_review",
    "warning_closed",
    "needs_response",
    "under_review",
    "won",
    "lost",
)
VIEW_FIELDS = ("status", "reason", "amount", "currency", "charge_id", "created", "updated")


def get_dispute(store: AbstractStore, tenant_id: str, dispute_id: str) -> Doc:
    doc = store.get(DocKey(DISPUTES, dispute_id))
    if doc is None or doc.get("tenant_id") != tenant_id:
        raise NotFound(f"No dispute {dispute_id}", code="dispute_not_found", param="id")
    return dispute_view(dispute_id, doc)


def list_disputes(store: AbstractStore, tenant_id: str, args: Mapping[str, str]) -> Doc:
    return list_by_status_and_payment(
        store,
        DISPUTES,
        tenant_id,
        args,
        statuses=DISPUTE_STATUSES,
        tiebreak="dispute_id",
        view=dispute_view,
    )


def dispute_view(dispute_id: str, doc: Doc) -> Doc:
    view: Doc = {"object": "dispute", "id": dispute_id}
    view.update({name: doc.get(name) for name in VIEW_FIELDS})
    view["evidence_due_by"] = doc.get("due_by")
    view["payment_id"] = doc.get("payment_id")
    return view
