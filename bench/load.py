"""A small closed-loop load generator: `concurrency` workers, each with one keep-alive HTTP
connection, take the next request from a shared list until it is empty. Raw `http.client`
keeps the generator's own CPU cost low: on two cores it competes with the server."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Request", "Response", "run_requests"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Response:
    index: int
    status: int
    body: bytes
    latency_s: float


def run_requests(
    base_url: str, requests: Sequence[Request], *, concurrency: int, timeout: float = 60.0
) -> tuple[list[Response], float]:
    """Send every request (in order, `concurrency` at a time); (responses by index, wall s)."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    results: list[Response | None] = [None] * len(requests)
    next_index = iter(range(len(requests)))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                results[index] = _send(connection, index, requests[index])
        except BaseException as error:  # reported to the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 600)
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    done = [result for result in results if result is not None]
    if len(done) != len(requests):
        raise RuntimeError(f"{len(requests) - len(done)} requests got no answer")
    return done, wall


def _send(connection: http.client.HTTPConnection, index: int, request: Request) -> Response:
    headers = dict(request.headers)
    if request.body is not None:
        headers.setdefault("Content-Type", "application/json")
    started = time.perf_counter()
    connection.request(request.method, request.path, body=request.body, headers=headers)
    response = connection.getresponse()
    body = response.read()
    latency = time.perf_counter() - started
    return Response(index, response.status, body, latency)
