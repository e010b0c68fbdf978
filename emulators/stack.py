"""`make run`: the whole product on this machine, on its embedded default stack.

Starts the official Firestore and Pub/Sub emulators, then every function on one port, prints
the URLs and stays in the foreground. Ctrl-C (or SIGTERM) stops everything it started, each by
its process group. Ports: `PORT` (functions, default 8080), `FIRESTORE_PORT` (8085),
`PUBSUB_PORT` (8086).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from emulators import gcloud

__all__ = ["main"]

PROJECT = "demo-payments"


@dataclass
class Service:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    stop: Callable[[], None]


def main() -> int:
    ports = _ports(os.environ)
    services: list[Service] = []
    _stop_on_sigterm()
    try:
        for name in ("firestore", "pubsub"):
            emulator = gcloud.start(name, project=PROJECT, port=ports[name])
            services.append(
                Service(f"{name} emulator", emulator.url, emulator.process, emulator.stop)
            )
        env = _product_env(services, ports)
        services.append(_start_functions(env, ports["functions"]))
        _print_urls(services)
        _wait_for_exit(services)
        return 1
    except gcloud.EmulatorMissing as missing:
        print(f"make run: {missing}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    finally:
        for service in reversed(services):
            service.stop()
        if services:
            print("stack stopped", flush=True)


def _ports(env: Mapping[str, str]) -> dict[str, int]:
    return {
        "functions": int(env.get("PORT", "8080")),
        "firestore": int(env.get("FIRESTORE_PORT", "8085")),
        "pubsub": int(env.get("PUBSUB_PORT", "8086")),
    }


def _product_env(services: list[Service], ports: Mapping[str, int]) -> dict[str, str]:
    hosts = {s.name: s.url.removeprefix("http://") for s in services}
    env = dict(os.environ)
    env.update(
        GOOGLE_CLOUD_PROJECT=PROJECT,
        FIRESTORE_EMULATOR_HOST=hosts["firestore emulator"],
        PUBSUB_EMULATOR_HOST=hosts["pubsub emulator"],
        PORT=str(ports["functions"]),
        APP_BASE_URL=f"http://127.0.0.1:{ports['functions']}",
    )
    return env


def _start_functions(env: dict[str, str], port: int) -> Service:
    process = subprocess.Popen(
        [sys.executable, "-m", "functions", "serve", "--port", str(port)],
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_for_http(f"{url}/health", process)

    return Service("functions", url, process, lambda: _stop_group(process))


def _wait_for_http(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _print_urls(services: list[Service]) -> None:
    print("\nPayment Event Processor is running:", flush=True)
    for service in services:
        print(f"  {service.name:<20} {service.url}", flush=True)
    print("Press Ctrl-C to stop everything.\n", flush=True)


def _wait_for_exit(services: list[Service]) -> None:
    """Return when one of the services exits on its own (Ctrl-C raises KeyboardInterrupt)."""
    while True:
        for service in services:
            if service.process.poll() is not None:
                print(f"make run: {service.name} exited unexpectedly", file=sys.stderr)
                return
        time.sleep(0.5)


def _stop_on_sigterm() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


if __name__ == "__main__":
    sys.exit(main())
