"""Named log helpers of the webhook path, one per message (structured JSON: `core.logs`).

They take ids and error text only: never a payload, a signature or a secret.
"""

from __future__ import annotations

import logging
from typing import Any

from core.logs import LOGGER_NAME, emit

__all__ = [
    "log_handoff_failed",
    "log_message_rejected",
    "log_resync",
    "log_resync_not_queued",
    "log_retry_not_queued",
    "log_sweep_skipped",
    "log_webhook_failed",
]

_logger = logging.getLogger(LOGGER_NAME)


def _log(level: int, message: str, **fields: Any) -> None:
    emit(_logger, level, message, **fields)


def log_webhook_failed(*, event_id: str, event_type: str, status: str, error: str) -> None:
    _log(
        logging.WARNING,
        f"webhook event {event_id} {status}: {error}",
        event_id=event_id,
        event_type=event_type,
        status=status,
    )


def log_resync(*, payment_id: str, objects: int, settled: bool) -> None:
    outcome = "settled" if settled else "still unsettled"
    _log(
        logging.INFO,
        f"payment {payment_id}: read {objects} object(s) from Stripe, {outcome}",
        payment_id=payment_id,
        objects=objects,
        settled=settled,
    )


def log_resync_not_queued(*, payment_id: str) -> None:
    """Called from an `except` block; the sweeper will still find the payment."""
    _log(logging.ERROR, f"could not queue payment {payment_id} for resync", payment_id=payment_id)


def log_sweep_skipped(*, event_id: str, error: str) -> None:
    _log(
        logging.WARNING,
        f"sweep skipped webhook event {event_id}: {error}",
        event_id=event_id,
    )


def log_handoff_failed(*, event_id: str, error: str) -> None:
    """The sweeper applies the event once its delivery's claim runs out. Also called from a
    publish's done-callback, outside any `except`: no stack trace."""
    _logger.error(
        f"could not hand webhook event {event_id} to the apply queue: {error}",
        extra={"fields": {"event_id": event_id}},
    )


def log_message_rejected(*, error: str) -> None:
    """An apply-queue message that is not ours: acknowledged, so that it holds no key."""
    _log(logging.WARNING, f"rejected an apply-queue message: {error}")


def log_retry_not_queued(*, event_id: str) -> None:
    """Called from an `except` block; the sweeper will still find the event."""
    _log(logging.ERROR, f"could not queue webhook event {event_id} for retry", event_id=event_id)
