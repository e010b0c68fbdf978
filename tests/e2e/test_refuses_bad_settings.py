"""A server whose settings cannot work refuses to start, saying which setting and why
(issue 14: a signing key shorter than 32 bytes)."""

from __future__ import annotations

import os
import subprocess
import sys

from emulators.gcloud import free_port
from tests.support.stacks import ROOT


def test_a_short_signing_key_stops_the_server_before_it_serves() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTH_SIGNING_KEY": "too-short-a-key"}
    command = [sys.executable, "-m", "functions", "serve", "--port", str(free_port())]
    finished = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 2, finished.stdout + finished.stderr
    assert "AUTH_SIGNING_KEY must be at least 32 bytes" in finished.stderr
    assert "too-short-a-key" not in finished.stdout + finished.stderr  # never the value
    assert "serving on" not in finished.stdout


def test_a_deployed_function_with_a_short_signing_key_fails_to_load() -> None:
    """functions-framework resolves its target through `main` when the instance starts."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTH_SIGNING_KEY": "too-short-a-key"}
    probe = [sys.executable, "-c", "import main; main.payments"]
    finished = subprocess.run(probe, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode != 0
    assert "AUTH_SIGNING_KEY must be at least 32 bytes" in finished.stderr
