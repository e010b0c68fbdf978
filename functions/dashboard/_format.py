"""How the dashboard shows money, times, durations, statuses and failures to people, and
reads amounts back.

Amounts are integer minor units everywhere else; only here do they become `$1,234.50` or
`¥1,200`, and a typed `12.50` become `1250` (the currency's own number of decimals). A failed
payment's `failure` (Stripe's `last_payment_error`) becomes a reason a merchant reads:
`Card declined (generic decline)`, else Stripe's own message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from core.errors import ValidationError

__all__ = [
    "day_bounds",
    "decimals",
    "event_status_label",
    "fact_label",
    "failure_reason",
    "format_amount_input",
    "format_day",
    "format_money",
    "format_seconds",
    "format_short",
    "format_time",
    "parse_amount",
    "signed_amount",
    "status_label",
    "status_tone",
]

ZERO_DECIMAL = frozenset(
    {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga"}
    | {"pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}
)
THREE_DECIMAL = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})
SYMBOLS = {
    "usd": "$",
    "eur": "€",
    "gbp": "£",
    "jpy": "¥",
    "inr": "₹",
    "krw": "₩",
    "cad": "CA$",
    "aud": "A$",
    "nzd": "NZ$",
    "chf": "CHF ",
}
TONES = {
    "succeeded": "good",
    "won": "good",
    "processed": "good",
    "active": "good",
    "partially_refunded": "info",
    "refunded": "info",
    "processing": "info",
    "pending": "info",
    "under_review": "info",
    "warning_under_review": "info",
    "received": "info",
    "requires_capture": "warn",
    "requires_action": "warn",
    "needs_response": "bad",
    "warning_needs_response": "warn",
    "disputed": "bad",
    "failed": "bad",
    "dead": "bad",
    "lost": "bad",
}
FACT_LABELS = {
    "charge": "Authorized",
    "capture": "Captured",
    "refund": "Refunded",
    "refund_reversal": "Refund reversed",
    "dispute": "Disputed (withdrawn)",
    "dispute_reversal": "Dispute won (reinstated)",
    "application_fee": "Platform fee",
}
DURATION_UNITS = ((86400, "d"), (3600, "h"), (60, "min"))
EVENT_STATUS_LABELS = {"received": "Processing"}  # acknowledged to Stripe, not applied yet
MONEY_OUT = frozenset({"refund", "dispute", "application_fee"})
FAILURE_REASONS = {
    "card_declined": "Card declined",
    "account_closed": "Bank account closed",
    "payment_intent_authentication_failure": "Authentication failed",
}
_AMOUNT = re.compile(r"^\d{1,9}(?:\.\d{1,3})?$")


def decimals(currency: str) -> int:
    code = currency.lower()
    return 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2


def format_money(amount: int | None, currency: str | None) -> str:
    """`1234550, "usd"` → `$12,345.50`; an unknown currency keeps its code: `12.00 SEK`."""
    if amount is None or not currency:
        return "—"
    places = decimals(currency)
    value = Decimal(abs(int(amount))).scaleb(-places)
    number = f"{value:,.{places}f}"
    sign = "-" if int(amount) < 0 else ""
    symbol = SYMBOLS.get(currency.lower())
    if symbol is None:
        return f"{sign}{number} {currency.upper()}"
    return f"{sign}{symbol}{number}"


def format_amount_input(amount: int, currency: str) -> str:
    """The value to pre-fill an amount field with: `1250, "usd"` → `12.50` (no symbol)."""
    places = decimals(currency)
    return f"{Decimal(int(amount)).scaleb(-places):.{places}f}"


def parse_amount(raw: str, currency: str, *, param: str = "amount") -> int:
    """A typed amount (`12.5`, `12.50`, `1,200`) in the currency's minor units."""
    text = raw.strip().replace(",", "").removeprefix(SYMBOLS.get(currency.lower(), "\0"))
    places = decimals(currency)
    if not _AMOUNT.match(text):
        raise ValidationError("Enter an amount such as 12.50", code="invalid_amount", param=param)
    try:
        minor = Decimal(text).scaleb(places)
    except InvalidOperation:
        raise ValidationError("Enter an amount such as 12.50", param=param) from None
    if minor != minor.to_integral_value():
        raise ValidationError(
            f"{currency.upper()} amounts have at most {places} decimals",
            code="invalid_amount",
            param=param,
        )
    if minor <= 0:
        raise ValidationError(
            "The amount must be more than zero", code="invalid_amount", param=param
        )
    return int(minor)


def format_time(value: int | float | datetime | str | None) -> str:
    """A Unix time, a datetime or an ISO string → `Mar 3, 2026, 14:05 UTC`."""
    moment = _as_datetime(value)
    return "—" if moment is None else f"{moment:%b} {moment.day}, {moment:%Y, %H:%M} UTC"


def format_short(value: int | float | datetime | str | None) -> str:
    """For tables: `Mar 3, 14:05` this year, `Mar 3, 2025` before."""
    moment = _as_datetime(value)
    if moment is None:
        return "—"
    if moment.year == datetime.now(UTC).year:
        return f"{moment:%b} {moment.day}, {moment:%H:%M}"
    return f"{moment:%b} {moment.day}, {moment:%Y}"


def format_seconds(value: float | None) -> str:
    """A duration: `0.4 s`, `42 s`, `3.5 min`, `2.0 h`, `1.5 d`, `35 ms` below a tenth of a
    second, `—` for none. A negative one (clocks that disagree) keeps its sign."""
    if value is None:
        return "—"
    size = abs(value)
    if size < 0.1:
        return f"{value * 1000:.0f} ms"
    if size < 10:
        return f"{value:.1f} s"
    if size < 60:
        return f"{value:.0f} s"
    seconds, unit = next((seconds, unit) for seconds, unit in DURATION_UNITS if size >= seconds)
    return f"{value / seconds:.1f} {unit}"


def format_day(value: int | float | datetime | str | None) -> str:
    moment = _as_datetime(value)
    return "—" if moment is None else f"{moment:%b} {moment.day}, {moment:%Y}"


def day_bounds(raw: str | None, *, end: bool, param: str) -> int | None:
    """A `YYYY-MM-DD` date field as the Unix time of the day's first (or last) second, UTC."""
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            "Pick a date as YYYY-MM-DD", code="invalid_date", param=param
        ) from None
    moment = datetime.combine(day, time.max if end else time.min, tzinfo=UTC)
    return int(moment.timestamp())


def fact_label(fact_type: str) -> str:
    """A ledger fact (`payment_transactions`) as the merchant reads it."""
    return FACT_LABELS.get(fact_type, status_label(fact_type))


def signed_amount(fact_type: str, amount: int) -> int:
    """Money out of the merchant's balance (refunds, disputes, fees) is negative."""
    return -amount if fact_type in MONEY_OUT else amount


def status_label(status: str | None) -> str:
    return (status or "unknown").replace("_", " ").capitalize()


def event_status_label(status: str | None) -> str:
    """An inbox status (`webhook_events`): `received` is shown as what it means now."""
    return EVENT_STATUS_LABELS.get(status or "", status_label(status))


def status_tone(status: str | None) -> str:
    return TONES.get(status or "", "neutral")


def failure_reason(failure: Mapping[str, Any] | None) -> str:
    """Why the payment failed: a known code in words (with the issuer's decline code, if
    any), else Stripe's message, else the code itself."""
    failure = failure or {}
    code, decline, message = (failure.get(name) for name in ("code", "decline_code", "message"))
    known = FAILURE_REASONS.get(str(code))
    if known is not None:
        return f"{known} ({str(decline).replace('_', ' ')})" if decline else known
    if message:
        return str(message)
    return status_label(code) if code else "No reason given"


def _as_datetime(value: int | float | datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        moment = datetime.fromtimestamp(float(value), UTC)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
