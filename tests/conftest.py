"""Session-wide fixtures: the official emulators on free ports, and a place for measurements.

Emulators start only when a test asks for them, once per session, and stop at its end; the
Firestore data is cleared before every test that uses it (the emulator's reset endpoint).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators import gcloud

PROJECT = "demo-tests"
_MEASUREMENTS: list[str] = []


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[gcloud.RunningEmulator]:
    emulator = gcloud.start("firestore", project=PROJECT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FIRESTORE_EMULATOR_HOST", emulator.host_port)
        patch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
        try:
            yield emulator
        finally:
            emulator.stop()


@pytest.fixture(scope="session")
def pubsub_emulator() -> Iterator[gcloud.RunningEmulator]:
    emulator = gcloud.start("pubsub", project=PROJECT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PUBSUB_EMULATOR_HOST", emulator.host_port)
        try:
            yield emulator
        finally:
            emulator.stop()


@pytest.fixture
def firestore(firestore_emulator: gcloud.RunningEmulator) -> Iterator[gcloud.RunningEmulator]:
    """The session's Firestore emulator, emptied, with the product's clients rebuilt for it."""
    import bootstrap

    gcloud.reset_firestore(firestore_emulator.host_port, PROJECT)
    bootstrap.reset()
    yield firestore_emulator
    bootstrap.reset()


@pytest.fixture(scope="session")
def mail_capture() -> Iterator[str]:
    """The Mailgun-compatible mail capture (`emulators.mail`), in a thread on a free port: its
    URL. Tests read messages with `GET {url}/messages?to=ADDRESS`."""
    import threading

    from werkzeug.serving import make_server

    from emulators.mail import create_app

    server = make_server("127.0.0.1", gcloud.free_port(), create_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def measurements() -> list[str]:
    """Append a line here and it is printed in the session summary (real figures only)."""
    return _MEASUREMENTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _MEASUREMENTS:
        terminalreporter.section("measurements")
        for line in _MEASUREMENTS:
            terminalreporter.write_line(line)
