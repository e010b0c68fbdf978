"""Is Firestore answering? One cheap read with a short deadline and no retries."""

from __future__ import annotations

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore

from core.errors import Unavailable

__all__ = ["ping"]

PING_COLLECTION = "_health"


def ping(db: firestore.Client, *, timeout: float = 2.0) -> None:
    """Raise `Unavailable` unless Firestore answers a document read within `timeout` seconds."""
    try:
        db.collection(PING_COLLECTION).document("ready").get(timeout=timeout, retry=None)
    except (google_exceptions.GoogleAPICallError, google_exceptions.RetryError) as error:
        raise Unavailable("Firestore is not reachable", code="firestore_unavailable") from error
