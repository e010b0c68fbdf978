"""Payments: the list (filters, cursor pages) and one payment with its timeline, transactions
and refunds, and the actions the viewer's role allows (`payment_action_views`)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from flask import Request, Response

import bootstrap
from core.errors import AppError, ValidationError
from functions.dashboard._format import day_bounds
from functions.dashboard._session import Shell, signed_in
from functions.dashboard._web import page, render
from payments import insights, payment_actions, payment_queries, refunds
from payments.commands import REFUND_REASONS

__all__ = ["new_key", "payment_page", "payments_page", "refundable", "render_payment"]

PAGE_SIZE = "25"


@page
def payments_page(request: Request) -> Response:
    shell = signed_in(request, "payments:read")
    filters = {name: request.args.get(name, "").strip() for name in ("status", "from", "to", "q")}
    empty: dict[str, Any] = {"data": [], "has_more": False, "next_cursor": None}
    status, error, listing = 200, None, empty
    try:
        args = _list_args(filters, cursor=request.args.get("cursor", ""))
        listing = payment_queries.list_payments(bootstrap.store(), shell.principal.tenant_id, args)
    except ValidationError as invalid:
        status, error = invalid.status, invalid
    query = urlencode({name: value for name, value in filters.items() if value})
    return render(
        request,
        "payments.html",
        status=status,
        shell=shell,
        title="Payments",
        error=error,
        filters=filters,
        statuses=payment_queries.STATUSES,
        listing=listing,
        cursor=request.args.get("cursor", ""),
        first_url="/dashboard/payments" + (f"?{query}" if query else ""),
    )


@page
def payment_page(request: Request, payment_id: str) -> Response:
    shell = signed_in(request, "payments:read")
    return render_payment(request, shell, payment_id)


def render_payment(
    request: Request,
    shell: Shell,
    payment_id: str,
    *,
    error: AppError | None = None,
    refund_form: dict[str, str] | None = None,
) -> Response:
    tenant_id, store = shell.principal.tenant_id, bootstrap.store()
    doc_id, doc = payment_queries.load_payment(store, tenant_id, payment_id)
    payment = payment_queries.payment_view(doc_id, doc)
    timeline = payment_queries.payment_timeline(store, tenant_id, payment["id"])["data"]
    listed = refunds.list_refunds(store, tenant_id, {"payment_id": payment["id"], "limit": "100"})
    amount_left = refundable(payment)
    may_refund = shell.can("refunds:create") and amount_left > 0
    disputed = refunds.blocking_dispute(doc) is not None  # Stripe would refuse the refund
    actions = {
        "capture": shell.can("payments:capture") and payment["status"] == "requires_capture",
        "cancel": shell.can("payments:cancel") and payment["status"] in payment_actions.CANCELABLE,
        "refund": may_refund and not disputed,
    }
    return render(
        request,
        "payment.html",
        status=error.status if error is not None else 200,
        shell=shell,
        title=f"Payment {payment['id']}",
        error=error,
        payment=payment,
        timeline=list(reversed(timeline)),
        transactions=insights.payment_transactions(store, tenant_id, payment["id"]),
        refunds=listed["data"],
        refundable=amount_left,
        actions=actions,
        refund_refused=refunds.DISPUTED_MESSAGE if may_refund and disputed else None,
        reasons=REFUND_REASONS,
        refund_form=refund_form or {"amount": "", "reason": ""},
        key=new_key(),
    )


def refundable(payment: dict[str, Any]) -> int:
    """What the page offers to refund; the refund service decides (pending refunds included)."""
    if not payment.get("payment_intent_id"):
        return 0
    return max(
        int(payment.get("amount_captured") or 0) - int(payment.get("amount_refunded") or 0), 0
    )


def _list_args(filters: dict[str, str], *, cursor: str) -> dict[str, str]:
    """The dashboard's filter fields as the list service's arguments."""
    args = {"limit": PAGE_SIZE}
    if filters["status"]:
        args["status"] = filters["status"]
    search = filters["q"]
    if search:
        args["customer_email" if "@" in search else "client_reference_id"] = search
    for name, end, target in (("from", False, "created_gte"), ("to", True, "created_lte")):
        bound = day_bounds(filters[name], end=end, param=name)
        if bound is not None:
            args[target] = str(bound)
    if cursor:
        args["cursor"] = cursor
    return args


def new_key() -> str:
    return f"dashboard-{uuid.uuid4().hex}"
