"""refund.* and charge.refund.updated: each refund's own state."""

from __future__ import annotations

from payments.events.handlers._common import money, payment_id_of, summary
from payments.events.model import PaymentChange, StripeEvent
from payments.events.objects import refund_update


def _refund_change(event: StripeEvent, text: str) -> PaymentChange:
    refund = event.object
    return PaymentChange(
        payment_id=payment_id_of(refund),
        summary=summary(event, f"{text} ({money(refund)}, {refund.get('status')})"),
        sources=(refund_update(refund, event.created, event.previous_attributes),),
    )


def on_refund_created(event: StripeEvent) -> PaymentChange:
    return _refund_change(event, "refund created")


def on_refund_updated(event: StripeEvent) -> PaymentChange:
    return _refund_change(event, "refund updated")


def on_refund_failed(event: StripeEvent) -> PaymentChange:
    reason = event.object.get("failure_reason") or "unknown reason"
    return _refund_change(event, f"refund failed: {reason}")


def on_charge_refund_updated(event: StripeEvent) -> PaymentChange:
    return _refund_change(event, "refund updated")
