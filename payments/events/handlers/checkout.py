"""checkout.session.*: the session carries the customer and the merchant's reference."""

from __future__ import annotations

from payments.events.handlers._common import money, ref, summary
from payments.events.model import PaymentChange, StripeEvent
from payments.events.objects import checkout_session_update


def _session_change(event: StripeEvent, text: str) -> PaymentChange:
    session = event.object
    intent_id = ref(session.get("payment_intent"))
    return PaymentChange(
        payment_id=intent_id or str(session["id"]),
        summary=summary(event, f"{text} ({money(session, 'amount_total')})"),
        sources=(checkout_session_update(session, event.created, event.previous_attributes),),
        provisional_id=str(session["id"]) if intent_id else None,
    )


def on_checkout_session_completed(event: StripeEvent) -> PaymentChange:
    return _session_change(
        event, f"checkout completed, payment {event.object.get('payment_status')}"
    )


def on_checkout_session_async_payment_succeeded(event: StripeEvent) -> PaymentChange:
    return _session_change(event, "delayed payment succeeded")


def on_checkout_session_async_payment_failed(event: StripeEvent) -> PaymentChange:
    return _session_change(event, "delayed payment failed")


def on_checkout_session_expired(event: StripeEvent) -> PaymentChange:
    return _session_change(event, "checkout expired")
