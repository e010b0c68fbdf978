"""Liveness and readiness of the service."""

from __future__ import annotations

from payments import bootstrap

__all__ = ["check_ready"]


def check_ready() -> dict[str, str]:
    """Raise `Unavailable` unless every dependency a request needs is answering."""
    from ledger import ping  # deferred: liveness and the index never pay Firestore's import

    ping(bootstrap.firestore_client())
    return {"firestore": "ok"}
