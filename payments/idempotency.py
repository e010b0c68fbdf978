"""The idempotency guard of our own API (SPEC §5): one record per (tenant, `Idempotency-Key`).

    stored = run(store, request, action, now=now)   # action(key) -> (status, body)

1. **Reserve** — create `idempotency/{sha256(tenant, key)}` as `in_flight` with a lease (a
   create: exactly one concurrent request wins and nobody waits on a lock). If the record
   exists, one small transaction decides: another fingerprint → `Conflict` 409
   (`idempotency_key_reused`); `completed` → the stored response, byte for byte; `in_flight`
   → `RequestInFlight` 409 with `Retry-After` (never a second Stripe call); a lease whose
   holder died, or a record past its expiry, is taken over.
2. **Act** — outside any transaction, with the same key forwarded to Stripe.
3. **Record** — the response, or an error Stripe answered (`replayable`: Stripe stores those
   too), completes the record; any other failure (validation, 429, Stripe unreachable,
   Firestore) releases it so the client may retry with the same key.

The fingerprint is method + path + tenant + the canonical JSON body. Records expire after
24 hours (`expire_records`, run by the scheduled `jobs` function; also a Firestore TTL).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.errors import AppError, Conflict, RequestInFlight, ValidationError
from ledger.collections import IDEMPOTENCY
from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet

__all__ = [
    "LEASE",
    "RECORD_TTL",
    "IdempotentRequest",
    "StoredResponse",
    "dumps",
    "expire_records",
    "replayable",
    "run",
    "validate_key",
]

RECORD_TTL = timedelta(hours=24)
LEASE = timedelta(seconds=60)
MAX_KEY_LENGTH = 255

Action = Callable[[str], tuple[int, object]]


def dumps(body: object) -> str:
    """The JSON text of a response body (the same bytes `functions._http.json_response` sends)."""
    return json.dumps(body, separators=(",", ":"))


def validate_key(raw: str) -> str:
    if not 0 < len(raw) <= MAX_KEY_LENGTH or not raw.isprintable() or not raw.isascii():
        raise ValidationError(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
            code="invalid_idempotency_key",
            param="Idempotency-Key",
        )
    return raw


@dataclass(frozen=True)
class IdempotentRequest:
    tenant_id: str
    key: str
    method: str
    path: str
    body: bytes  # the raw request body; JSON is canonicalized before fingerprinting

    @property
    def record_id(self) -> str:
        return hashlib.sha256(f"{self.tenant_id}\n{self.key}".encode()).hexdigest()

    @property
    def fingerprint(self) -> str:
        parts = [self.method.upper(), self.path, self.tenant_id, _canonical(self.body)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: str
    replayed: bool = False


def replayable(error: AppError) -> bool:
    """Would Stripe have stored this outcome under the key? Yes for its 4xx answers (a decline,
    a bad state), no for throttling and failures to reach it."""
    return error.from_stripe and 400 <= error.status < 500 and error.status != 429


def run(
    store: AbstractStore, request: IdempotentRequest, action: Action, *, now: datetime
) -> StoredResponse:
    token = uuid.uuid4().hex
    replay = _reserve(store, request, token, now)
    if replay is not None:
        return replay
    try:
        status, body = action(request.key)
    except AppError as error:
        if replayable(error):
            stored = StoredResponse(error.status, dumps(error.to_body()))
            _finish(store, request, token, stored, now)
        else:
            _finish(store, request, token, None, now)
        raise
    except Exception:
        _finish(store, request, token, None, now)
        raise
    stored = StoredResponse(status, dumps(body))
    _finish(store, request, token, stored, now)
    return stored


def _reserve(
    store: AbstractStore, request: IdempotentRequest, token: str, now: datetime
) -> StoredResponse | None:
    key = DocKey(IDEMPOTENCY, request.record_id)
    fresh = _in_flight(request, token, now)
    if store.create(key, fresh):
        return None

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, StoredResponse | None]:
        writes, current = WriteSet(), docs[key]
        if current is None or _as_datetime(current["expire_at"]) <= now:
            writes.set(key, fresh)
            return writes, None
        if current["fingerprint"] != request.fingerprint:
            raise Conflict(
                "This Idempotency-Key was already used with a different request",
                code="idempotency_key_reused",
            )
        if current["status"] == "completed":
            response = current["response"]
            return writes, StoredResponse(int(response["status"]), response["body"], True)
        if _as_datetime(current["lease_until"]) > now:
            raise RequestInFlight(
                "A request with this Idempotency-Key is still in progress; retry shortly"
            )
        writes.set(key, fresh)  # its holder died: take over (Stripe dedupes on the same key)
        return writes, None

    return store.transact([key], decide)


def _finish(
    store: AbstractStore,
    request: IdempotentRequest,
    token: str,
    stored: StoredResponse | None,
    now: datetime,
) -> None:
    """Complete the record with `stored`, or release it (None) — only if it is still ours."""
    key = DocKey(IDEMPOTENCY, request.record_id)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        writes, current = WriteSet(), docs[key]
        if current is None or current.get("token") != token:
            return writes, None
        if stored is None:
            writes.delete(key)
        else:
            response = {"status": stored.status, "body": stored.body}
            writes.update(key, {"status": "completed", "response": response, "completed_at": now})
        return writes, None

    store.transact([key], decide)


def expire_records(store: AbstractStore, *, now: datetime, limit: int = 300) -> int:
    """Delete records past their expiry (the `jobs` function runs this); how many went."""
    rows = store.query(
        Query(
            IDEMPOTENCY,
            where=(("expire_at", "<=", now),),
            order_by=(("expire_at", "asc"),),
            limit=limit,
        )
    )
    keys = [DocKey(IDEMPOTENCY, record_id) for record_id, _ in rows]
    if not keys:
        return 0

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, int]:
        writes = WriteSet()
        for key, doc in docs.items():
            if doc is not None and _as_datetime(doc["expire_at"]) <= now:
                writes.delete(key)
        return writes, len(writes.deletes)

    return store.transact(keys, decide)


def _in_flight(request: IdempotentRequest, token: str, now: datetime) -> Doc:
    return {
        "tenant_id": request.tenant_id,
        "key": request.key,
        "method": request.method.upper(),
        "path": request.path,
        "fingerprint": request.fingerprint,
        "status": "in_flight",
        "token": token,
        "response": None,
        "created_at": now,
        "lease_until": now + LEASE,
        "expire_at": now + RECORD_TTL,
    }


def _canonical(body: bytes) -> str:
    if not body.strip():
        return ""
    try:
        return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return "raw:" + hashlib.sha256(body).hexdigest()


def _as_datetime(value: Any) -> datetime:
    """Firestore returns its own datetime subclass; fakes return plain datetimes."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
