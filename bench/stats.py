"""Latency summaries and ratios."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["percentile", "ratio", "summarize"]


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), nearest rank; NaN for no samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(latencies_s: Sequence[float], wall_s: float) -> dict[str, Any]:
    """Throughput and latency (ms) of `len(latencies_s)` operations done in `wall_s`."""
    return {
        "count": len(latencies_s),
        "wall_s": round(wall_s, 3),
        "per_s": round(len(latencies_s) / wall_s, 1) if wall_s > 0 else math.nan,
        "p50_ms": round(percentile(latencies_s, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies_s, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies_s, 99) * 1000, 2),
    }


def ratio(numerator: float, denominator: float) -> float:
    if not denominator or math.isnan(numerator) or math.isnan(denominator):
        return math.nan
    return round(numerator / denominator, 2)
