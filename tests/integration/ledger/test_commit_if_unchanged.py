"""The optimistic commit against the Firestore emulator: it commits what `decide` wrote only
if no document it read and writes changed in between, and reads again when one did."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from core.errors import Contention
from ledger.store import Doc, DocKey, FirestoreStore, WriteSet
from tests.support import webhooks as ws

COUNTER = DocKey("counters", "c1")


def add_one(
    store: FirestoreStore, *, meddle: int = 0, max_attempts: int = 2
) -> tuple[int, list[int]]:
    """Increment the counter; during the first `meddle` decisions, someone else writes it."""
    seen: list[int] = []

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, int]:
        value = int((docs[COUNTER] or {}).get("n", 0))
        seen.append(value)
        if len(seen) <= meddle:  # another writer, between our read and our commit
            ws.firestore_store().update(COUNTER, {"n": value + 100})
        writes = WriteSet()
        writes.set(COUNTER, {"n": value + 1})
        return writes, value + 1

    return store.commit_if_unchanged([COUNTER], decide, max_attempts=max_attempts), seen


def test_it_commits_when_nothing_changed(firestore: object) -> None:
    store = ws.firestore_store()
    store.create(COUNTER, {"n": 1})
    assert add_one(store) == (2, [1])
    assert store.get(COUNTER) == {"n": 2}


def test_a_change_in_between_is_not_overwritten_it_reads_again(firestore: object) -> None:
    store = ws.firestore_store()
    store.create(COUNTER, {"n": 1})
    assert add_one(store, meddle=1) == (102, [1, 101])
    assert store.get(COUNTER) == {"n": 102}


def test_a_document_read_as_missing_and_created_in_between_is_not_overwritten(
    firestore: object,
) -> None:
    store = ws.firestore_store()
    seen: list[Doc | None] = []

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        seen.append(docs[COUNTER])
        if len(seen) == 1:
            ws.firestore_store().create(COUNTER, {"n": 7})
        writes = WriteSet()
        writes.set(COUNTER, {"n": int((docs[COUNTER] or {}).get("n", 0)) + 1})
        return writes, None

    store.commit_if_unchanged([COUNTER], decide)
    assert seen == [None, {"n": 7}] and store.get(COUNTER) == {"n": 8}


def test_it_gives_up_with_contention_and_writes_nothing_of_its_own(firestore: object) -> None:
    store = ws.firestore_store()
    store.create(COUNTER, {"n": 1})
    with pytest.raises(Contention):
        add_one(store, meddle=2, max_attempts=2)
    assert store.get(COUNTER) == {"n": 201}  # only the other writer's two updates
