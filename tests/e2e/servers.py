"""Start product processes for end-to-end tests, on free ports, and stop them."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from emulators.gcloud import free_port
from emulators.processes import stop_process_group, wait_for_200

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
            stop_process_group(process)


@contextmanager
def functions_server(**env_overrides: str) -> Iterator[Server]:
    """`python -m functions serve` on a free port, with this environment plus the overrides."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_overrides}
    command = [sys.executable, "-m", "functions", "serve", "--port", str(port)]
    with running(command, env=env, port=port) as server:
        yield server
