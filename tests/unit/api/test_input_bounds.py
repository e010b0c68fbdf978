"""What the ledger can hold bounds what the API accepts: document ids Firestore cannot store
are simply not found, and times and cursors past a 64-bit integer are refused (they reached
Firestore's client as 500s)."""

from __future__ import annotations

import pytest

from core.errors import ValidationError
from ledger.ids import storable_id
from payments.pagination import (
    MAX_UNIX_TIME,
    decode_cursor,
    encode_cursor,
    unix_time_arg,
)


def test_storable_ids_follow_firestores_rules() -> None:
    for ok in ("pi_123", "cs_test_a", "é" * 750, "_x_", "__x", "a.b"):
        assert storable_id(ok), ok
    for bad in ("", "a/b", ".", "..", "__x__", "____", "é" * 751, "x" * 1501, "\ud800"):
        assert not storable_id(bad), bad


def test_unix_times_are_bounded_and_empty_means_none() -> None:
    assert unix_time_arg({"created_gte": "0"}, "created_gte") == 0
    assert unix_time_arg({"t": str(MAX_UNIX_TIME)}, "t") == MAX_UNIX_TIME
    assert unix_time_arg({"t": ""}, "t") is None
    assert unix_time_arg({}, "t") is None
    for bad in ("-1", str(MAX_UNIX_TIME + 1), "100000000000000000000", "soon"):
        with pytest.raises(ValidationError) as refused:
            unix_time_arg({"t": bad}, "t")
        assert refused.value.param == "t"


def test_only_cursors_this_api_could_have_returned_decode() -> None:
    assert decode_cursor(encode_cursor(1_700_000_000, "pi_1")) == (1_700_000_000, "pi_1")
    forged = [
        encode_cursor(10**20, "pi_1"),  # past 64 bits
        encode_cursor(-1, "pi_1"),
        encode_cursor(1, "a/b"),  # not a document id
        "WyJ4IiwicGlfMSJd",  # ["x","pi_1"]
        "not base64 at all ✓",
    ]
    for cursor in forged:
        with pytest.raises(ValidationError):
            decode_cursor(cursor)
