"""The cold-start baseline: a bare functions-framework hello-world that imports the client
libraries named in `BENCH_HELLO_IMPORTS` (comma-separated), as the function it is compared
with imported them by its first 200, and does nothing else."""

from __future__ import annotations

import importlib
import os

for _name in filter(None, os.environ.get("BENCH_HELLO_IMPORTS", "").split(",")):
    importlib.import_module(_name)


def hello(request: object) -> str:
    return "hello"
