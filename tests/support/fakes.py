"""A fake of the Stripe gateway port that records its calls (the document store's fake is
`ledger.memory.MemoryStore`), and a helper that adds a payment to a store."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from core.errors import AppError, NotFound
from ledger.memory import MemoryStore
from payments.stripe_gateway import AbstractStripeGateway, Obj

_ids = itertools.count(1)


class FakeStripeGateway(AbstractStripeGateway):
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.fail_with: AppError | None = None
        self.account: Obj = {"id": "acct_fake", "charges_enabled": False}
        self.objects: dict[str, Obj] = {}  # what `retrieve_object` answers, by id

    def _record(self, name: str, *args: Any, **kwargs: Any) -> None:
        self.calls.append((name, args, kwargs))
        if self.fail_with is not None:
            raise self.fail_with

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    def create_account(self, params: Obj, *, idempotency_key: str | None) -> Obj:
        self._record("create_account", params, idempotency_key=idempotency_key)
        return dict(self.account)

    def retrieve_account(self, account: str) -> Obj:
        self._record("retrieve_account", account)
        return dict(self.account)

    def create_account_link(self, account: str, *, refresh_url: str, return_url: str) -> Obj:
        self._record("create_account_link", account, refresh_url=refresh_url, return_url=return_url)
        return {"url": "https://stripe.test/onboarding", "expires_at": 1}

    def create_login_link(self, account: str) -> Obj:
        self._record("create_login_link", account)
        return {"url": "https://stripe.test/express"}

    def create_checkout_session(
        self, account: str, params: Obj, *, idempotency_key: str | None
    ) -> Obj:
        self._record("create_checkout_session", account, params, idempotency_key=idempotency_key)
        total = sum(
            item["price_data"]["unit_amount"] * item["quantity"] for item in params["line_items"]
        )
        return {
            "id": f"cs_test_{next(_ids)}",
            "object": "checkout.session",
            "url": "https://stripe.test/pay",
            "status": "open",
            "payment_status": "unpaid",
            "amount_total": total,
            "currency": params["line_items"][0]["price_data"]["currency"],
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "metadata": params["metadata"],
            "created": 1_700_000_000,
            "mode": "payment",
            "payment_intent": None,
        }

    def capture_payment_intent(
        self, account: str, intent: str, *, amount: int | None, idempotency_key: str | None
    ) -> Obj:
        self._record("capture", account, intent, amount=amount, idempotency_key=idempotency_key)
        return {"id": intent, "status": "succeeded"}

    def cancel_payment_intent(
        self, account: str, intent: str, *, reason: str | None, idempotency_key: str | None
    ) -> Obj:
        self._record("cancel", account, intent, reason=reason, idempotency_key=idempotency_key)
        return {"id": intent, "status": "canceled"}

    def retrieve_object(self, account: str, kind: str, object_id: str) -> Obj:
        self._record("retrieve_object", account, kind, object_id)
        if object_id not in self.objects:
            raise NotFound(f"No such {kind}: {object_id}", code="stripe_resource_missing")
        return copy.deepcopy(self.objects[object_id])

    def create_refund(self, account: str, params: Obj, *, idempotency_key: str | None) -> Obj:
        self._record("create_refund", account, params, idempotency_key=idempotency_key)
        return {
            "id": f"re_{next(_ids)}",
            "status": "succeeded",
            "amount": params["amount"],
            "currency": "usd",
            "charge": "ch_1",
            "reason": params.get("reason"),
            "created": 1_700_000_100,
        }


DECLINED = {
    "code": "card_declined",
    "decline_code": "generic_decline",
    "message": "Your card was declined.",
    "charge_id": "ch_declined",
}
BANK_CLOSED = {
    "code": "account_closed",
    "decline_code": None,
    "message": "The customer's bank account is closed.",
    "charge_id": "py_closed",
}


def add_payment(
    store: MemoryStore, payment_id: str, *, tenant_id: str = "t_1", **fields: Any
) -> None:
    """A payment snapshot as the reducer writes it: succeeded, $60.00, unless `fields` say."""
    store.docs[("payments", payment_id)] = {
        "payment_id": payment_id,
        "tenant_id": tenant_id,
        "merchant_account_id": "acct_1",
        "payment_intent_id": payment_id,
        "status": "succeeded",
        "payment_intent_status": "succeeded",
        "failure": None,
        "amount": 6000,
        "amount_captured": 6000,
        "amount_refunded": 0,
        "amount_capturable": 0,
        "currency": "usd",
        "created": 100,
        "ledger": {},
        "sources": {},
        **fields,
    }


def add_failed_payment(
    store: MemoryStore, payment_id: str, failure: dict[str, Any], **fields: Any
) -> None:
    add_payment(
        store,
        payment_id,
        status="failed",
        payment_intent_status="requires_payment_method",
        failure=failure,
        amount_captured=0,
        **fields,
    )
