"""The composition root: builds the expensive clients lazily, once per process.

A cold start pays only for what the function it serves actually uses: importing this module
imports no client library; each accessor imports and builds its client on first call.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from payments.settings import get_settings

if TYPE_CHECKING:
    from ledger.client import Firestore

__all__ = ["firestore_client", "pubsub_publisher", "reset"]


@functools.cache
def firestore_client() -> Firestore:
    import ledger

    return ledger.connect(get_settings().project)


@functools.cache
def pubsub_publisher() -> Any:
    from google.cloud.pubsub_v1 import PublisherClient

    return PublisherClient()


def reset() -> None:
    """Forget every built client and the settings (tests that change the environment)."""
    firestore_client.cache_clear()
    pubsub_publisher.cache_clear()
    get_settings.cache_clear()
