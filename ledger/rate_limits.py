"""Rate-limit counters shared by every instance: `rate_limits/{sha256(bucket:window)}`.

Fixed windows: each bucket counts events in a document per window (`count`, `expire_at` for a
TTL policy). `hit` is one atomic server-side increment that returns the new count, so it needs
no transaction and never aborts under contention (a burst of failures is exactly when the
limiter must keep answering). `retry_after` only reads.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime

from google.cloud import firestore

from ledger._transactions import translated

__all__ = ["hit", "retry_after"]

RATE_LIMITS = "rate_limits"


def _window(
    db: firestore.Client, bucket: str, window: int, now: datetime
) -> tuple[firestore.DocumentReference, datetime]:
    index = int(now.timestamp()) // window
    end = datetime.fromtimestamp((index + 1) * window, UTC)
    doc_id = hashlib.sha256(f"{bucket}:{window}:{index}".encode()).hexdigest()
    return db.collection(RATE_LIMITS).document(doc_id), end


def _seconds_left(end: datetime, now: datetime) -> int:
    return max(1, math.ceil((end - now).total_seconds()))


@translated
def retry_after(
    db: firestore.Client, bucket: str, *, limit: int, window: int, now: datetime
) -> int | None:
    """Seconds to wait if the bucket already holds `limit` events in this window, else None."""
    ref, end = _window(db, bucket, window, now)
    snapshot = ref.get()
    if not snapshot.exists or int(snapshot.get("count") or 0) < limit:
        return None
    return _seconds_left(end, now)


@translated
def hit(db: firestore.Client, bucket: str, *, limit: int, window: int, now: datetime) -> int | None:
    """Count one event; seconds to wait if it went over `limit` in this window, else None."""
    ref, end = _window(db, bucket, window, now)
    result = ref.set({"count": firestore.Increment(1), "expire_at": end}, merge=True)
    count = int(result.transform_results[0].integer_value)
    return None if count <= limit else _seconds_left(end, now)
