from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulators import gcloud
from tests.e2e.api.stack import ApiStack, api_stack


@pytest.fixture(scope="module")
def stack(
    firestore_emulator: gcloud.RunningEmulator,
    pubsub_emulator: gcloud.RunningEmulator,
    mail_capture: str,
) -> Iterator[ApiStack]:
    with api_stack(mail_capture, pubsub_emulator) as running:
        yield running
