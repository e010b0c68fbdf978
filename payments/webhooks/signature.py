"""Stripe's webhook signature scheme: `Stripe-Signature: t=TIMESTAMP,v1=HEX[,v1=HEX...]`,
where each v1 is HMAC-SHA256(secret, "TIMESTAMP.RAW_BODY"). Implemented here (as in
stripe-python's `_webhook.py`) so that the webhook function need not import the Stripe library."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from core.errors import InvalidSignature

__all__ = ["TOLERANCE_SECONDS", "sign", "verify"]

TOLERANCE_SECONDS = 300


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The `Stripe-Signature` header Stripe would send (used by tests and the emulator)."""
    return f"t={timestamp},v1={_digest(payload, secret, timestamp)}"


def verify(
    payload: bytes,
    header: str | None,
    secrets: Iterable[str],
    *,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> None:
    """Raise `InvalidSignature` unless one configured secret signed this exact body recently."""
    if not header:
        raise InvalidSignature("Missing Stripe-Signature header", code="missing_signature")
    timestamp, signatures = _parse(header)
    candidates = [s for s in secrets if s]
    if not candidates:
        raise InvalidSignature("No webhook signing secret is configured", code="no_webhook_secret")
    if abs(now - timestamp) > tolerance:
        raise InvalidSignature(
            f"The signature timestamp is outside the {tolerance} s tolerance",
            code="stale_signature",
        )
    for secret in candidates:
        expected = _digest(payload, secret, timestamp)
        if any(hmac.compare_digest(expected, given) for given in signatures):
            return
    raise InvalidSignature("No signature matches the body with any configured secret")


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        name, _, value = item.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise InvalidSignature(
            "Malformed Stripe-Signature header: expected t=...,v1=...", code="malformed_signature"
        )
    return timestamp, signatures


def _digest(payload: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
