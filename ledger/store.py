"""The document store port and its Firestore adapter.

The service layer decides; the ledger reads and writes. `transact(reads, decide)` reads every
key of `reads` in one batched read inside one Firestore transaction, hands the snapshots to the
pure `decide` function, and commits the `WriteSet` it returns. `decide` may run more than once
(Firestore retries aborted transactions), so it must do nothing but compute.
Firestore's failures are translated here: unreachable → `Unavailable`, a transaction that kept
colliding → `Contention`. With a `deadline_s`, every read and single write (and a transaction's
read) gives up after that long, retries included, as `Unavailable`: a request that Stripe or a
customer waits on answers 503 in time instead of hanging through a Firestore stall.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from google.api_core import exceptions as google_exceptions
from google.api_core import retry as google_retry
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from core.errors import Contention, Unavailable
from ledger.ids import storable_id

__all__ = [
    "AbstractStore",
    "Doc",
    "DocKey",
    "FirestoreStore",
    "Query",
    "WriteSet",
]

Doc = dict[str, Any]
T = TypeVar("T")
BUSY = "The ledger is busy with this record; retry shortly"


@dataclass(frozen=True, order=True)
class DocKey:
    collection: str
    id: str


@dataclass
class WriteSet:
    """What one transaction writes: whole documents set, fields updated, documents deleted."""

    sets: dict[DocKey, Doc] = field(default_factory=dict)
    updates: dict[DocKey, Doc] = field(default_factory=dict)
    deletes: set[DocKey] = field(default_factory=set)

    def set(self, key: DocKey, doc: Doc) -> None:
        self.sets[key] = doc

    def update(self, key: DocKey, fields: Doc) -> None:
        self.updates.setdefault(key, {}).update(fields)

    def delete(self, key: DocKey) -> None:
        self.deletes.add(key)


@dataclass(frozen=True)
class Query:
    collection: str
    where: tuple[tuple[str, str, Any], ...] = ()
    order_by: tuple[tuple[str, str], ...] = ()  # (field, "asc" | "desc")
    limit: int | None = None
    start_after: Doc | None = None  # the order_by field values of the last row seen


class AbstractStore(abc.ABC):
    @abc.abstractmethod
    def get(self, key: DocKey) -> Doc | None: ...

    @abc.abstractmethod
    def create(self, key: DocKey, doc: Doc) -> bool:
        """Create the document; False (and nothing written) if it already exists."""

    @abc.abstractmethod
    def set(self, key: DocKey, doc: Doc) -> None:
        """Write the whole document, whether it exists or not."""

    @abc.abstractmethod
    def update(self, key: DocKey, fields: Doc) -> None: ...

    @abc.abstractmethod
    def increment(self, key: DocKey, field: str, *, by: int = 1, also: Doc | None = None) -> int:
        """Add `by` to the document's numeric `field` (0 if absent; the document is created if
        missing), merge `also` into it, atomically without a transaction; the new value."""

    def get_many(self, keys: Sequence[DocKey]) -> dict[DocKey, Doc | None]:
        """Each key's document (None if missing), in one round trip where the store can."""
        return {key: self.get(key) for key in keys}

    @abc.abstractmethod
    def query(self, query: Query) -> list[tuple[str, Doc]]: ...

    @abc.abstractmethod
    def transact(
        self,
        reads: Sequence[DocKey],
        decide: Callable[[Mapping[DocKey, Doc | None]], tuple[WriteSet, T]],
        *,
        max_attempts: int | None = None,
    ) -> T:
        """Run `decide` on a consistent read of `reads` and commit its writes atomically;
        `Contention` once `max_attempts` (default: the store's) collided."""

    def commit_if_unchanged(
        self,
        reads: Sequence[DocKey],
        decide: Callable[[Mapping[DocKey, Doc | None]], tuple[WriteSet, T]],
        *,
        max_attempts: int = 2,
    ) -> T:
        """`transact` without a transaction (optimistic): read `reads`, decide, and commit the
        writes atomically only if no document read and written has changed since it was read
        (else read again; `Contention` after `max_attempts`). It takes no lock and nobody
        waits, but it checks only what it writes: for work whose decision depends on no
        document it leaves unwritten, and that rarely collides (one payment's events, applied
        one at a time by the ordered queue). By default, a `transact`."""
        return self.transact(reads, decide, max_attempts=max_attempts)


class FirestoreStore(AbstractStore):
    def __init__(
        self,
        db: firestore.Client,
        *,
        max_attempts: int = 5,
        before_write: Callable[[DocKey], None] | None = None,
        deadline_s: float | None = None,
    ) -> None:
        self._db = db
        self._max_attempts = max_attempts
        self._before_write = before_write  # a test seam: fail between staged writes
        self._bounded: dict[str, Any] = {}  # the retry and timeout of each bounded call
        if deadline_s is not None:
            retry = google_retry.Retry(
                predicate=google_retry.if_transient_error,
                initial=0.1,
                maximum=1.0,
                timeout=deadline_s,
            )
            self._bounded = {"retry": retry, "timeout": deadline_s}

    def _ref(self, key: DocKey) -> firestore.DocumentReference:
        return self._db.collection(key.collection).document(key.id)

    def _staging(self, key: DocKey) -> None:
        if self._before_write is not None:
            self._before_write(key)

    def get(self, key: DocKey) -> Doc | None:
        if not storable_id(key.id):  # e.g. an id from a URL: no such document can exist
            return None
        with _translated_errors():
            snapshot = self._ref(key).get(**self._bounded)
        return snapshot.to_dict() if snapshot.exists else None

    def create(self, key: DocKey, doc: Doc) -> bool:
        try:
            with _translated_errors():
                self._ref(key).create(doc, **self._bounded)
        except google_exceptions.Conflict:  # AlreadyExists
            return False
        return True

    def set(self, key: DocKey, doc: Doc) -> None:
        with _translated_errors():
            self._ref(key).set(doc, **self._bounded)

    def update(self, key: DocKey, fields: Doc) -> None:
        with _translated_errors():
            self._ref(key).update(fields, **self._bounded)

    def increment(self, key: DocKey, field: str, *, by: int = 1, also: Doc | None = None) -> int:
        with _translated_errors():
            result = self._ref(key).set(
                {field: firestore.Increment(by), **(also or {})}, merge=True, **self._bounded
            )
        return int(result.transform_results[0].integer_value)

    def get_many(self, keys: Sequence[DocKey]) -> dict[DocKey, Doc | None]:
        wanted = _readable(keys)
        found: dict[DocKey, Doc | None] = dict.fromkeys(keys)
        if not wanted:
            return found
        refs = {self._ref(key).path: key for key in wanted}
        with _translated_errors():
            snapshots = self._db.get_all([self._ref(key) for key in wanted], **self._bounded)
            for snapshot in snapshots:
                found[refs[snapshot.reference.path]] = _doc(snapshot)
        return found

    def query(self, query: Query) -> list[tuple[str, Doc]]:
        built: Any = self._db.collection(query.collection)
        for field_path, op, value in query.where:
            built = built.where(filter=FieldFilter(field_path, op, value))
        for field_path, direction in query.order_by:
            order = firestore.Query.DESCENDING if direction == "desc" else firestore.Query.ASCENDING
            built = built.order_by(field_path, direction=order)
        if query.start_after is not None:
            built = built.start_after(query.start_after)
        if query.limit is not None:
            built = built.limit(query.limit)
        with _translated_errors():
            return [(snap.id, snap.to_dict() or {}) for snap in built.stream(**self._bounded)]

    def transact(
        self,
        reads: Sequence[DocKey],
        decide: Callable[[Mapping[DocKey, Doc | None]], tuple[WriteSet, T]],
        *,
        max_attempts: int | None = None,
    ) -> T:
        keys = _readable(reads)

        @firestore.transactional
        def run(transaction: firestore.Transaction) -> T:
            snapshots = self._db.get_all(
                [self._ref(k) for k in keys], transaction=transaction, **self._bounded
            )
            by_path = {snap.reference.path: snap for snap in snapshots}
            docs: dict[DocKey, Doc | None] = dict.fromkeys(reads)
            for key in keys:
                snap = by_path.get(self._ref(key).path)
                docs[key] = snap.to_dict() if snap is not None and snap.exists else None
            writes, result = decide(docs)
            _refuse_impossible(writes)
            for key, doc in writes.sets.items():
                self._staging(key)
                transaction.set(self._ref(key), doc)
            for key, fields in writes.updates.items():
                self._staging(key)
                transaction.update(self._ref(key), fields)
            for key in writes.deletes:
                self._staging(key)
                transaction.delete(self._ref(key))
            return result

        with _translated_errors():
            return run(self._db.transaction(max_attempts=max_attempts or self._max_attempts))

    def commit_if_unchanged(
        self,
        reads: Sequence[DocKey],
        decide: Callable[[Mapping[DocKey, Doc | None]], tuple[WriteSet, T]],
        *,
        max_attempts: int = 2,
    ) -> T:
        keys = _readable(reads)
        for attempt in range(1, max_attempts + 1):
            with _translated_errors():
                snapshots = {
                    snap.reference.path: snap
                    for snap in self._db.get_all([self._ref(k) for k in keys], **self._bounded)
                }
            seen = {k: snapshots.get(self._ref(k).path) for k in keys}
            docs: dict[DocKey, Doc | None] = dict.fromkeys(reads)
            docs.update({k: _doc(snapshot) for k, snapshot in seen.items()})
            writes, result = decide(docs)
            _refuse_impossible(writes)
            if not (writes.sets or writes.updates or writes.deletes):
                return result  # nothing to commit

            batch = self._db.batch()
            for key, doc in writes.sets.items():
                self._staging(key)
                _set_unless_changed(batch, self._ref(key), doc, key in docs, seen.get(key))
            for key, fields in writes.updates.items():
                self._staging(key)
                batch.update(self._ref(key), fields, **self._unless_changed(seen.get(key)))
            for key in writes.deletes:
                self._staging(key)
                batch.delete(self._ref(key), **self._unless_changed(seen.get(key)))
            try:
                with _translated_errors():
                    batch.commit(**self._bounded)
            except (
                google_exceptions.FailedPrecondition,
                google_exceptions.Conflict,  # created meanwhile
                google_exceptions.NotFound,  # deleted meanwhile
            ) as error:
                if attempt == max_attempts:
                    raise Contention(BUSY) from error
                continue
            return result
        raise AssertionError("unreachable")

    def _unless_changed(self, snapshot: Any) -> dict[str, Any]:
        """The option an update or delete of a document read as `snapshot` needs."""
        if snapshot is None or not snapshot.exists:
            return {}
        return {"option": self._db.write_option(last_update_time=snapshot.update_time)}


def _readable(reads: Sequence[DocKey]) -> list[DocKey]:
    """The keys a document can have: one with an impossible id (from a URL, a header, a token)
    is read as missing, as `get` reads it, instead of failing the whole request."""
    return [key for key in dict.fromkeys(reads) if storable_id(key.id)]


def _refuse_impossible(writes: WriteSet) -> None:
    """A write to an impossible id is a bug of the caller's: no document can be made there."""
    for key in (*writes.sets, *writes.updates, *writes.deletes):
        if not storable_id(key.id):
            raise ValueError(f"no document can have the id {key.id!r} ({key.collection})")


def _doc(snapshot: Any) -> Doc | None:
    return snapshot.to_dict() if snapshot is not None and snapshot.exists else None


def _set_unless_changed(batch: Any, ref: Any, doc: Doc, was_read: bool, snapshot: Any) -> None:
    """A whole-document write that fails if the document changed since it was read (read as
    missing: if it exists now); an unread document is simply set."""
    if not was_read:
        batch.set(ref, doc)
    elif snapshot is None or not snapshot.exists:
        batch.create(ref, doc)
    else:
        from google.cloud.firestore_v1 import _helpers

        writes = _helpers.pbs_for_set_no_merge(ref._document_path, doc)
        _helpers.LastUpdateOption(snapshot.update_time).modify_write(writes[0])
        batch._add_write_pbs(writes)


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except google_exceptions.Aborted as error:
        raise Contention(BUSY) from error
    except ValueError as error:
        if isinstance(error.__cause__, google_exceptions.Aborted):  # the client gave up retrying
            raise Contention(BUSY) from error
        raise
    except (
        google_exceptions.ServiceUnavailable,
        google_exceptions.DeadlineExceeded,
        google_exceptions.InternalServerError,
        google_exceptions.RetryError,
    ) as error:
        raise Unavailable("Firestore is not reachable", code="firestore_unavailable") from error
