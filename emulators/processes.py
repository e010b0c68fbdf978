"""Child processes of the local stack, the tests and the bench, started one way (`spawn`, or
`serving` for a block): each in a process group of its own (`start_new_session=True`), waited
for over HTTP, and stopped as a group, so nothing it spawned (a `gcloud` wrapper's Java child, a
server's workers) outlives it."""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Served",
    "child_process_groups",
    "serving",
    "spawn",
    "stop_process_group",
    "stop_process_groups",
    "wait_for_200",
]


def wait_for_200(url: str, process: subprocess.Popen[Any], *, timeout: float = 30.0) -> float:
    """Poll `url` until it answers 200; the `time.perf_counter()` at which it did. Fails at once
    if `process` exits first, and after `timeout` seconds otherwise."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.005)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s")


@dataclass
class Served:
    """A server process of the stack, the tests or the bench, started by `spawn`."""

    url: str
    process: subprocess.Popen[Any]
    started_at: float  # time.perf_counter() just before the process was spawned
    ready_at: float = 0.0  # ... and when it first answered 200 (`wait_ready`; 0 until then)
    log_path: Path | None = None  # everything it printed (a file: a full pipe would stall it)

    def wait_ready(self, ready_path: str = "/health", *, timeout: float = 30.0) -> Served:
        """Return once it answers 200; if it exits or times out first, say so with the end of
        what it printed (why it did not start)."""
        try:
            self.ready_at = wait_for_200(self.url + ready_path, self.process, timeout=timeout)
        except (RuntimeError, TimeoutError) as failed:
            tail = self.output()[-3000:]
            raise type(failed)(
                f"{failed}; its output ended with:\n{tail}" if tail else str(failed)
            ) from None
        return self

    def output(self) -> str:
        """What it printed so far ('' when its output went to the terminal)."""
        return self.log_path.read_text(errors="replace") if self.log_path else ""


def spawn(
    argv: list[str],
    *,
    port: int,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    to_terminal: bool = False,
) -> Served:
    """Start `argv` (a server on 127.0.0.1:`port`) in a process group of its own, its output to
    a log file (or to this terminal), and return at once: the caller counts it among what it
    must stop before it waits for it (`Served.wait_ready`)."""
    log_path = None
    output: Any = None
    if not to_terminal:
        log = tempfile.NamedTemporaryFile(prefix="server-", suffix=".log", delete=False)  # noqa: SIM115
        log_path, output = Path(log.name), log
    started = time.perf_counter()
    try:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=output,
            stderr=subprocess.STDOUT if output is not None else None,
            start_new_session=True,
        )
    finally:
        if output is not None:
            output.close()  # the child has its own copy
    return Served(f"http://127.0.0.1:{port}", process, started, log_path=log_path)


@contextmanager
def serving(
    argv: list[str],
    *,
    port: int,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    ready_path: str = "/health",
    timeout: float = 30.0,
) -> Iterator[Served]:
    """`spawn`, wait until it answers, and stop its process group when the block ends, however
    it ends. Its log stays readable after the block, until this process exits."""
    served = spawn(argv, port=port, env=env, cwd=cwd)
    if served.log_path is not None:
        atexit.register(served.log_path.unlink, missing_ok=True)
    try:
        yield served.wait_ready(ready_path, timeout=timeout)
    finally:
        stop_process_group(served.process)


def stop_process_group(process: subprocess.Popen[Any], *, grace_s: float = 15.0) -> None:
    """SIGTERM the process's group; SIGKILL it if any member lives after `grace_s`."""
    stop_process_groups([process], grace_s=grace_s)


def stop_process_groups(
    leaders: Iterable[subprocess.Popen[Any] | int],
    *,
    grace_s: float = 15.0,
    kill_wait_s: float = 5.0,
) -> list[int]:
    """Stop several process groups at once, in a bounded time; the groups that needed SIGKILL.

    Each leader is a child of this process started with `start_new_session=True` (a `Popen`, or
    its pid), so its pid is its group's id. Every group gets SIGTERM at once; a group with any
    member alive (not only the leader: a wrapper's children too) after `grace_s` gets SIGKILL,
    and is then waited for at most `kill_wait_s` more. The leaders are reaped.
    """
    processes = {(leader if isinstance(leader, int) else leader.pid): leader for leader in leaders}
    for pgid in processes:
        _signal_group(pgid, signal.SIGTERM)
    alive = _wait_until_gone(processes, grace_s)
    for pgid in alive:
        _signal_group(pgid, signal.SIGKILL)
    _wait_until_gone({pgid: processes[pgid] for pgid in alive}, kill_wait_s)
    _reap(processes.values())  # a leader that died after its last look is a zombie until now
    return alive


def child_process_groups() -> list[int]:
    """The process groups led by this process's living children, besides this process's own
    group (read from /proc; none where there is no /proc). A catch-all for a child whose
    `Popen` was never handed back (a signal between its start and its registration)."""
    me, my_group = os.getpid(), os.getpgrp()
    return [
        pid
        for pid, state, ppid, pgrp in _proc_stats() or []
        if ppid == me and pgrp == pid != my_group and state not in _DEAD
    ]


_DEAD = ("Z", "X")  # a zombie holds nothing but its exit status


def _proc_stats() -> list[tuple[int, str, int, int]] | None:
    """(pid, state, ppid, process group) of every process, from /proc; None without /proc."""
    try:
        entries = [entry for entry in Path("/proc").iterdir() if entry.name.isdigit()]
    except OSError:
        return None
    stats = []
    for entry in entries:
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # pid (comm) state ppid pgrp ...: the comm may hold spaces and parentheses
        state, ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        stats.append((int(entry.name), state, int(ppid), int(pgrp)))
    return stats


def _wait_until_gone(
    processes: dict[int, subprocess.Popen[Any] | int], timeout: float
) -> list[int]:
    """Wait until no member of these groups lives, at most `timeout`; the groups still alive."""
    deadline = time.monotonic() + timeout
    alive = _living_groups(processes)
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = _living_groups({pgid: processes[pgid] for pgid in alive})
    return alive


def _living_groups(processes: dict[int, subprocess.Popen[Any] | int]) -> list[int]:
    """The groups with a living member: their exited leaders are reaped first, and a zombie
    whose parent died (waiting for init to reap it) does not count where /proc tells."""
    _reap(processes.values())
    signalled = [pgid for pgid in processes if _group_exists(pgid)]
    stats = _proc_stats() if signalled else None
    if stats is None:
        return signalled
    living = {pgrp for _, state, _, pgrp in stats if state not in _DEAD}
    return [pgid for pgid in signalled if pgid in living]


def _reap(leaders: Iterable[subprocess.Popen[Any] | int]) -> None:
    """Collect the exit status of every leader that has exited (never waits)."""
    for leader in leaders:
        if isinstance(leader, int):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(leader, os.WNOHANG)
        else:
            leader.poll()


def _group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the id was reused by a group that is not ours
        return False
    return True


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
