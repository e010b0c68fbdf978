"""Child processes of the local stack, the tests and the bench: each started in a process group
of its own (`start_new_session=True`), waited for over HTTP, and stopped as a group, so nothing
it spawned (a `gcloud` wrapper's Java child, a server's workers) outlives it."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from typing import Any

__all__ = ["stop_process_group", "wait_for_200"]


def wait_for_200(url: str, process: subprocess.Popen[Any], *, timeout: float = 30.0) -> float:
    """Poll `url` until it answers 200; the `time.perf_counter()` at which it did. Fails at once
    if `process` exits first, and after `timeout` seconds otherwise."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.005)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s")


def stop_process_group(process: subprocess.Popen[Any], *, grace_s: float = 15.0) -> None:
    """SIGTERM the process's group; SIGKILL it if the leader has not exited after `grace_s`."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
