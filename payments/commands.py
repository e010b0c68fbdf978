"""Frozen, validated requests of the payments API (STYLE §3). `tenant_id` always comes from
the authenticated principal, never from the body; amounts are integer minor units.

Each `parse_*` builds a command from a JSON body and raises `ValidationError` (400) naming
the offending parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from core.errors import ValidationError

__all__ = [
    "CancelPayment",
    "CapturePayment",
    "CreateAccountLink",
    "CreateCheckoutSession",
    "CreateConnectAccount",
    "CreateRefund",
    "LineItem",
    "amount",
    "http_url",
    "metadata",
    "one_of",
    "parse_account_link",
    "parse_cancel",
    "parse_capture",
    "parse_checkout",
    "parse_connect_account",
    "parse_refund",
    "text",
]

Body = dict[str, Any]
MAX_AMOUNT = 99_999_999
CURRENCY = re.compile(r"^[a-z]{3}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PAYMENT_METHODS = ("card", "us_bank_account")
CAPTURE_METHODS = ("automatic", "manual")
CANCEL_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
BUSINESS_TYPES = ("individual", "company", "non_profit", "government_entity")


@dataclass(frozen=True)
class CreateConnectAccount:
    tenant_id: str
    country: str = "US"
    email: str | None = None
    business_type: str | None = None


@dataclass(frozen=True)
class CreateAccountLink:
    tenant_id: str
    refresh_url: str | None = None
    return_url: str | None = None


@dataclass(frozen=True)
class LineItem:
    name: str
    unit_amount: int
    quantity: int
    currency: str


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


@dataclass(frozen=True)
class CapturePayment:
    tenant_id: str
    payment_id: str
    amount_to_capture: int | None = None


@dataclass(frozen=True)
class CancelPayment:
    tenant_id: str
    payment_id: str
    reason: str | None = None


@dataclass(frozen=True)
class CreateRefund:
    tenant_id: str
    payment_id: str
    amount: int | None = None
    reason: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


def parse_connect_account(tenant_id: str, body: Body) -> CreateConnectAccount:
    country = text(body, "country", max_length=2) or "US"
    if not re.fullmatch(r"[A-Za-z]{2}", country):
        raise ValidationError("country must be a two-letter ISO code", param="country")
    email = text(body, "email", max_length=254)
    if email is not None and not EMAIL.match(email):
        raise ValidationError("email is not an email address", param="email")
    business_type = one_of(body, "business_type", BUSINESS_TYPES)
    return CreateConnectAccount(tenant_id, country.upper(), email, business_type)


def parse_account_link(tenant_id: str, body: Body) -> CreateAccountLink:
    return CreateAccountLink(tenant_id, http_url(body, "refresh_url"), http_url(body, "return_url"))


def parse_checkout(tenant_id: str, body: Body) -> CreateCheckoutSession:
    items = body.get("line_items")
    if not isinstance(items, list) or not 1 <= len(items) <= 100:
        raise ValidationError("line_items must be a list of 1 to 100 items", param="line_items")
    line_items = tuple(_line_item(raw, i) for i, raw in enumerate(items))
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
    capture = one_of(body, "capture_method", CAPTURE_METHODS) or "automatic"
    if capture == "manual" and "us_bank_account" in methods:
        raise ValidationError(
            "manual capture is only available for card payments", param="capture_method"
        )
    command = CreateCheckoutSession(
        tenant_id=tenant_id,
        line_items=line_items,
        success_url=_required(http_url(body, "success_url"), "success_url"),
        cancel_url=_required(http_url(body, "cancel_url"), "cancel_url"),
        customer_email=text(body, "customer_email", max_length=254),
        client_reference_id=text(body, "client_reference_id", max_length=200),
        metadata=metadata(body),
        payment_method_types=tuple(dict.fromkeys(methods)),
        capture_method=capture,
    )
    if command.amount_total > MAX_AMOUNT:
        raise ValidationError("the total is too large", param="line_items")
    if command.customer_email is not None and not EMAIL.match(command.customer_email):
        raise ValidationError("customer_email is not an email address", param="customer_email")
    return command


def parse_capture(tenant_id: str, payment_id: str, body: Body) -> CapturePayment:
    return CapturePayment(tenant_id, payment_id, amount(body, "amount_to_capture"))


def parse_cancel(tenant_id: str, payment_id: str, body: Body) -> CancelPayment:
    return CancelPayment(tenant_id, payment_id, one_of(body, "reason", CANCEL_REASONS))


def parse_refund(tenant_id: str, body: Body) -> CreateRefund:
    payment_id = _required(text(body, "payment_id", max_length=255), "payment_id")
    return CreateRefund(
        tenant_id,
        payment_id,
        amount(body, "amount"),
        one_of(body, "reason", REFUND_REASONS),
        metadata(body),
    )


def _line_item(raw: Any, index: int) -> LineItem:
    param = f"line_items[{index}]"
    if not isinstance(raw, dict):
        raise ValidationError(f"{param} must be an object", param=param)
    name = _required(text(raw, "name", max_length=250, param=f"{param}.name"), f"{param}.name")
    unit_amount = _required(amount(raw, "unit_amount", param=f"{param}.unit_amount"), param)
    quantity = raw.get("quantity", 1)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 999:
        raise ValidationError(
            "quantity must be an integer from 1 to 999", param=f"{param}.quantity"
        )
    currency = raw.get("currency")
    if not isinstance(currency, str) or not CURRENCY.match(currency.lower()):
        raise ValidationError("currency must be a three-letter ISO code", param=f"{param}.currency")
    return LineItem(name, unit_amount, quantity, currency.lower())


def text(body: Body, name: str, *, max_length: int, param: str | None = None) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise ValidationError(
            f"{name} must be a non-empty string of at most {max_length} characters",
            param=param or name,
        )
    return value.strip()


def amount(body: Body, name: str, *, param: str | None = None) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_AMOUNT:
        raise ValidationError(
            f"{name} must be a positive integer amount in minor units (e.g. cents)",
            param=param or name,
        )
    return value


def one_of(body: Body, name: str, choices: tuple[str, ...]) -> str | None:
    value = body.get(name)
    if value is not None and value not in choices:
        raise ValidationError(f"{name} must be one of {', '.join(choices)}", param=name)
    return value


def http_url(body: Body, name: str) -> str | None:
    value = text(body, name, max_length=2048)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(f"{name} must be an absolute http(s) URL", param=name)
    return value


def metadata(body: Body) -> dict[str, str]:
    value = body.get("metadata", {})
    if not isinstance(value, dict) or len(value) > 40:
        raise ValidationError("metadata must be an object of at most 40 keys", param="metadata")
    for key, item in value.items():
        if key == "tenant_id" or not 0 < len(key) <= 40:
            raise ValidationError(f"metadata key {key[:40]!r} is not allowed", param="metadata")
        if not isinstance(item, str) or len(item) > 500:
            raise ValidationError(
                "metadata values must be strings of at most 500 characters", param="metadata"
            )
    return dict(value)


def _required(value: Any, param: str) -> Any:
    if value is None:
        raise ValidationError(f"{param} is required", param=param, code="parameter_missing")
    return value
