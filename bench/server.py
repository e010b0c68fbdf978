"""The product's functions (`functions.server.create_app()`), served for the bench by gunicorn
with threads, as functions-framework serves a deployed function, with two differences, both
outside the product's code: the Firestore client that `bootstrap` builds is
instrumented (`bench.rpc`), and `GET /__bench/rpc` answers the counts and the split of each
request's time between Firestore RPCs and the rest (`?reset=1` zeroes them).
`counted_app("webhooks")` serves only that function's routes: its own instance, as deployed.

`running_server(env)` starts the bench's two processes on free ports and stops them (the
driver's side): `webhooks` alone, which Stripe's deliveries reach, and every function, which
the queues' push subscriptions and the other sections reach — as deployed, the ack and the
apply do not share a process (nor its interpreter lock).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.rpc import RpcCounter, instrument
from emulators.processes import serving

__all__ = ["BenchServer", "counted_app", "running_server"]

ROOT = Path(__file__).resolve().parents[1]
RPC_PATH = "/__bench/rpc"
THREADS = 48

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
Wsgi = Callable[[Environ, StartResponse], Iterable[bytes]]


def counting_app(app: Wsgi, counter: RpcCounter) -> Wsgi:
    def wrapped(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != RPC_PATH:
            with counter.unit(environ.get("PATH_INFO", "")):
                return app(environ, start_response)
        body = json.dumps(counter.snapshot()).encode()
        if "reset=1" in environ.get("QUERY_STRING", ""):
            counter.reset()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return wrapped


def counted_app(functions: str = "") -> Wsgi:
    """The app gunicorn serves in its worker: the functions named (comma-separated; all when
    empty), their Firestore client instrumented, `GET /__bench/rpc` answering the counts."""
    import bootstrap
    from functions.server import create_app

    counter = RpcCounter()
    instrument(bootstrap.firestore_client(), counter)
    names = [name for name in functions.split(",") if name] or None
    return counting_app(create_app(names), counter)


def command(port: int, functions: str) -> list[str]:
    """gunicorn with threads, as functions-framework serves a deployed function: one worker
    process; as many threads as the bench has senders, and some for the queues' pushes."""
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", "1", "--threads", str(THREADS),
        "--timeout", "0",
        f"bench.server:counted_app({functions!r})",
    ]  # fmt: skip


@dataclass
class BenchServer:
    url: str  # every function
    webhook_url: str  # the `webhooks` function alone
    log_paths: tuple[Path, ...]  # their output (JSON log lines), while they run

    def rpc(self, *, reset: bool = False) -> dict[str, Any]:
        """Both processes' counts, added up (each request path lives in one of them)."""
        return merge_counts([_rpc(url, reset=reset) for url in (self.url, self.webhook_url)])


def merge_counts(counts: list[dict[str, Any]]) -> dict[str, Any]:
    calls: Counter[str] = Counter()
    for one in counts:
        calls.update(one["calls"])
    by_path: dict[str, Any] = {}
    for one in counts:
        for path, row in one["by_path"].items():
            if path in by_path:
                raise ValueError(f"{path} was served by two processes")
            by_path[path] = row
    return {
        "calls": dict(calls),
        "total": sum(one["total"] for one in counts),
        "documents_written": sum(one["documents_written"] for one in counts),
        "apply_writes": [size for one in counts for size in one["apply_writes"]],
        "time": counts[0]["time"],  # the process of every function (the API sections')
        "ms_per_call": counts[0]["ms_per_call"],
        "by_path": by_path,
    }


def _rpc(url: str, *, reset: bool) -> dict[str, Any]:
    query = "?reset=1" if reset else ""
    with urllib.request.urlopen(f"{url}{RPC_PATH}{query}", timeout=10) as response:
        counts: dict[str, Any] = json.loads(response.read())
    return counts


@contextmanager
def running_server(env: dict[str, str], *, port: int, webhook_port: int) -> Iterator[BenchServer]:
    """The bench's two server processes with `env`, until the block ends."""
    with (
        _process(env, port=port, functions="") as (url, every_log),
        _process(env, port=webhook_port, functions="webhooks") as (webhook_url, webhook_log),
    ):
        yield BenchServer(url, webhook_url, (every_log, webhook_log))


@contextmanager
def _process(env: dict[str, str], *, port: int, functions: str) -> Iterator[tuple[str, Path]]:
    """gunicorn serving `counted_app(functions)`, its output going to a file: its URL and
    that file."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    with serving(
        command(port, functions), port=port, env=env, cwd=ROOT, ready_path=RPC_PATH, timeout=60.0
    ) as server:
        assert server.log_path is not None
        try:
            yield server.url, server.log_path
        except BaseException:
            print(f"bench server output (tail):\n{server.output()[-3000:]}", file=sys.stderr)
            raise
