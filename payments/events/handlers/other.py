"""Events that flag a payment or only go on record."""

from __future__ import annotations

from payments.events.handlers._common import payment_id_of, summary
from payments.events.model import NoChange, PaymentChange, StripeEvent


def on_radar_early_fraud_warning_created(event: StripeEvent) -> PaymentChange:
    warning = event.object
    return PaymentChange(
        payment_id=payment_id_of(warning),
        summary=summary(event, f"early fraud warning: {warning.get('fraud_type')}"),
        flags=("early_fraud_warning",),
    )


def on_payment_method_attached(event: StripeEvent) -> NoChange:
    return NoChange(summary(event, f"payment method {event.object.get('type')} attached"))


def on_payment_method_detached(event: StripeEvent) -> NoChange:
    return NoChange(summary(event, f"payment method {event.object.get('type')} detached"))
