"""`expand[]`: replace an id with the object it names (`latest_charge`, `payment_intent`, ...).

Paths may be nested (`latest_charge.balance_transaction`) and lists are expanded through
`data.` (`data.latest_charge`). `charges` on a PaymentIntent is the list of its charges,
as API versions before 2022-11-15 returned it.
"""

from __future__ import annotations

from typing import Any

from .errors import invalid
from .store import Obj, Store, paginate, public

MAX_DEPTH = 4


def expand(result: Obj, paths: list[Any], store: Store, owner: str | None) -> Obj:
    for path in paths:
        parts = str(path).split(".")
        if len(parts) > MAX_DEPTH:
            raise invalid(
                f"You cannot expand more than {MAX_DEPTH} levels of a property.", param="expand"
            )
        _expand_path(result, parts, store, owner, str(path))
    return result


def _expand_path(node: Any, parts: list[str], store: Store, owner: str | None, path: str) -> None:
    if not isinstance(node, dict) or not parts:
        return
    head, rest = parts[0], parts[1:]
    if head == "data" and node.get("object") == "list":
        for item in node["data"]:
            _expand_path(item, rest, store, owner, path)
        return
    if head == "charges" and node.get("object") == "payment_intent":
        charges = store.select("charge", owner, lambda c: c["payment_intent"] == node["id"])
        url = f"/v1/charges?payment_intent={node['id']}"
        node["charges"] = paginate(charges, {"limit": 100}, url)
    elif head not in node:
        raise invalid(f"This property cannot be expanded ({path}).", param="expand")
    value = node.get(head)
    if isinstance(value, str):
        target = store.objects.get(value)
        if target is None or store.owner_of(value) != owner:
            raise invalid(f"This property cannot be expanded ({path}).", param="expand")
        node[head] = public(target)
    if rest:
        _expand_path(node[head], rest, store, owner, path)
