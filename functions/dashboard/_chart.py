"""The home page's chart of daily volume: geometry computed here, drawn as inline SVG by the
template (no JavaScript, no image request, a fixed aspect ratio so nothing shifts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from functions.dashboard._format import decimals, format_day, format_money
from payments.insights import DailyVolume

__all__ = ["Chart", "daily_volume_chart"]

WIDTH, HEIGHT = 800, 240
LEFT, RIGHT, TOP, BOTTOM = 96, 8, 16, 40
GAP = 2


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str
    minor: bool  # hidden on narrow screens, where only the ends are labelled


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str
    minor: bool
    anchor: str  # SVG text-anchor: the ends align with the plot's edges


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    baseline: float
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[XLabel]
    summary: str


def daily_volume_chart(daily: Sequence[DailyVolume], currency: str | None) -> Chart:
    code = currency or "usd"
    top = _nice_ceiling(max((d.amount for d in daily), default=0), code)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(daily), 1)
    baseline = TOP + plot_h
    bars = []
    for i, point in enumerate(daily):
        height = plot_h * point.amount / top if point.amount else 0.0
        bars.append(
            Bar(
                x=round(LEFT + i * slot + GAP / 2, 2),
                y=round(baseline - height, 2),
                width=round(max(slot - GAP, 1), 2),
                height=round(height, 2),
                label=f"{format_day(point.day)}: {format_money(point.amount, code)}",
            )
        )
    ticks = [
        Tick(
            y=round(baseline - plot_h * step / 4, 2),
            label=format_money(top * step // 4, code),
            minor=step not in (0, 4),
        )
        for step in range(5)
    ]
    last = len(daily) - 1
    x_labels = [
        label
        for i, point in enumerate(daily)
        if (label := _x_label(i, last, slot, point)) is not None
    ]
    total = sum(d.amount for d in daily)
    busiest = max(daily, key=lambda d: d.amount, default=None)
    summary = f"Daily volume over {len(daily)} days, {format_money(total, code)} in all"
    if busiest is not None and busiest.amount:
        summary += (
            f"; busiest day {format_day(busiest.day)} with {format_money(busiest.amount, code)}"
        )
    return Chart(WIDTH, HEIGHT, LEFT, RIGHT, baseline, bars, ticks, x_labels, summary)


def _x_label(i: int, last: int, slot: float, point: DailyVolume) -> XLabel | None:
    """The first and last day, and every 7th day between them not too near the last."""
    text = f"{point.day:%b} {point.day.day}"
    if i == 0:
        return XLabel(LEFT, text, False, "start")
    if i == last:
        return XLabel(WIDTH - RIGHT, text, False, "end")
    if i % 7 == 0 and last - i >= 4:
        return XLabel(round(LEFT + i * slot + slot / 2, 2), text, True, "middle")
    return None


def _nice_ceiling(amount: int, currency: str) -> int:
    """The scale's top, in minor units: the smallest 1, 2, 2.5 or 5 times a power of ten major
    units at or above `amount`; at least one major unit, so an empty chart still has a scale."""
    unit = 10 ** decimals(currency)
    major = max(amount / unit, 1)
    power = 10 ** math.floor(math.log10(major))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= major:
            return int(factor * power * unit)
    return int(10 * power * unit)  # pragma: no cover - the loop always returns
