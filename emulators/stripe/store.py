"""In-memory state: objects scoped to an account, idempotency records, pagination.

Every object lives under one owner: `None` for the platform, or a connected account id.
Keys starting with `_` are the emulator's private bookkeeping and never leave the store.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import StripeApiError, invalid, missing

Obj = dict[str, Any]
_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def now() -> int:
    return int(time.time())


def public(obj: Obj) -> Obj:
    """A deep copy without the private `_` keys."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


@dataclass(frozen=True)
class IdempotentResponse:
    fingerprint: str
    status: int
    body: Obj


class Store:
    """All emulator state behind one re-entrant lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._sequence = itertools.count()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.objects: dict[str, Obj] = {}
            self.owners: dict[str, str | None] = {}
            self.positions: dict[str, int] = {}
            self.idempotency: dict[tuple[str, str | None, str], IdempotentResponse] = {}

    def add(self, obj: Obj, owner: str | None) -> Obj:
        with self.lock:
            self.objects[obj["id"]] = obj
            self.owners[obj["id"]] = owner
            self.positions[obj["id"]] = next(self._sequence)
            return obj

    def find(self, object_id: str, owner: str | None, kind: str) -> Obj | None:
        obj = self.objects.get(object_id)
        if obj is None or obj.get("object") != kind or self.owners[object_id] != owner:
            return None
        return obj

    def get(self, object_id: str, owner: str | None, kind: str, *, param: str = "id") -> Obj:
        obj = self.find(object_id, owner, kind)
        if obj is None:
            raise missing(kind, object_id, param=param)
        return obj

    def owner_of(self, object_id: str) -> str | None:
        return self.owners.get(object_id)

    def remove(self, object_id: str) -> None:
        with self.lock:
            self.objects.pop(object_id, None)
            self.owners.pop(object_id, None)

    def select(
        self, kind: str, owner: str | None, keep: Callable[[Obj], bool] | None = None
    ) -> list[Obj]:
        """Objects of one kind and owner, newest first, as Stripe lists them."""
        found = [
            obj
            for object_id, obj in self.objects.items()
            if obj.get("object") == kind
            and self.owners[object_id] == owner
            and (keep is None or keep(obj))
        ]
        return sorted(found, key=lambda o: self.positions[o["id"]], reverse=True)


def paginate(items: list[Obj], params: dict[str, Any], url: str) -> Obj:
    """Stripe's list envelope with `limit`, `starting_after`, `ending_before`, `has_more`."""
    limit = _limit(params.get("limit"))
    ids = [item["id"] for item in items]
    if params.get("starting_after"):
        start = _index(ids, params["starting_after"], "starting_after") + 1
        window = items[start : start + limit]
        has_more = start + limit < len(items)
    elif params.get("ending_before"):
        end = _index(ids, params["ending_before"], "ending_before")
        window = items[max(0, end - limit) : end]
        has_more = end - limit > 0
    else:
        window = items[:limit]
        has_more = len(items) > limit
    return {"object": "list", "data": [public(i) for i in window], "has_more": has_more, "url": url}


def _limit(raw: Any) -> int:
    try:
        limit = int(raw) if raw is not None else 10
    except (TypeError, ValueError):
        raise invalid("Invalid integer: limit", param="limit") from None
    if not 1 <= limit <= 100:
        raise invalid("Limit must be between 1 and 100.", param="limit")
    return limit


def _index(ids: list[str], object_id: str, param: str) -> int:
    try:
        return ids.index(object_id)
    except ValueError:
        raise StripeApiError(
            400, f"No such object: '{object_id}'", code="resource_missing", param=param
        ) from None
