"""What every resource module needs: the call context, routes, and parameter coercion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..emulator import Emulator
from ..errors import invalid, required
from ..store import Obj, paginate


@dataclass
class Call:
    """One API request, after authentication, parsing and validation."""

    emu: Emulator
    account: str | None
    params: dict[str, Any]
    path: str

    def list_of(self, kind: str, keep: Callable[[Obj], bool] | None = None) -> Obj:
        return paginate(self.emu.store.select(kind, self.account, keep), self.params, self.path)

    def get(self, object_id: str, kind: str) -> Obj:
        return self.emu.store.get(object_id, self.account, kind)


Handler = Callable[..., Obj]


@dataclass(frozen=True)
class Route:
    """An API method: HTTP verb, Flask rule, handler, and its `stripe.params` class."""

    method: str
    rule: str
    handler: Handler
    params: str
    also: tuple[str, ...] = ()


def int_param(params: dict[str, Any], name: str, *, needed: bool = False) -> int | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if needed:
            raise required(name)
        return None
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise invalid(f"Invalid integer: {raw}", param=name) from None


def str_param(params: dict[str, Any], name: str, *, needed: bool = False) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        if needed:
            raise required(name)
        return None
    if not isinstance(raw, str):
        raise invalid(f"Invalid string: {name}", param=name)
    return raw


def bool_param(params: dict[str, Any], name: str, default: bool = False) -> bool:
    raw = params.get(name)
    if raw is None:
        return default
    if raw in ("true", "false"):
        return raw == "true"
    raise invalid(f"Invalid boolean: {raw}", param=name)


def choice_param(params: dict[str, Any], name: str, choices: tuple[str, ...]) -> str | None:
    value = str_param(params, name)
    if value is not None and value not in choices:
        raise invalid(
            f"Invalid {name}: must be one of {', '.join(choices)}",
            param=name,
        )
    return value


def apply_metadata(current: Obj | None, update: Any) -> Obj:
    """Stripe's metadata merge: `""` clears everything, a key set to `""` is removed."""
    merged = dict(current or {})
    if update is None:
        return merged
    if update == "":
        return {}
    if not isinstance(update, dict):
        raise invalid("Invalid metadata: must be a hash", param="metadata")
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def changes(obj: Obj, updates: Obj) -> Obj:
    """Apply `updates` to `obj`; return the previous values of the keys that changed."""
    previous = {k: obj.get(k) for k, v in updates.items() if obj.get(k) != v}
    obj.update(updates)
    return previous


def created_filter(params: dict[str, Any]) -> Callable[[Obj], bool]:
    """The `created` list filter: an exact timestamp or `created[gt|gte|lt|lte]`."""
    bounds = params.get("created")
    if bounds is None:
        return lambda _obj: True
    if not isinstance(bounds, dict):
        exact = int_param(params, "created")
        return lambda obj: obj["created"] == exact
    limits = {op: int_param(bounds, op) for op in ("gt", "gte", "lt", "lte")}

    def keep(obj: Obj) -> bool:
        created = obj["created"]
        return not (
            (limits["gt"] is not None and created <= limits["gt"])
            or (limits["gte"] is not None and created < limits["gte"])
            or (limits["lt"] is not None and created >= limits["lt"])
            or (limits["lte"] is not None and created > limits["lte"])
        )

    return keep
