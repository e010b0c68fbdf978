"""payment_intent.*: the intent's state is the payment's backbone."""

from __future__ import annotations

from payments.events.handlers._common import money, summary
from payments.events.model import PaymentChange, StripeEvent
from payments.events.objects import payment_intent_update


def _intent_change(event: StripeEvent, text: str) -> PaymentChange:
    intent = event.object
    return PaymentChange(
        payment_id=str(intent["id"]),
        summary=summary(event, f"{text} ({money(intent)})"),
        sources=(payment_intent_update(intent, event.created, event.previous_attributes),),
        checkout_ref=(intent.get("metadata") or {}).get("checkout_ref"),
    )


def on_payment_intent_created(event: StripeEvent) -> PaymentChange:
    return _intent_change(event, "payment created")


def on_payment_intent_processing(event: StripeEvent) -> PaymentChange:
    return _intent_change(event, "payment processing")


def on_payment_intent_requires_action(event: StripeEvent) -> PaymentChange:
    return _intent_change(event, "customer action required")


def on_payment_intent_amount_capturable_updated(event: StripeEvent) -> PaymentChange:
    capturable = event.object.get("amount_capturable")
    return _intent_change(event, f"authorized, {capturable} capturable")


def on_payment_intent_succeeded(event: StripeEvent) -> PaymentChange:
    return _intent_change(event, "payment succeeded")


def on_payment_intent_payment_failed(event: StripeEvent) -> PaymentChange:
    error = event.object.get("last_payment_error") or {}
    reason = error.get("decline_code") or error.get("code") or "unknown reason"
    return _intent_change(event, f"payment failed: {reason}")


def on_payment_intent_canceled(event: StripeEvent) -> PaymentChange:
    reason = event.object.get("cancellation_reason") or "no reason given"
    return _intent_change(event, f"payment canceled: {reason}")
