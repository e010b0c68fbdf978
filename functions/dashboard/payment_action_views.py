"""Acting on a payment: capture, cancel, refund (full or partial). Each form carries an
idempotency key made when its page was drawn, forwarded to Stripe, so a double submit acts once;
a refund is confirmed on a second page that shows the amount as understood. A disputed
payment's refund is refused at either step (`refunds.refuse_if_disputed`), as Stripe would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Request, Response

import bootstrap
from core.errors import Conflict, Forbidden, Unprocessable, UpstreamError, ValidationError
from functions.dashboard._format import parse_amount
from functions.dashboard._session import Shell, signed_in
from functions.dashboard._web import page, redirect, render
from functions.dashboard.payment_views import new_key, refundable, render_payment
from payments import idempotency, payment_queries, refunds
from payments.commands import CancelPayment, CapturePayment, CreateRefund

__all__ = ["cancel", "capture", "refund"]

ACTION_ERRORS = (ValidationError, Conflict, Unprocessable, UpstreamError, Forbidden)
Action = Callable[[Shell, dict[str, Any], dict[str, str], str], None]


@page
def capture(request: Request, payment_id: str) -> Response:
    shell = signed_in(request, "payments:capture")
    return _act(request, shell, payment_id, "capture_requested", _capture)


@page
def cancel(request: Request, payment_id: str) -> Response:
    shell = signed_in(request, "payments:cancel")
    return _act(request, shell, payment_id, "cancel_requested", _cancel)


@page
def refund(request: Request, payment_id: str) -> Response:
    """First post: the refund to confirm (amount parsed and shown); with `confirm=yes`: do it."""
    shell = signed_in(request, "refunds:create")
    tenant_id, store = shell.principal.tenant_id, bootstrap.store()
    doc_id, doc = payment_queries.load_payment(store, tenant_id, payment_id)
    payment = payment_queries.payment_view(doc_id, doc)
    form = request.form
    try:
        refunds.refuse_if_disputed(doc)
        raw = form.get("amount", "").strip()
        amount = parse_amount(raw, payment["currency"] or "usd") if raw else None
        body = {"payment_id": payment["id"], "amount": amount, "reason": form.get("reason") or None}
        command = CreateRefund.from_body(body, tenant_id=tenant_id)
        key = idempotency.validate_key(form.get("idempotency_key") or new_key())
        if form.get("confirm") != "yes":
            return render(
                request,
                "refund_confirm.html",
                shell=shell,
                title="Confirm refund",
                payment=payment,
                amount=amount if amount is not None else refundable(payment),
                full=amount is None,
                form={"amount": raw, "reason": form.get("reason", ""), "key": key},
            )
        bootstrap.handle(command, idempotency_key=key)
    except ACTION_ERRORS as error:
        return render_payment(request, shell, payment_id, error=error, refund_form=dict(form))
    return redirect(f"/dashboard/payments/{payment['id']}", notice="refund_requested")


def _capture(shell: Shell, payment: dict[str, Any], form: dict[str, str], key: str) -> None:
    command = CapturePayment.from_body(
        {}, tenant_id=shell.principal.tenant_id, payment_id=payment["id"]
    )
    bootstrap.handle(command, idempotency_key=key)


def _cancel(shell: Shell, payment: dict[str, Any], form: dict[str, str], key: str) -> None:
    body = {"reason": form.get("reason") or None}
    command = CancelPayment.from_body(
        body, tenant_id=shell.principal.tenant_id, payment_id=payment["id"]
    )
    bootstrap.handle(command, idempotency_key=key)


def _act(request: Request, shell: Shell, payment_id: str, notice: str, action: Action) -> Response:
    payment = payment_queries.get_payment(bootstrap.store(), shell.principal.tenant_id, payment_id)
    form = dict(request.form)
    try:
        key = idempotency.validate_key(form.get("idempotency_key") or new_key())
        action(shell, payment, form, key)
    except ACTION_ERRORS as error:
        return render_payment(request, shell, payment_id, error=error)
    return redirect(f"/dashboard/payments/{payment['id']}", notice=notice)
