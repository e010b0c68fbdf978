"""Stripe's bracket notation: `a[b][0][c]=v` and `expand[]=x` to nested dicts and lists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import invalid

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def split_key(key: str) -> list[str]:
    """`line_items[0][price_data]` -> `["line_items", "0", "price_data"]` (`[]` -> `""`)."""
    head, _, rest = key.partition("[")
    if not rest:
        return [head]
    tail = "[" + rest
    segments = _SEGMENT.findall(tail)
    if "".join(f"[{s}]" for s in segments) != tail:
        raise invalid(f"Invalid parameter name: {key}", param=key)
    return [head, *segments]


def parse_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Build the nested parameters of a request from its form or query pairs."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        _insert(root, split_key(key), value, key)
    return _listify(root)


def _insert(node: dict[str, Any], path: list[str], value: str, key: str) -> None:
    for depth, segment in enumerate(path):
        last = depth == len(path) - 1
        name = segment if segment else f"__append_{len(node)}"
        if last:
            node[name] = value
            return
        child = node.setdefault(name, {})
        if not isinstance(child, dict):
            raise invalid(f"Invalid parameter: {key} mixes a value and a hash", param=key)
        node = child


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(_is_index(k) for k in converted):
        return [converted[k] for k in sorted(converted, key=_index_order)]
    return converted


def _is_index(key: str) -> bool:
    return key.isdigit() or key.startswith("__append_")


def _index_order(key: str) -> tuple[int, int]:
    if key.isdigit():
        return (int(key), 0)
    return (0, int(key.rsplit("_", 1)[1]))


def as_list(value: Any) -> list[Any]:
    """A parameter that should be a list, accepting a single value too."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
