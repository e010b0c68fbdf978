"""How long a claim lasts, how often a failed event is retried, and when it is dead."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["RetryPolicy"]


@dataclass(frozen=True)
class RetryPolicy:
    lease_seconds: float = 60.0  # a claim whose holder died is taken over after this
    max_attempts: int = 8  # then the event is dead and a support ticket is opened
    base_backoff_seconds: float = 30.0
    max_backoff_seconds: float = 6 * 3600.0

    def lease_until(self, now: datetime) -> datetime:
        return now + timedelta(seconds=self.lease_seconds)

    def next_retry_at(
        self, now: datetime, attempts: int, *, jitter: float | None = None
    ) -> datetime:
        """Exponential backoff with full jitter in [0.5, 1.5) of the nominal delay."""
        nominal = min(
            self.max_backoff_seconds, self.base_backoff_seconds * 2 ** max(attempts - 1, 0)
        )
        factor = jitter if jitter is not None else random.uniform(0.5, 1.5)
        return now + timedelta(seconds=nominal * factor)
