"""How the dashboard shows money and reads typed amounts: the currency's own decimals; how a
failed payment reads: its label and the reason in words; and how long a webhook took."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.errors import ValidationError
from functions.dashboard._format import (
    day_bounds,
    event_status_label,
    fact_label,
    failure_reason,
    format_amount_input,
    format_money,
    format_seconds,
    format_short,
    format_time,
    parse_amount,
    signed_amount,
    status_label,
    status_tone,
)


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (4800, "usd", "$48.00"),
        (123456789, "usd", "$1,234,567.89"),
        (-1250, "usd", "-$12.50"),
        (1200, "jpy", "¥1,200"),
        (1500, "kwd", "1.500 KWD"),
        (999, "eur", "€9.99"),
        (1000, "sek", "10.00 SEK"),
        (None, "usd", "—"),
    ],
)
def test_amounts_are_shown_in_the_currencys_own_units(
    amount: int | None, currency: str, shown: str
) -> None:
    assert format_money(amount, currency) == shown


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("12.50", "usd", 1250),
        ("12.5", "usd", 1250),
        ("$1,200", "usd", 120000),
        (" 7 ", "usd", 700),
        ("1200", "jpy", 1200),
        ("1.005", "kwd", 1005),
    ],
)
def test_typed_amounts_become_minor_units(typed: str, currency: str, minor: int) -> None:
    assert parse_amount(typed, currency) == minor
    assert parse_amount(format_amount_input(minor, currency), currency) == minor


@pytest.mark.parametrize(
    ("typed", "currency"),
    [
        ("12.345", "usd"),
        ("1.5", "jpy"),
        ("0", "usd"),
        ("0.00", "usd"),
        ("ten", "usd"),
        ("-5", "usd"),
    ],
)
def test_amounts_that_are_not_amounts_are_refused_with_the_field_named(
    typed: str, currency: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_amount(typed, currency)
    assert refused.value.param == "amount"


def test_times_are_utc_and_dates_bound_whole_days() -> None:
    moment = datetime(2026, 3, 3, 14, 5, tzinfo=UTC)
    assert format_time(int(moment.timestamp())) == "Mar 3, 2026, 14:05 UTC"
    assert format_time(moment.isoformat()) == "Mar 3, 2026, 14:05 UTC"
    assert format_short(int(datetime(2020, 1, 2, tzinfo=UTC).timestamp())) == "Jan 2, 2020"
    assert day_bounds("2026-03-03", end=False, param="from") == int(
        datetime(2026, 3, 3, tzinfo=UTC).timestamp()
    )
    assert day_bounds("2026-03-03", end=True, param="to") == int(
        datetime(2026, 3, 3, 23, 59, 59, tzinfo=UTC).timestamp()
    )
    assert day_bounds("", end=True, param="to") is None
    with pytest.raises(ValidationError):
        day_bounds("03/03/2026", end=False, param="from")


def test_ledger_facts_read_as_money_in_or_out() -> None:
    assert (fact_label("capture"), signed_amount("capture", 500)) == ("Captured", 500)
    assert (fact_label("refund"), signed_amount("refund", 500)) == ("Refunded", -500)
    assert signed_amount("application_fee", 30) == -30


def test_a_failed_payment_is_labelled_failed_in_the_bad_tone() -> None:
    assert (status_label("failed"), status_tone("failed")) == ("Failed", "bad")


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (
            {
                "code": "card_declined",
                "decline_code": "generic_decline",
                "message": "Your card was declined.",
                "charge_id": "ch_1",
            },
            "Card declined (generic decline)",
        ),
        (
            {"code": "card_declined", "decline_code": None, "message": "Your card was declined."},
            "Card declined",
        ),
        (
            {"code": "account_closed", "message": "The customer's bank account is closed."},
            "Bank account closed",
        ),
        (
            {"code": "payment_intent_authentication_failure", "message": "We are unable to..."},
            "Authentication failed",
        ),
        (
            {"code": "expired_card", "message": "Your card has expired."},
            "Your card has expired.",
        ),
        ({"code": "processing_error", "message": None}, "Processing error"),
        (
            {"code": None, "decline_code": None, "message": None, "charge_id": None},
            "No reason given",
        ),
        (None, "No reason given"),
    ],
)
def test_a_failure_reads_as_a_reason(failure: dict[str, Any] | None, reason: str) -> None:
    assert failure_reason(failure) == reason


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "—"),
        (0.0, "0 ms"),
        (0.035, "35 ms"),
        (0.4, "0.4 s"),
        (1.26, "1.3 s"),
        (9.96, "10.0 s"),
        (42.4, "42 s"),
        (210.0, "3.5 min"),
        (7200.0, "2.0 h"),
        (129600.0, "1.5 d"),
        (-0.3, "-0.3 s"),  # Stripe's clock ahead of ours
    ],
)
def test_a_lag_reads_in_the_unit_that_suits_it(seconds: float | None, shown: str) -> None:
    assert format_seconds(seconds) == shown


def test_an_event_being_applied_reads_as_processing() -> None:
    assert event_status_label("received") == "Processing"
    assert event_status_label("failed") == "Failed"
    assert status_tone("received") == "info"
