"""Stripe's signature scheme, checked against the official library's verifier."""

from __future__ import annotations

import time

import pytest

from core.errors import InvalidSignature
from payments.webhooks.signature import sign, verify

BODY = b'{"id": "evt_1", "object": "event"}'
NOW = 1_800_000_000


def test_a_signature_made_with_a_configured_secret_verifies() -> None:
    verify(BODY, sign(BODY, "whsec_b", NOW), ["whsec_a", "whsec_b"], now=NOW)


def test_any_v1_in_the_header_may_match() -> None:
    good = sign(BODY, "whsec_a", NOW).split(",")[1]
    verify(BODY, f"t={NOW},v1={'0' * 64},{good}", ["whsec_a"], now=NOW)


@pytest.mark.parametrize(
    ("header", "secrets", "now", "code"),
    [
        (None, ["whsec_a"], NOW, "missing_signature"),
        ("", ["whsec_a"], NOW, "missing_signature"),
        ("v1=abc", ["whsec_a"], NOW, "malformed_signature"),
        (f"t={NOW}", ["whsec_a"], NOW, "malformed_signature"),
        (sign(BODY, "whsec_a", NOW), [], NOW, "no_webhook_secret"),
        (sign(BODY, "whsec_a", NOW - 301), ["whsec_a"], NOW, "stale_signature"),
        (sign(BODY, "whsec_a", NOW + 301), ["whsec_a"], NOW, "stale_signature"),
        (sign(BODY, "whsec_other", NOW), ["whsec_a"], NOW, "invalid_signature"),
        (sign(BODY + b" ", "whsec_a", NOW), ["whsec_a"], NOW, "invalid_signature"),
    ],
    ids=["none", "empty", "no t", "no v1", "no secret", "old", "future", "wrong secret", "body"],
)
def test_refusals_say_why(header: str | None, secrets: list[str], now: int, code: str) -> None:
    with pytest.raises(InvalidSignature) as refused:
        verify(BODY, header, secrets, now=now)
    assert refused.value.code == code
    assert refused.value.status == 400


def test_within_tolerance_is_accepted() -> None:
    verify(BODY, sign(BODY, "whsec_a", NOW - 299), ["whsec_a"], now=NOW)


def test_the_official_library_accepts_our_signatures() -> None:
    """The emulators' and tests' signatures are Stripe's: stripe-python agrees."""
    import subprocess
    import sys

    now = int(time.time())
    header = sign(BODY, "whsec_a", now)
    code = (
        "import stripe, sys; "
        f"stripe.WebhookSignature.verify_header({BODY.decode()!r}, {header!r}, 'whsec_a', 300); "
        "print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr
