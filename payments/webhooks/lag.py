"""Webhook lag: how long an event took to reach us and to be applied, from its inbox record.

    Stripe's `created` ──delivery_s──▶ `received_at` (acknowledged) ──apply_s──▶ `processed_at`

`delivery_s` includes up to a second of rounding (Stripe's `created` is whole seconds) and any
skew between Stripe's clock and ours. `apply_s` is null until the event is
applied; for a retried event it includes the retries' waits, for a replayed one it runs to the
replay. A page of events is summarised by the p50 and p99 of each figure, nearest rank, over
the events that have it. Pure: records in, seconds out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

__all__ = ["event_lag", "lag_summary"]

PLACES = 3


def event_lag(inbox: Mapping[str, Any]) -> dict[str, float | None]:
    """`{"delivery_s", "apply_s"}` of one inbox record, each rounded to the millisecond."""
    created, received, processed = (
        inbox.get(n) for n in ("created", "received_at", "processed_at")
    )
    delivery = apply = None
    if isinstance(received, datetime) and isinstance(created, int | float):
        delivery = round(received.timestamp() - created, PLACES)
    if isinstance(received, datetime) and isinstance(processed, datetime):
        apply = round(processed.timestamp() - received.timestamp(), PLACES)
    return {"delivery_s": delivery, "apply_s": apply}


def lag_summary(lags: Sequence[Mapping[str, float | None]]) -> dict[str, Any]:
    """The p50 and p99 of each figure of `lags` (`event_lag` results); `events`: how many."""
    summary: dict[str, Any] = {"events": len(lags)}
    for figure in ("delivery", "apply"):
        values = sorted(v for lag in lags if (v := lag.get(f"{figure}_s")) is not None)
        for rank in (50, 99):
            summary[f"{figure}_p{rank}_s"] = _nearest_rank(values, rank)
    return summary


def _nearest_rank(ordered: Sequence[float], rank: int) -> float | None:
    """The smallest value with at least `rank` % of the values at or below it."""
    if not ordered:
        return None
    return ordered[max(math.ceil(rank / 100 * len(ordered)), 1) - 1]
