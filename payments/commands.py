"""Frozen, validated requests of the payments API (STYLE §3). `tenant_id` always comes from
the authenticated principal, and ids from the path, never from the body; amounts are integer
minor units.

Each command's `from_body(body, **from_the_request)` reads a JSON body with `core.fields` and
raises `ValidationError` (400) naming the offending parameter, as the identity commands do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core import fields
from core.errors import ValidationError
from core.fields import Body

__all__ = [
    "CANCEL_REASONS",
    "REFUND_REASONS",
    "CancelPayment",
    "CapturePayment",
    "CreateAccountLink",
    "CreateCheckoutSession",
    "CreateConnectAccount",
    "CreateLoginLink",
    "CreateRefund",
    "LineItem",
    "RefreshAccount",
]

CURRENCY = re.compile(r"^[a-z]{3}$")
PAYMENT_METHODS = ("card", "us_bank_account")
CAPTURE_METHODS = ("automatic", "manual")
CANCEL_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
BUSINESS_TYPES = ("individual", "company", "non_profit", "government_entity")
MAX_LINE_ITEMS = 100


@dataclass(frozen=True)
class CreateConnectAccount:
    tenant_id: str
    country: str = "US"
    email: str | None = None
    business_type: str | None = None

    @classmethod
    def from_body(cls, body: Body, *, tenant_id: str) -> CreateConnectAccount:
        country = fields.text(body, "country", max_length=2) or "US"
        if not re.fullmatch(r"[A-Za-z]{2}", country):
            raise ValidationError("country must be a two-letter ISO code", param="country")
        business_type = fields.one_of(body, "business_type", BUSINESS_TYPES)
        return cls(tenant_id, country.upper(), fields.email(body, "email"), business_type)


@dataclass(frozen=True)
class CreateAccountLink:
    tenant_id: str
    refresh_url: str | None = None
    return_url: str | None = None

    @classmethod
    def from_body(cls, body: Body, *, tenant_id: str) -> CreateAccountLink:
        refresh_url = fields.http_url(body, "refresh_url")
        return cls(tenant_id, refresh_url, fields.http_url(body, "return_url"))


@dataclass(frozen=True)
class RefreshAccount:
    """Read the tenant's connected account from Stripe and record its status."""

    tenant_id: str


@dataclass(frozen=True)
class CreateLoginLink:
    """A link into the tenant's Express dashboard."""

    tenant_id: str


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_amount: int
    quantity: int
    currency: str

    @classmethod
    def from_body(cls, raw: Any, *, param: str) -> LineItem:
        if not isinstance(raw, dict):
            raise ValidationError(f"{param} must be an object", param=param)
        name = fields.text(raw, "name", max_length=250, param=f"{param}.name")
        unit_amount = fields.amount(raw, "unit_amount", param=f"{param}.unit_amount")
        quantity = raw.get("quantity", 1)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 999:
            raise ValidationError(
                "quantity must be an integer from 1 to 999", param=f"{param}.quantity"
            )
        currency = raw.get("currency")
        if not isinstance(currency, str) or not CURRENCY.match(currency.lower()):
            raise ValidationError(
                "currency must be a three-letter ISO code", param=f"{param}.currency"
            )
        return cls(
            fields.required(name, f"{param}.name"),
            fields.required(unit_amount, f"{param}.unit_amount"),
            quantity,
            currency.lower(),
        )


@dataclass(frozen=True)
class CreateCheckoutSession:
    tenant_id: str
    line_items: tuple[LineItem, ...]
    success_url: str
    cancel_url: str
    customer_email: str | None = None
    client_reference_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    payment_method_types: tuple[str, ...] = ("card",)
    capture_method: str = "automatic"

    @property
    def currency(self) -> str:
        return self.line_items[0].currency

    @property
    def amount_total(self) -> int:
        return sum(item.unit_amount * item.quantity for item in self.line_items)

    @classmethod
    def from_body(cls, body: Body, *, tenant_id: str) -> CreateCheckoutSession:
        items = body.get("line_items")
        if not isinstance(items, list) or not 1 <= len(items) <= MAX_LINE_ITEMS:
            raise ValidationError(
                f"line_items must be a list of 1 to {MAX_LINE_ITEMS} items", param="line_items"
            )
        line_items = tuple(
            LineItem.from_body(raw, param=f"line_items[{i}]") for i, raw in enumerate(items)
        )
        if len({item.currency for item in line_items}) != 1:
            raise ValidationError("every line item must have the same currency", param="line_items")
        methods = body.get("payment_method_types", ["card"])
        if (
            not isinstance(methods, list)
            or not methods
            or any(m not in PAYMENT_METHODS for m in methods)
        ):
            raise ValidationError(
                f"payment_method_types must list some of {', '.join(PAYMENT_METHODS)}",
                param="payment_method_types",
            )
        capture = fields.one_of(body, "capture_method", CAPTURE_METHODS) or "automatic"
        if capture == "manual" and "us_bank_account" in methods:
            raise ValidationError(
                "manual capture is only available for card payments", param="capture_method"
            )
        command = cls(
            tenant_id=tenant_id,
            line_items=line_items,
            success_url=fields.required(fields.http_url(body, "success_url"), "success_url"),
            cancel_url=fields.required(fields.http_url(body, "cancel_url"), "cancel_url"),
            customer_email=fields.email(body, "customer_email"),
            client_reference_id=fields.text(body, "client_reference_id", max_length=200),
            metadata=fields.metadata(body),
            payment_method_types=tuple(dict.fromkeys(methods)),
            capture_method=capture,
        )
        if command.amount_total > fields.MAX_AMOUNT:
            raise ValidationError("the total is too large", param="line_items")
        return command


@dataclass(frozen=True)
class CapturePayment:
    tenant_id: str
    payment_id: str
    amount_to_capture: int | None = None

    @classmethod
    def from_body(cls, body: Body, *, tenant_id: str, payment_id: str) -> CapturePayment:
        return cls(tenant_id, payment_id, fields.amount(body, "amount_to_capture"))


@dataclass(frozen=True)
class CancelPayment:
    tenant_id: str
    payment_id: str
    reason: str | None = None

    @classmethod
    def from_body(cls, body: Body, *, tenant_id: str, payment_id: str) -> CancelPayment:
        return cls(tenant_id, payment_id, fields.one_of(body, "reason", CANCEL_REASONS))


@dataclass(frozen=True)
class CreateRefund:
    tenant_id: str
    payment_id: str
    amount: int | None = None
    reason: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_body(cls, body: Body, *, tenant_id: str) -> CreateRefund:
        payment_id = fields.text(body, "payment_id", max_length=255)
        return cls(
            tenant_id,
            fields.required(payment_id, "payment_id"),
            fields.amount(body, "amount"),
            fields.one_of(body, "reason", REFUND_REASONS),
            fields.metadata(body),
        )
