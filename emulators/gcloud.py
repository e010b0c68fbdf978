"""The official Google Cloud emulators (Firestore, Pub/Sub) from the machine's Google Cloud CLI.

Each emulator is started through `gcloud` in a process group of its own: stopping only the
`gcloud` wrapper would leave its Java child serving, so `stop()` signals the whole group.
Used by `make run` (emulators.stack) and by the test fixtures.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = [
    "EMULATORS",
    "EmulatorMissing",
    "EmulatorSpec",
    "RunningEmulator",
    "free_port",
    "reset_firestore",
    "start",
]


class EmulatorMissing(RuntimeError):
    """The Google Cloud CLI or one of its emulator components is not installed."""


@dataclass(frozen=True)
class EmulatorSpec:
    name: str
    gcloud_args: tuple[str, ...]
    component_dir: str  # under the SDK's platform/
    debian_package: str
    env_var: str


EMULATORS = {
    "firestore": EmulatorSpec(
        name="firestore",
        gcloud_args=("emulators", "firestore", "start"),
        component_dir="cloud-firestore-emulator",
        debian_package="google-cloud-cli-firestore-emulator",
        env_var="FIRESTORE_EMULATOR_HOST",
    ),
    "pubsub": EmulatorSpec(
        name="pubsub",
        gcloud_args=("beta", "emulators", "pubsub", "start"),
        component_dir="pubsub-emulator",
        debian_package="google-cloud-cli-pubsub-emulator",
        env_var="PUBSUB_EMULATOR_HOST",
    ),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_gcloud() -> str:
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        raise EmulatorMissing(
            "gcloud is not installed: install the Debian package google-cloud-cli "
            "(apt-get install google-cloud-cli)"
        )
    return gcloud


def check_installed(spec: EmulatorSpec) -> str:
    """The path of `gcloud`, once it and the emulator component are known to be there."""
    gcloud = find_gcloud()
    sdk_root = Path(os.path.realpath(gcloud)).parent.parent
    if not (sdk_root / "platform" / spec.component_dir).is_dir():
        raise EmulatorMissing(
            f"the {spec.name} emulator is not installed: install the Debian package "
            f"{spec.debian_package} (apt-get install {spec.debian_package})"
        )
    if shutil.which("java") is None:
        raise EmulatorMissing("java is not installed: install the Debian package default-jre")
    return gcloud


@dataclass
class RunningEmulator:
    spec: EmulatorSpec
    host_port: str
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://{self.host_port}"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the wrapper and its Java child: signal the whole process group."""
        if self.process.poll() is not None and not _group_alive(self.process.pid):
            return
        _signal_group(self.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _group_alive(self.process.pid):
            time.sleep(0.05)
        if _group_alive(self.process.pid):
            _signal_group(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=timeout)


def start(
    name: str,
    *,
    project: str,
    port: int | None = None,
    log: IO[bytes] | int = subprocess.DEVNULL,
    timeout: float = 60.0,
) -> RunningEmulator:
    """Start an emulator on 127.0.0.1 and return once it answers HTTP."""
    spec = EMULATORS[name]
    gcloud = check_installed(spec)
    host_port = f"127.0.0.1:{port or free_port()}"
    command = [gcloud, *spec.gcloud_args, f"--host-port={host_port}", f"--project={project}"]
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    emulator = RunningEmulator(spec, host_port, process)
    try:
        _wait_until_ready(emulator, timeout)
    except BaseException:
        emulator.stop()
        raise
    return emulator


def reset_firestore(host_port: str, project: str) -> None:
    """Delete every document in the emulator's default database (its documented reset)."""
    url = f"http://{host_port}/emulator/v1/projects/{project}/databases/(default)/documents"
    request = urllib.request.Request(url, method="DELETE")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _wait_until_ready(emulator: RunningEmulator, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if emulator.process.poll() is not None:
            raise RuntimeError(
                f"the {emulator.spec.name} emulator exited with {emulator.process.returncode}"
            )
        try:
            with urllib.request.urlopen(emulator.url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise TimeoutError(f"the {emulator.spec.name} emulator did not answer within {timeout}s")


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group lives (a zombie leader is reaped first)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pgid, os.WNOHANG)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def main(argv: list[str]) -> int:
    """`python -m emulators.gcloud check`: exit 2, naming the package to install, if missing."""
    if argv != ["check"]:
        print("usage: python -m emulators.gcloud check", file=sys.stderr)
        return 2
    try:
        for spec in EMULATORS.values():
            check_installed(spec)
    except EmulatorMissing as missing:
        print(f"missing: {missing}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
