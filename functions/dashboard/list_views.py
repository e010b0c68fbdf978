"""Refunds and disputes of the business, newest first, by status, one cursor page at a time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Request, Response

import bootstrap
from core.errors import ValidationError
from functions.dashboard._session import signed_in
from functions.dashboard._web import page, render
from payments import disputes, refunds

__all__ = ["disputes_page", "refunds_page"]

Lister = Callable[[Any, str, Mapping[str, str]], dict[str, Any]]


@page
def refunds_page(request: Request) -> Response:
    return _list(
        request, "refunds:read", "refunds.html", "Refunds", refunds.list_refunds,
        refunds.REFUND_STATUSES,
    )  # fmt: skip


@page
def disputes_page(request: Request) -> Response:
    return _list(
        request, "disputes:read", "disputes.html", "Disputes", disputes.list_disputes,
        disputes.DISPUTE_STATUSES,
    )  # fmt: skip


def _list(
    request: Request,
    permission: str,
    template: str,
    title: str,
    lister: Lister,
    statuses: tuple[str, ...],
) -> Response:
    shell = signed_in(request, permission)
    status_filter = request.args.get("status", "").strip()
    cursor = request.args.get("cursor", "").strip()
    args = {"limit": "25", **({"status": status_filter} if status_filter else {})}
    listing: dict[str, Any] = {"data": [], "has_more": False, "next_cursor": None}
    error = None
    try:
        listing = lister(bootstrap.store(), shell.principal.tenant_id, {**args, "cursor": cursor})
    except ValidationError as invalid:
        error = invalid
    base = request.path + (f"?status={status_filter}" if status_filter in statuses else "")
    return render(
        request,
        template,
        status=error.status if error else 200,
        shell=shell,
        title=title,
        error=error,
        listing=listing,
        statuses=statuses,
        status_filter=status_filter,
        cursor=cursor,
        first_url=base,
    )
