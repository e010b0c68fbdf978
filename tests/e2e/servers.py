"""Product processes for end-to-end tests, on free ports, started the one way the stack starts
them (`emulators.processes.serving`, with the commands of `emulators.stack`), from the
repository's root."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from emulators.gcloud import free_port
from emulators.processes import Served, serving
from emulators.stack import functions_command

__all__ = ["ROOT", "Server", "functions_server", "running"]

ROOT = Path(__file__).resolve().parents[2]
Server = Served
running = functools.partial(serving, cwd=ROOT)


@contextmanager
def functions_server(**env_overrides: str) -> Iterator[Server]:
    """Every function on a free port, with this environment plus the overrides."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_overrides}
    with running(functions_command(port), env=env, port=port) as server:
        yield server
