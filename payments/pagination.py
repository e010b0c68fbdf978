"""Stable cursor pagination over the ledger: newest first by Stripe's `created`, ties broken
by the document's own id field, with an opaque cursor (base64 of the last row's order key)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from core.errors import ValidationError
from ledger.ids import storable_id
from ledger.store import AbstractStore, Doc, Query

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_UNIX_TIME",
    "Page",
    "decode_cursor",
    "encode_cursor",
    "fetch_page",
    "int_arg",
    "limit_arg",
    "list_by_status_and_payment",
    "unix_time_arg",
]

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_UNIX_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z


@dataclass(frozen=True)
class Page:
    rows: list[tuple[str, Doc]]
    next_cursor: str | None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def fetch_page(
    store: AbstractStore,
    collection: str,
    *,
    where: tuple[tuple[str, str, Any], ...],
    tiebreak: str,
    limit: int,
    cursor: str | None,
) -> Page:
    """One page of `collection` ordered by (`created` desc, `tiebreak` desc)."""
    start_after = None
    if cursor is not None:
        created, last_id = decode_cursor(cursor)
        start_after = {"created": created, tiebreak: last_id}
    rows = store.query(
        Query(
            collection,
            where=where,
            order_by=(("created", "desc"), (tiebreak, "desc")),
            limit=limit + 1,
            start_after=start_after,
        )
    )
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1][1]
    return Page(rows[:limit], encode_cursor(last["created"], last[tiebreak]))


def list_by_status_and_payment(
    store: AbstractStore,
    collection: str,
    tenant_id: str,
    args: Mapping[str, str],
    *,
    statuses: tuple[str, ...],
    tiebreak: str,
    view: Callable[[str, Doc], Doc],
) -> Doc:
    """A list body of the tenant's `collection` (refunds, disputes), filtered by the optional
    `status` (one of `statuses`) and `payment_id` arguments, newest first."""
    where: list[tuple[str, str, Any]] = [("tenant_id", "==", tenant_id)]
    status = args.get("status") or None
    if status is not None:
        if status not in statuses:
            raise ValidationError(f"status must be one of {', '.join(statuses)}", param="status")
        where.append(("status", "==", status))
    if args.get("payment_id"):
        where.append(("payment_id", "==", args["payment_id"]))
    page = fetch_page(
        store,
        collection,
        where=tuple(where),
        tiebreak=tiebreak,
        limit=limit_arg(args),
        cursor=args.get("cursor") or None,
    )
    return {
        "object": "list",
        "data": [view(doc_id, doc) for doc_id, doc in page.rows],
        "has_more": page.has_more,
        "next_cursor": page.next_cursor,
    }


def encode_cursor(created: int, last_id: str) -> str:
    raw = json.dumps([created, last_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, last_id = json.loads(raw)
    except (ValueError, TypeError, binascii.Error):
        raise ValidationError("cursor is not a cursor this API returned", param="cursor") from None
    if not _unix_time(created) or not isinstance(last_id, str) or not storable_id(last_id):
        raise ValidationError("cursor is not a cursor this API returned", param="cursor")
    return created, last_id


def limit_arg(args: Mapping[str, str]) -> int:
    limit = int_arg(args, "limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError(f"limit must be between 1 and {MAX_LIMIT}", param="limit")
    return limit


def unix_time_arg(args: Mapping[str, str], name: str) -> int | None:
    """A query argument in Unix seconds (a Firestore integer holds no more than 64 bits)."""
    value = int_arg(args, name)
    if value is not None and not _unix_time(value):
        raise ValidationError(
            f"{name} must be a Unix time in seconds, 0 to {MAX_UNIX_TIME}", param=name
        )
    return value


def _unix_time(value: object) -> bool:
    return type(value) is int and 0 <= value <= MAX_UNIX_TIME


def int_arg(args: Mapping[str, str], name: str) -> int | None:
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be an integer", param=name) from None
