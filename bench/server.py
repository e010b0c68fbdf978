"""The product's all-functions app (`functions.server.create_app()`), served for the bench.

`python -m bench.server --port N` is `python -m functions serve` with two differences, both
outside the product's code: the Firestore client that `payments.bootstrap` builds is
instrumented (`bench.rpc`), and `GET /__bench/rpc` answers the counts and the split of each
request's time between Firestore RPCs and the rest (`?reset=1` zeroes them).
werkzeug's per-request access log line is off (a deployed function has none).

`running_server(env)` starts it on a free port and stops it (the driver's side).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.rpc import RpcCounter, instrument
from emulators.processes import stop_process_group, wait_for_200

__all__ = ["BenchServer", "main", "running_server"]

ROOT = Path(__file__).resolve().parents[1]
RPC_PATH = "/__bench/rpc"

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


def main(argv: list[str] | None = None) -> int:
    from werkzeug.serving import WSGIRequestHandler, make_server

    from functions.server import create_app
    from payments import bootstrap

    parser = argparse.ArgumentParser(prog="python -m bench.server")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)

    counter = RpcCounter()
    instrument(bootstrap.firestore_client(), counter)

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

    app = counting_app(create_app(), counter)
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=QuietHandler)
    print(f"bench server on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()
    return 0


@dataclass
class BenchServer:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path  # its output (JSON log lines), while the server runs

    def rpc(self, *, reset: bool = False) -> dict[str, Any]:
        query = "?reset=1" if reset else ""
        with urllib.request.urlopen(f"{self.url}{RPC_PATH}{query}", timeout=10) as response:
            counts: dict[str, Any] = json.loads(response.read())
        return counts


@contextmanager
def running_server(env: dict[str, str], *, port: int) -> Iterator[BenchServer]:
    """`python -m bench.server` with `env`, until the block ends; its output goes to a file."""
    with tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.server", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = BenchServer(f"http://127.0.0.1:{port}", process, Path(log.name))
        try:
            wait_for_200(f"{server.url}/health", process, timeout=60.0)
            yield server
        except BaseException:
            log.flush()
            tail = Path(log.name).read_text(errors="replace")[-3000:]
            print(f"bench server output (tail):\n{tail}", file=sys.stderr)
            raise
        finally:
            stop_process_group(process)


if __name__ == "__main__":
    sys.exit(main())
