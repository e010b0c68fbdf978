"""Waiting for something the system does in its own time (a queue, a server, a sweep), with a
deadline that scales with the machine: on a loaded machine everything is slower, and a fixed
deadline turns that into a failure that says nothing about the product. Never a fixed sleep."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["eventually", "machine_slowness"]

T = TypeVar("T")
MAX_SLOWNESS = 4.0


def machine_slowness() -> float:
    """How much longer than usual things take here now: the run queue per core (1.0 when the
    machine is not overloaded, at most `MAX_SLOWNESS`), times `TEST_TIMEOUT_SCALE` if set."""
    per_core = os.getloadavg()[0] / (os.cpu_count() or 1)
    scale = float(os.environ.get("TEST_TIMEOUT_SCALE", "1"))
    return scale * min(MAX_SLOWNESS, max(1.0, per_core))


def eventually(
    check: Callable[[], T | None],
    what: str = "the condition",
    *,
    timeout: float = 30.0,
    interval: float = 0.05,
) -> T:
    """Call `check` until it returns something truthy, and return that; fail naming `what`
    once `timeout` seconds (times the machine's slowness at that moment) have passed."""
    started = time.monotonic()
    while True:
        result = check()
        if result:
            return result
        waited = time.monotonic() - started
        allowed = timeout * machine_slowness()
        assert waited < allowed, f"timed out after {waited:.1f} s waiting for {what}"
        time.sleep(interval)
