"""`stripe trigger` for the emulator: run the flow that makes Stripe send an event type.

Each flow drives the same handlers the API uses, so the events it produces are the ones a
real integration would see (a `payment_intent.succeeded` comes with its `charge.succeeded`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .emulator import Emulator
from .errors import StripeApiError, invalid
from .resources import accounts, checkout, customers, payment_flow, payment_intents, refunds
from .resources.common import Call
from .resources.disputes import resolve_dispute
from .resources.payment_methods import BANK_ACCOUNTS, CARDS
from .store import Obj

Flow = Callable[[Emulator, "str | None"], None]


def _call(emu: Emulator, account: str | None, params: dict[str, Any]) -> Call:
    return Call(emu, account, params, "/_emulator/trigger")


def _intent(emu: Emulator, account: str | None, method: str, **extra: Any) -> Obj:
    params = {"amount": "2000", "currency": "usd", "payment_method": method, **extra}
    try:
        return payment_intents.create_intent(_call(emu, account, {**params, "confirm": "true"}))
    except StripeApiError as declined:
        if declined.status != 402:
            raise
        return dict(declined.extra["payment_intent"])  # the decline is what was asked for


def _refund(emu: Emulator, account: str | None) -> None:
    intent = _intent(emu, account, "pm_card_visa")
    refunds.create_refund(_call(emu, account, {"payment_intent": intent["id"]}))


def _refund_fails(emu: Emulator, account: str | None) -> None:
    intent = _intent(emu, account, "pm_card_refundFail")
    refunds.create_refund(_call(emu, account, {"payment_intent": intent["id"]}))


def _capture(emu: Emulator, account: str | None) -> None:
    intent = _intent(emu, account, "pm_card_visa", capture_method="manual")
    payment_intents.capture_intent(_call(emu, account, {}), intent["id"])


def _cancel(emu: Emulator, account: str | None) -> None:
    intent = payment_intents.create_intent(
        _call(emu, account, {"amount": "2000", "currency": "usd"})
    )
    payment_intents.cancel_intent(_call(emu, account, {}), intent["id"])


def _dispute_closed(emu: Emulator, account: str | None) -> None:
    intent = _intent(emu, account, "pm_card_createDispute")
    dispute = emu.store.select("dispute", account, lambda d: d["payment_intent"] == intent["id"])[0]
    resolve_dispute(emu, dispute, account, won=False)


def _session(emu: Emulator, account: str | None, method_type: str = "card") -> Obj:
    params = {
        "mode": "payment",
        "success_url": "https://example.com/success",
        "payment_method_types": [method_type],
        "line_items": [
            {
                "quantity": "1",
                "price_data": {
                    "currency": "usd",
                    "unit_amount": "2000",
                    "product_data": {"name": "T-shirt"},
                },
            }
        ],
    }
    created = checkout.create_session(_call(emu, account, params))
    session: Obj = emu.store.get(created["id"], account, "checkout.session")
    return session


def _session_paid(emu: Emulator, account: str | None) -> None:
    checkout.pay_session(emu, _session(emu, account), account, CARDS["4242424242424242"], None)


def _session_expired(emu: Emulator, account: str | None) -> None:
    checkout.expire_session(_call(emu, account, {}), _session(emu, account)["id"])


def _session_async(succeed: bool) -> Flow:
    def flow(emu: Emulator, account: str | None) -> None:
        session = _session(emu, account, "us_bank_account")
        checkout.pay_session(emu, session, account, BANK_ACCOUNTS["000123456789"], None)
        payment_flow.settle_bank_debit(emu, session["payment_intent"], account, succeed=succeed)

    return flow


def _account_updated(emu: Emulator, account: str | None) -> None:
    created = accounts.create_account(_call(emu, None, {"type": "express"}))
    accounts.complete_onboarding(emu, created["id"])


def _customer(emu: Emulator, account: str | None) -> Obj:
    return customers.create_customer(_call(emu, account, {"email": "jenny@example.com"}))


def _customer_updated(emu: Emulator, account: str | None) -> None:
    customers.update_customer(
        _call(emu, account, {"name": "Jenny Rosen"}), _customer(emu, account)["id"]
    )


def _customer_deleted(emu: Emulator, account: str | None) -> None:
    customers.delete_customer(_call(emu, account, {}), _customer(emu, account)["id"])


BANK = {"payment_method_types": ["us_bank_account"]}


def _paid_with(method: str, **extra: Any) -> Flow:
    def flow(emu: Emulator, account: str | None) -> None:
        _intent(emu, account, method, **extra)

    return flow


def _unconfirmed(emu: Emulator, account: str | None) -> None:
    payment_intents.create_intent(_call(emu, account, {"amount": "2000", "currency": "usd"}))


def _customer_created(emu: Emulator, account: str | None) -> None:
    _customer(emu, account)


FLOWS: dict[str, Flow] = {
    "payment_intent.created": _unconfirmed,
    "payment_intent.succeeded": _paid_with("pm_card_visa"),
    "payment_intent.payment_failed": _paid_with("pm_card_chargeDeclined"),
    "payment_intent.processing": _paid_with("pm_usBankAccount", **BANK),
    "payment_intent.requires_action": _paid_with("pm_card_authenticationRequired"),
    "payment_intent.amount_capturable_updated": _paid_with("pm_card_visa", capture_method="manual"),
    "payment_intent.canceled": _cancel,
    "charge.succeeded": _paid_with("pm_card_visa"),
    "charge.failed": _paid_with("pm_card_chargeDeclined"),
    "charge.pending": _paid_with("pm_usBankAccount", **BANK),
    "charge.captured": _capture,
    "charge.refunded": _refund,
    "refund.created": _refund,
    "refund.updated": _refund_fails,
    "refund.failed": _refund_fails,
    "charge.refund.updated": _refund_fails,
    "charge.dispute.created": _paid_with("pm_card_createDispute"),
    "charge.dispute.funds_withdrawn": _paid_with("pm_card_createDispute"),
    "charge.dispute.closed": _dispute_closed,
    "checkout.session.completed": _session_paid,
    "checkout.session.expired": _session_expired,
    "checkout.session.async_payment_succeeded": _session_async(True),
    "checkout.session.async_payment_failed": _session_async(False),
    "account.updated": _account_updated,
    "customer.created": _customer_created,
    "customer.updated": _customer_updated,
    "customer.deleted": _customer_deleted,
}

OBJECT_KINDS = (
    ("charge.dispute.", "dispute"),
    ("checkout.session.", "checkout.session"),
    ("payment_intent.", "payment_intent"),
    ("charge.", "charge"),
    ("refund.", "refund"),
    ("account.", "account"),
    ("customer.", "customer"),
)


def trigger(emu: Emulator, event_type: str, account: str | None, object_id: str | None) -> None:
    """Run the flow for `event_type`, or send it for an existing object as it is now."""
    if object_id:
        _resend(emu, event_type, object_id)
        return
    flow = FLOWS.get(event_type)
    if flow is None:
        raise invalid(
            f"Unsupported event type for trigger: {event_type}. "
            f"Supported: {', '.join(sorted(FLOWS))}",
            param="type",
        )
    emu.require_account(account)
    flow(emu, account)


def _resend(emu: Emulator, event_type: str, object_id: str) -> None:
    kind = next((k for prefix, k in OBJECT_KINDS if event_type.startswith(prefix)), None)
    obj = emu.store.objects.get(object_id)
    if kind is None or obj is None or obj.get("object") != kind:
        raise invalid(f"{event_type} cannot be sent for {object_id}.", param="object")
    owner = emu.store.owner_of(object_id)
    emu.emit(event_type, obj, object_id if kind == "account" else owner)
