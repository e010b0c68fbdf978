"""charge.dispute.*: a dispute withdraws funds; winning it reinstates them."""

from __future__ import annotations

from payments.events.handlers._common import money, payment_id_of, summary
from payments.events.model import Fact, PaymentChange, StripeEvent
from payments.events.objects import dispute_update


def _dispute_change(event: StripeEvent, text: str, *facts: Fact) -> PaymentChange:
    dispute = event.object
    return PaymentChange(
        payment_id=payment_id_of(dispute),
        summary=summary(event, f"{text} ({money(dispute)}, {dispute.get('status')})"),
        sources=(dispute_update(dispute, event.created, event.previous_attributes),),
        facts=facts,
    )


def _fact(event: StripeEvent, fact_type: str) -> Fact:
    dispute = event.object
    return Fact(fact_type, str(dispute["id"]), int(dispute["amount"]), str(dispute["currency"]))


def on_charge_dispute_created(event: StripeEvent) -> PaymentChange:
    return _dispute_change(event, f"dispute opened: {event.object.get('reason')}")


def on_charge_dispute_updated(event: StripeEvent) -> PaymentChange:
    return _dispute_change(event, "dispute updated")


def on_charge_dispute_closed(event: StripeEvent) -> PaymentChange:
    return _dispute_change(event, "dispute closed")


def on_charge_dispute_funds_withdrawn(event: StripeEvent) -> PaymentChange:
    return _dispute_change(event, "dispute funds withdrawn", _fact(event, "dispute"))


def on_charge_dispute_funds_reinstated(event: StripeEvent) -> PaymentChange:
    return _dispute_change(
        event, "dispute funds reinstated", _fact(event, "dispute"), _fact(event, "dispute_reversal")
    )
