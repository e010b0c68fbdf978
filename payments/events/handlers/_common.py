"""Small pieces the handlers share: which payment an object belongs to, and summaries."""

from __future__ import annotations

from typing import Any

from payments.events.model import StripeEvent

Obj = dict[str, Any]


def ref(value: object) -> str | None:
    """An expandable Stripe field: an id, or an expanded object with an id."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def payment_id_of(obj: Obj) -> str:
    """A payment is keyed by its PaymentIntent; a bare charge by the charge."""
    return ref(obj.get("payment_intent")) or ref(obj.get("charge")) or str(obj["id"])


def money(obj: Obj, amount_field: str = "amount") -> str:
    amount = obj.get(amount_field)
    currency = str(obj.get("currency") or "").upper()
    return f"{amount} {currency}".strip() if amount is not None else currency or "no amount"


def summary(event: StripeEvent, text: str) -> str:
    return f"{event.type}: {text}"
