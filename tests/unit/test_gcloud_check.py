"""When gcloud or an emulator is missing, the message names the exact package to install."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulators import gcloud


def test_missing_gcloud_names_the_cli_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(gcloud.EmulatorMissing, match="google-cloud-cli"):
        gcloud.check_installed(gcloud.EMULATORS["firestore"])
    assert gcloud.main(["check"]) == 2


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("firestore", "google-cloud-cli-firestore-emulator"),
        ("pubsub", "google-cloud-cli-pubsub-emulator"),
    ],
)
def test_missing_component_names_its_debian_package(
    name: str, package: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_gcloud = tmp_path / "sdk" / "bin" / "gcloud"
    fake_gcloud.parent.mkdir(parents=True)
    fake_gcloud.write_text("#!/bin/sh\n")
    fake_gcloud.chmod(0o755)
    (tmp_path / "sdk" / "platform").mkdir()
    monkeypatch.setenv("PATH", str(fake_gcloud.parent))
    with pytest.raises(gcloud.EmulatorMissing, match=f"apt-get install {package}"):
        gcloud.check_installed(gcloud.EMULATORS[name])


def test_this_machine_has_everything_the_stack_needs() -> None:
    assert gcloud.main(["check"]) == 0
