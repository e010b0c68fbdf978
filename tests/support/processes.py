"""Find this machine's processes by their command line (to prove what a test stopped)."""

from __future__ import annotations

import os


def java_processes_serving(host_port: str) -> list[int]:
    """PIDs of Java processes started with `--port=PORT` (how gcloud starts its emulators)."""
    port_flag = f"--port={host_port.rsplit(':', 1)[-1]}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                args = cmdline.read().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"java") and port_flag in args:
            pids.append(int(entry))
    return pids
