"""The Firestore ledger: the only package that talks to Firestore, and knows nothing of what the
documents mean. `store.py` is the port (`AbstractStore`: get, create, set, update, increment,
query, `transact(reads, decide)`) and its Firestore adapter; `memory.py` the in-memory store
that behaves like it; `collections.py` every collection's name; `ids.py` what a document id may
be. It raises only `Unavailable` (Firestore unreachable) and `Contention` (a transaction kept
colliding); every rule and every user-facing message belongs to the service that owns it.
"""

from __future__ import annotations

from ledger.client import connect
from ledger.health import ping

__all__ = ["connect", "ping"]
