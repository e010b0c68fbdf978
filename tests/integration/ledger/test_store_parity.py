"""The in-memory store behaves as the Firestore adapter does (on the emulator), for everything
the port offers: the same calls, the same answers. A unit test on `MemoryStore` then says what
the product does on Firestore."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest

from ledger.memory import MemoryStore
from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet
from tests.support import webhooks as ws

A, B, C = DocKey("things", "a"), DocKey("things", "b"), DocKey("things", "c")


@pytest.fixture(params=["memory", "firestore"])
def store(request: pytest.FixtureRequest) -> Iterator[AbstractStore]:
    if request.param == "memory":
        yield MemoryStore()
    else:
        request.getfixturevalue("firestore")
        yield ws.firestore_store()


def test_set_replaces_and_update_follows_dotted_paths(store: AbstractStore) -> None:
    store.set(A, {"n": 1, "nested": {"x": 1, "y": 2}})
    store.set(A, {"n": 2, "nested": {"x": 1, "y": 2}})
    store.update(A, {"nested.y": 3, "m": "new"})
    assert store.get(A) == {"n": 2, "nested": {"x": 1, "y": 3}, "m": "new"}


def test_create_only_once(store: AbstractStore) -> None:
    assert store.create(A, {"n": 1}) is True
    assert store.create(A, {"n": 2}) is False
    assert store.get(A) == {"n": 1}


def test_increment_counts_from_zero_and_merges(store: AbstractStore) -> None:
    assert store.increment(A, "count", also={"window": "w1"}) == 1
    assert store.increment(A, "count", by=2) == 3
    assert store.get(A) == {"count": 3, "window": "w1"}


def test_get_many_answers_every_key(store: AbstractStore) -> None:
    store.set(A, {"n": 1})
    unstorable = DocKey("things", "a/b")
    found = store.get_many([A, B, A, unstorable])
    assert found == {A: {"n": 1}, B: None, unstorable: None}


def test_query_filters_orders_leaves_out_unordered_and_resumes(store: AbstractStore) -> None:
    store.set(A, {"tenant": "t1", "created": 3, "role": "owner"})
    store.set(B, {"tenant": "t1", "created": 3, "role": "viewer"})
    store.set(C, {"tenant": "t1", "role": "admin"})  # no `created`: not in that order
    store.set(DocKey("things", "d"), {"tenant": "t2", "created": 1})
    by_created = Query("things", where=(("tenant", "==", "t1"),), order_by=(("created", "desc"),))
    assert [doc_id for doc_id, _ in store.query(by_created)] == ["b", "a"]  # ties: id, desc
    owners = Query("things", where=(("tenant", "==", "t1"), ("role", "==", "owner")))
    assert [doc_id for doc_id, _ in store.query(owners)] == ["a"]
    everyone = Query("things", order_by=(("created", "asc"),), limit=2)
    assert [doc["created"] for _, doc in store.query(everyone)] == [1, 3]
    after = Query("things", order_by=(("created", "asc"),), start_after={"created": 1})
    assert sorted(doc_id for doc_id, _ in store.query(after)) == ["a", "b"]
    past_equal = Query("things", order_by=(("created", "asc"),), start_after={"created": 3})
    assert store.query(past_equal) == []


@pytest.mark.parametrize("impossible", ["a/b", "__x__", ".."])
def test_an_impossible_id_reads_as_missing_and_cannot_be_written(
    store: AbstractStore, impossible: str
) -> None:
    """Ids from a URL, a header or a token: no such document, rather than a failed request."""
    key = DocKey("things", impossible)
    store.set(A, {"n": 1})

    def look(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, list[Doc | None]]:
        return WriteSet(), [docs[key], docs[A]]

    assert store.transact([key, A], look) == [None, {"n": 1}]
    assert store.commit_if_unchanged([key, A], look) == [None, {"n": 1}]

    def write_there(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        writes = WriteSet()
        writes.set(key, {"n": 2})
        return writes, None

    with pytest.raises(ValueError, match="no document can have the id"):
        store.transact([A], write_there)
