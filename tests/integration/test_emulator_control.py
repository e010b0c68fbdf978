"""The official emulators start on free ports, reset cleanly, and stop with their Java child."""

from __future__ import annotations

import urllib.request

import ledger
from emulators import gcloud
from tests.conftest import PROJECT
from tests.support.processes import java_processes_serving


def test_stopping_an_emulator_stops_its_java_child_too() -> None:
    emulator = gcloud.start("pubsub", project=PROJECT)
    with urllib.request.urlopen(emulator.url, timeout=5) as response:
        assert response.status == 200
    assert java_processes_serving(emulator.host_port), "expected the emulator's Java process"
    emulator.stop()
    assert java_processes_serving(emulator.host_port) == []


def test_reset_empties_the_database(firestore: gcloud.RunningEmulator) -> None:
    db = ledger.connect(PROJECT)
    db.collection("payments").document("pay_1").set({"amount": 1000, "currency": "usd"})
    assert db.collection("payments").document("pay_1").get().exists
    gcloud.reset_firestore(firestore.host_port, PROJECT)
    assert not db.collection("payments").document("pay_1").get().exists
