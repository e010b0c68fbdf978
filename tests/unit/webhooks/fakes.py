"""A hand-written fake of the document store port, for unit tests only (integration tests
use the Firestore emulator, which also locks and contends as Firestore does)."""

from __future__ import annotations

import copy
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet

T = TypeVar("T")
OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
}


class FakeStore(AbstractStore):
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], Doc] = {}

    def get(self, key: DocKey) -> Doc | None:
        doc = self.docs.get((key.collection, key.id))
        return copy.deepcopy(doc) if doc is not None else None

    def create(self, key: DocKey, doc: Doc) -> bool:
        if (key.collection, key.id) in self.docs:
            return False
        self.docs[(key.collection, key.id)] = copy.deepcopy(doc)
        return True

    def update(self, key: DocKey, fields: Doc) -> None:
        self.docs[(key.collection, key.id)].update(copy.deepcopy(fields))

    def query(self, query: Query) -> list[tuple[str, Doc]]:
        rows = [
            (doc_id, copy.deepcopy(doc))
            for (collection, doc_id), doc in sorted(self.docs.items())
            if collection == query.collection
            and all(
                _field(doc, name) is not None and OPS[op](_field(doc, name), value)
                for name, op, value in query.where
            )
        ]
        for name, direction in reversed(query.order_by):
            rows.sort(key=lambda row: _field(row[1], name), reverse=direction == "desc")
        return rows[: query.limit] if query.limit is not None else rows

    def transact(
        self,
        reads: Sequence[DocKey],
        decide: Callable[[Mapping[DocKey, Doc | None]], tuple[WriteSet, T]],
        *,
        max_attempts: int | None = None,
    ) -> T:
        writes, result = decide({key: self.get(key) for key in reads})
        for key, doc in writes.sets.items():
            self.docs[(key.collection, key.id)] = copy.deepcopy(doc)
        for key, fields in writes.updates.items():
            self.update(key, fields)
        for key in writes.deletes:
            self.docs.pop((key.collection, key.id), None)
        return result


def _field(doc: Doc, path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
