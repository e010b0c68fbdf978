"""`emulators.processes.stop_process_groups`, which `make run` stops its services with: every
group at once, the whole group (not only its leader), SIGKILL after the grace period."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from emulators.processes import child_process_groups, stop_process_groups

# a leader that ignores SIGTERM and has a child of its own (in its group) that ignores it too
STUBBORN = """
import signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
print("ready", flush=True)
time.sleep(60)
"""
POLITE = "import time; print('ready', flush=True); time.sleep(60)"


def start(code: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    return process


def group_alive(pgid: int) -> bool:
    """Whether a process of the group lives (a zombie left for init to reap does not count)."""
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def test_every_group_stops_within_the_bound_and_only_the_stubborn_one_is_killed() -> None:
    stubborn, polite = start(STUBBORN), start(POLITE)
    began = time.monotonic()
    killed = stop_process_groups([stubborn, polite.pid], grace_s=1.0, kill_wait_s=5.0)
    took = time.monotonic() - began
    assert killed == [stubborn.pid]
    assert not group_alive(stubborn.pid) and not group_alive(polite.pid)
    assert stubborn.returncode == -9  # the leaders are reaped
    assert 1.0 <= took < 6.0, took  # grace_s + kill_wait_s at most


def test_child_process_groups_finds_the_children_leading_their_own_group() -> None:
    own_group = subprocess.Popen([sys.executable, "-c", POLITE], start_new_session=True)
    same_group = subprocess.Popen([sys.executable, "-c", POLITE])
    try:
        groups = child_process_groups()
        assert own_group.pid in groups
        assert same_group.pid not in groups and os.getpgrp() not in groups
    finally:
        stop_process_groups([own_group], grace_s=5.0)
        same_group.kill()
        same_group.wait()
    assert own_group.pid not in child_process_groups()
