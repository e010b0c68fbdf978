"""Cold start, measured: process start to the first 200 of `/health` under functions-framework
(what a deployed function runs), and the import time of `main` and of each entry point."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

import pytest

from emulators.gcloud import free_port
from functions.routes import FUNCTION_NAMES
from tests.support.stacks import ROOT, running

RUNS = 3
IMPORT_PROBE = (
    "import time; t0 = time.perf_counter(); import main; t1 = time.perf_counter(); "
    "getattr(main, {name!r}); t2 = time.perf_counter(); "
    "print((t1 - t0) * 1000, (t2 - t0) * 1000)"
)


def import_times_ms(name: str) -> tuple[float, float]:
    """(import main, import main + resolve the entry point), in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE.format(name=name)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    main_ms, entry_ms = map(float, result.stdout.split())
    return main_ms, entry_ms


@pytest.mark.parametrize("name", FUNCTION_NAMES)
def test_import_time_of_main_and_each_entry_point(name: str, measurements: list[str]) -> None:
    runs = [import_times_ms(name) for _ in range(RUNS)]
    main_ms = statistics.median(run[0] for run in runs)
    entry_ms = statistics.median(run[1] for run in runs)
    measurements.append(
        f"import main: {main_ms:.1f} ms; import main + main.{name}: {entry_ms:.1f} ms "
        f"(median of {RUNS})"
    )
    assert main_ms < 500, "main.py must stay a table of lazy re-exports"
    assert entry_ms < 5000


def test_process_start_to_first_200_of_health(measurements: list[str]) -> None:
    functions_framework = os.path.join(os.path.dirname(sys.executable), "functions-framework")
    timings = []
    for _ in range(RUNS):
        port = free_port()
        command = [
            functions_framework,
            "--target=discovery",
            "--source=main.py",
            f"--port={port}",
            "--host=127.0.0.1",
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with running(command, env=env, port=port, ready_path="/health") as server:
            timings.append((server.ready_at - server.started_at) * 1000)
    median = statistics.median(timings)
    measurements.append(
        f"cold start, functions-framework discovery, process start to first 200 of /health: "
        f"{median:.0f} ms (median of {RUNS}: {', '.join(f'{t:.0f}' for t in timings)})"
    )
    assert median < 10_000
