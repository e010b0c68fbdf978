"""Start product processes for end-to-end tests, on free ports, and stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emulators.gcloud import free_port

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    started_at: float  # time.perf_counter() just before the process was spawned
    ready_at: float  # ... and when it first answered 200
    log_path: Path  # everything the process printed (a file: a full pipe would stall it)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def wait_for_200(url: str, process: subprocess.Popen[str], timeout: float = 30.0) -> float:
    """Poll `url` until it answers 200; return the perf_counter time it did."""
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


@contextmanager
def running(
    command: list[str], *, env: dict[str, str], port: int, ready_path: str = "/health"
) -> Iterator[Server]:
    """Run `command` (which serves on `port`) in its own process group until the block ends."""
    with tempfile.NamedTemporaryFile(prefix="server-", suffix=".log", delete=False) as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            ready = wait_for_200(url + ready_path, process)
            yield Server(url, process, started, ready, Path(log.name))
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def functions_server(**env_overrides: str) -> Iterator[Server]:
    """`python -m functions serve` on a free port, with this environment plus the overrides."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_overrides}
    command = [sys.executable, "-m", "functions", "serve", "--port", str(port)]
    with running(command, env=env, port=port) as server:
        yield server
