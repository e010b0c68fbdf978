"""The Firestore ledger: the only package that talks to Firestore."""

from __future__ import annotations

from ledger.client import connect
from ledger.health import ping

__all__ = ["connect", "ping"]
