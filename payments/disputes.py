"""Disputes as the webhooks project them (`disputes/{id}`): list and get, tenant-scoped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ledger.collections import DISPUTES
from ledger.store import AbstractStore, Doc, DocKey
from payments.errors import NotFound, ValidationError
from payments.pagination import fetch_page, limit_arg

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
    doc = store.get(DocKey(DISPUTES, dispute_id)) if "/" not in dispute_id else None
    if doc is None or doc.get("tenant_id") != tenant_id:
        raise NotFound(f"No dispute {dispute_id}", code="dispute_not_found", param="id")
    return dispute_view(dispute_id, doc)


def list_disputes(store: AbstractStore, tenant_id: str, args: Mapping[str, str]) -> Doc:
    where: list[tuple[str, str, Any]] = [("tenant_id", "==", tenant_id)]
    status = args.get("status") or None
    if status is not None and status not in DISPUTE_STATUSES:
        raise ValidationError(
            f"status must be one of {', '.join(DISPUTE_STATUSES)}", param="status"
        )
    if status is not None:
        where.append(("status", "==", status))
    if args.get("payment_id"):
        where.append(("payment_id", "==", args["payment_id"]))
    page = fetch_page(
        store,
        DISPUTES,
        where=tuple(where),
        tiebreak="dispute_id",
        limit=limit_arg(args),
        cursor=args.get("cursor") or None,
    )
    return {
        "object": "list",
        "data": [dispute_view(dispute_id, doc) for dispute_id, doc in page.rows],
        "has_more": page.has_more,
        "next_cursor": page.next_cursor,
    }


def dispute_view(dispute_id: str, doc: Doc) -> Doc:
    view: Doc = {"object": "dispute", "id": dispute_id}
    view.update({name: doc.get(name) for name in VIEW_FIELDS})
    view["evidence_due_by"] = doc.get("due_by")
    view["payment_id"] = doc.get("payment_id")
    return view
