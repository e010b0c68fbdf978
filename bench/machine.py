"""What the figures were measured on: cores, memory, CPU model, Python, emulator versions."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["describe_machine"]


def describe_machine() -> dict[str, Any]:
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "emulators": _emulator_versions(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _emulator_versions() -> dict[str, str]:
    """The Cloud SDK components' versions, as `gcloud version` prints them."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return {}
    try:
        output = subprocess.run(
            [gcloud, "version"], capture_output=True, text=True, timeout=60, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    wanted = ("Google Cloud SDK", "cloud-firestore-emulator", "pubsub-emulator")
    versions = {}
    for line in output.splitlines():
        for name in wanted:
            if line.startswith(name):
                versions[name] = line[len(name) :].strip()
    return versions
