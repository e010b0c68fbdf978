"""charge.*: the charge proves the money: charged, captured, refunded."""

from __future__ import annotations

from payments.events.handlers._common import money, payment_id_of, summary
from payments.events.model import PaymentChange, SourceUpdate, StripeEvent
from payments.events.objects import charge_update, refund_update


def _charge_change(event: StripeEvent, text: str) -> PaymentChange:
    charge = event.object
    sources: list[SourceUpdate] = [charge_update(charge, event.created, event.previous_attributes)]
    embedded = charge.get("refunds")  # older API versions embed the refunds list
    if isinstance(embedded, dict):
        sources += [
            refund_update(refund, event.created)
            for refund in embedded.get("data") or []
            if isinstance(refund, dict) and refund.get("id")
        ]
    return PaymentChange(
        payment_id=payment_id_of(charge),
        summary=summary(event, text),
        sources=tuple(sources),
    )


def on_charge_succeeded(event: StripeEvent) -> PaymentChange:
    charge = event.object
    state = "captured" if charge.get("captured") else "authorized"
    return _charge_change(event, f"charge {state} ({money(charge)})")


def on_charge_captured(event: StripeEvent) -> PaymentChange:
    return _charge_change(event, f"charge captured ({money(event.object, 'amount_captured')})")


def on_charge_refunded(event: StripeEvent) -> PaymentChange:
    return _charge_change(
        event, f"charge refunded ({money(event.object, 'amount_refunded')} in all)"
    )
