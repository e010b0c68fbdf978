"""`MemoryStore`: the document store port in memory, for unit tests and the bench's reference
runs (the one fake, shipped with the port as httpx ships `MockTransport`). Integration tests use
the Firestore emulator, which also locks and contends as Firestore does.

It behaves as `FirestoreStore` does where the port lets a caller tell (a parity test runs both:
tests/integration/ledger/test_store_parity.py): every read returns a copy; `update` takes dotted
field paths and fails on a missing document (`KeyError` here); `query` filters, orders (a
document without an ordered field is left out, as Firestore leaves it out of its index; ties go
by document id), resumes after a cursor and limits; `transact` and `commit_if_unchanged` read,
decide and write all or nothing. It never collides: tests that need contention subclass it and
raise `Contention` where they want it.
"""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ledger.ids import storable_id
from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet

__all__ = ["MemoryStore", "field_value"]

T = TypeVar("T")
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "in": lambda value, options: value in options,
    "array_contains": lambda value, item: isinstance(value, list) and item in value,
}


class MemoryStore(AbstractStore):
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], Doc] = {}  # (collection, id) → document

    def get(self, key: DocKey) -> Doc | None:
        if not storable_id(key.id):
            return None
        doc = self.docs.get((key.collection, key.id))
        return copy.deepcopy(doc) if doc is not None else None

    def create(self, key: DocKey, doc: Doc) -> bool:
        if (key.collection, key.id) in self.docs:
            return False
        self.docs[(key.collection, key.id)] = copy.deepcopy(doc)
        return True

    def set(self, key: DocKey, doc: Doc) -> None:
        self.docs[(key.collection, key.id)] = copy.deepcopy(doc)

    def increment(self, key: DocKey, field: str, *, by: int = 1, also: Doc | None = None) -> int:
        doc = self.docs.setdefault((key.collection, key.id), {})
        doc[field] = int(doc.get(field) or 0) + by
        doc.update(copy.deepcopy(also or {}))
        return int(doc[field])

    def update(self, key: DocKey, fields: Doc) -> None:
        doc = self.docs[(key.collection, key.id)]
        for path, value in fields.items():
            *parents, last = path.split(".")
            target = doc
            for part in parents:
                target = target.setdefault(part, {})
            target[last] = copy.deepcopy(value)

    def query(self, query: Query) -> list[tuple[str, Doc]]:
        rows = [
            (doc_id, copy.deepcopy(doc))
            for (collection, doc_id), doc in sorted(self.docs.items())
            if collection == query.collection
            and all(_matches(doc, name, op, value) for name, op, value in query.where)
            and all(field_value(doc, name) is not None for name, _ in query.order_by)
        ]
        if query.order_by:  # ties go by document id, in the direction of the last field
            rows.sort(key=lambda row: row[0], reverse=query.order_by[-1][1] == "desc")
        for name, direction in reversed(query.order_by):
            rows.sort(key=lambda row: field_value(row[1], name), reverse=direction == "desc")
        if query.start_after is not None:
            rows = _after(rows, query)
        return rows[: query.limit] if query.limit is not None else rows

    def transact(
        self,
        reads: Sequence[DocKey],
        decide: Callable[[Mapping[DocKey, Doc | None]], tuple[WriteSet, T]],
        *,
        max_attempts: int | None = None,
    ) -> T:
        writes, result = decide({key: self.get(key) for key in reads})
        for key in (*writes.sets, *writes.updates, *writes.deletes):
            if not storable_id(key.id):
                raise ValueError(f"no document can have the id {key.id!r} ({key.collection})")
        for key in writes.updates:
            if key not in writes.sets and (key.collection, key.id) not in self.docs:
                raise KeyError(f"no document {key.collection}/{key.id} to update")
        for key, doc in writes.sets.items():
            self.docs[(key.collection, key.id)] = copy.deepcopy(doc)
        for key, fields in writes.updates.items():
            self.update(key, fields)
        for key in writes.deletes:
            self.docs.pop((key.collection, key.id), None)
        return result


def field_value(doc: Doc, path: str) -> Any:
    """The value at a dotted field path of `doc`; None where it has none."""
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _matches(doc: Doc, name: str, op: str, value: Any) -> bool:
    found = field_value(doc, name)
    return found is not None and OPS[op](found, value)


def _after(rows: list[tuple[str, Doc]], query: Query) -> list[tuple[str, Doc]]:
    """The rows strictly after the cursor's field values in the query's order (a row equal to
    the cursor on every ordered field is skipped too, as Firestore's `start_after` does)."""
    assert query.start_after is not None
    cursor = query.start_after
    return [row for row in rows if _is_after(row[1], cursor, query.order_by)]


def _is_after(doc: Doc, cursor: Doc, order_by: tuple[tuple[str, str], ...]) -> bool:
    for name, direction in order_by:
        value, bound = field_value(doc, name), cursor[name]
        if value != bound:
            return (value > bound) != (direction == "desc")
    return False
