"""One handler per Stripe event type, and EVENT_HANDLERS, the dispatch table.

A handler is a pure function of the event: it says which object states the event shows and
which facts it proves (`PaymentChange`), what it tells about a connected account
(`TenantChange`), or that it only goes on record (`NoChange`). Applying that to the ledger is
the snapshot reducer's job, not the handler's.
"""

from __future__ import annotations

from collections.abc import Callable

from payments.events.handlers import (
    accounts,
    charges,
    checkout,
    disputes,
    other,
    payment_intents,
    refunds,
)
from payments.events.model import NoChange, PaymentChange, StripeEvent, TenantChange

__all__ = ["EVENT_HANDLERS", "EventHandler"]

Change = PaymentChange | TenantChange | NoChange
EventHandler = Callable[[StripeEvent], Change]

# fmt: off
EVENT_HANDLERS: dict[str, EventHandler] = {
    "checkout.session.completed": checkout.on_checkout_session_completed,
    "checkout.session.async_payment_succeeded":
        checkout.on_checkout_session_async_payment_succeeded,
    "checkout.session.async_payment_failed": checkout.on_checkout_session_async_payment_failed,
    "checkout.session.expired": checkout.on_checkout_session_expired,
    "payment_intent.created": payment_intents.on_payment_intent_created,
    "payment_intent.processing": payment_intents.on_payment_intent_processing,
    "payment_intent.requires_action": payment_intents.on_payment_intent_requires_action,
    "payment_intent.amount_capturable_updated":
        payment_intents.on_payment_intent_amount_capturable_updated,
    "payment_intent.succeeded": payment_intents.on_payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intents.on_payment_intent_payment_failed,
    "payment_intent.canceled": payment_intents.on_payment_intent_canceled,
    "charge.succeeded": charges.on_charge_succeeded,
    "charge.captured": charges.on_charge_captured,
    "charge.refunded": charges.on_charge_refunded,
    "charge.refund.updated": refunds.on_charge_refund_updated,
    "refund.created": refunds.on_refund_created,
    "refund.updated": refunds.on_refund_updated,
    "refund.failed": refunds.on_refund_failed,
    "charge.dispute.created": disputes.on_charge_dispute_created,
    "charge.dispute.updated": disputes.on_charge_dispute_updated,
    "charge.dispute.closed": disputes.on_charge_dispute_closed,
    "charge.dispute.funds_withdrawn": disputes.on_charge_dispute_funds_withdrawn,
    "charge.dispute.funds_reinstated": disputes.on_charge_dispute_funds_reinstated,
    "account.updated": accounts.on_account_updated,
    "account.application.deauthorized": accounts.on_account_application_deauthorized,
    "radar.early_fraud_warning.created": other.on_radar_early_fraud_warning_created,
    "payment_method.attached": other.on_payment_method_attached,
    "payment_method.detached": other.on_payment_method_detached,
}
# fmt: on
