"""The benchmark runs, so it never rots: `python -m bench --quick`, in a process of its own
(it starts and stops its own emulators), bounded in time. The figures are not asserted — the
machine is shared and noisy — only that the run is whole: the four sections are printed and
recorded, every concurrency's ledger equals the in-order result, and every ratio is a number."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.report import SECTION_TITLES
from tests.support.stacks import ROOT

pytestmark = pytest.mark.emulators

QUICK_BOUND_S = 240  # the quick run takes under 60 s on a quiet machine; others share this one


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    output = tmp_path_factory.mktemp("bench") / "results.json"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--output", str(output)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=QUICK_BOUND_S,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    return completed.stdout, json.loads(Path(output).read_text())


@pytest.mark.timeout(QUICK_BOUND_S + 30)
def test_quick_run_prints_the_four_sections(quick_run: tuple[str, dict[str, Any]]) -> None:
    table, _ = quick_run
    for title in SECTION_TITLES:
        assert title in table, f"missing section {title!r} in:\n{table}"


@pytest.mark.timeout(QUICK_BOUND_S + 30)
def test_quick_run_ledger_equals_the_in_order_result(
    quick_run: tuple[str, dict[str, Any]],
) -> None:
    _, results = quick_run
    ingest = results["ingest"]
    assert isinstance(ingest, list) and [run["concurrency"] for run in ingest] == [1, 8]
    for run in ingest:
        correctness = run["webhook"]["correctness"]
        assert correctness["passed"], correctness["problems"]
        assert correctness["compared"]["payments"] > 0
        assert run["webhook"]["retries"]["left_waiting"] == 0
        assert run["floor"]["transactions"]["count"] == results["workload"]["deliveries"]


@pytest.mark.timeout(QUICK_BOUND_S + 30)
def test_quick_run_records_ratios_and_the_machine(
    quick_run: tuple[str, dict[str, Any]],
) -> None:
    _, results = quick_run
    ratios = [value for run in results["ingest"] for value in run["ratios"].values()]
    cold = [row for row in results["cold_start"].values() if row["measured"]]
    assert {"webhooks", "payments"} <= set(results["cold_start"])
    ratios += [row["ratio"] for row in cold]
    ratios.append(results["api_reads"]["ratio_p50"])
    assert ratios and all(isinstance(r, float) and math.isfinite(r) and r > 0 for r in ratios)
    for row in cold:
        assert row["importtime"]["top_packages_ms"], row
    machine = results["machine"]
    assert machine["cores"] and machine["python"] and machine["load_average_at_start"]
