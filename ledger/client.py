"""Creating the Firestore client. With FIRESTORE_EMULATOR_HOST set, the library talks to the
local emulator without credentials; otherwise it uses the function's service account."""

from __future__ import annotations

from google.cloud import firestore

__all__ = ["Firestore", "connect"]

Firestore = firestore.Client


def connect(project: str) -> Firestore:
    return firestore.Client(project=project)
