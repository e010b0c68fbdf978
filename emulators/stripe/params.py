"""Accepted parameters, derived from the typed dicts that the `stripe` package ships.

`stripe.params` holds one `TypedDict` per API method (`PaymentIntentCaptureParams`, ...),
nested dicts included. We read their annotations into a small schema tree and reject any
key the tree does not know, as Stripe does (400, `parameter_unknown`).
"""

from __future__ import annotations

import sys
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ForwardRef, NotRequired, Required, Union

from typing_extensions import is_typeddict

from .errors import invalid

_REQUEST_OPTION_KEYS = frozenset(
    {
        "api_key",
        "stripe_version",
        "stripe_account",
        "stripe_context",
        "max_network_retries",
        "idempotency_key",
        "content_type",
        "headers",
    }
)


@dataclass
class Schema:
    """What a parameter may hold: a hash with known keys, a list, or anything."""

    fields: dict[str, Schema] | None = None
    item: Schema | None = None
    open_hash: bool = False
    lazy: list[type] = field(default_factory=list)


ANY = Schema(open_hash=True)


def _resolve(tp: Any, namespace: dict[str, Any]) -> Any:
    if isinstance(tp, ForwardRef):
        tp = tp.__forward_arg__
    if isinstance(tp, str):
        return eval(tp, namespace)  # stripe's own generated annotations
    return tp


def _schema_of(tp: Any, namespace: dict[str, Any]) -> Schema:
    tp = _resolve(tp, namespace)
    origin = typing.get_origin(tp)
    if origin in (NotRequired, Required):
        return _schema_of(typing.get_args(tp)[0], namespace)
    if origin in (Union, types.UnionType):
        options = [_schema_of(arg, namespace) for arg in typing.get_args(tp)]
        structured = [o for o in options if o.fields is not None or o.item or o.lazy]
        return structured[0] if structured else ANY
    if origin is list:
        return Schema(item=_schema_of(typing.get_args(tp)[0], namespace))
    if is_typeddict(tp):
        return Schema(lazy=[tp])
    return ANY


@cache
def schema_for(params_class: type) -> Schema:
    """The schema of one `stripe.params` typed dict (cached, nested dicts resolved lazily)."""
    namespace = vars(sys.modules[params_class.__module__])
    fields = {
        name: _schema_of(annotation, namespace)
        for name, annotation in params_class.__annotations__.items()
        if name not in _REQUEST_OPTION_KEYS
    }
    return Schema(fields=fields)


def _expand(schema: Schema) -> Schema:
    return schema_for(schema.lazy[0]) if schema.lazy else schema


def validate(params: dict[str, Any], params_class: type, *, also: tuple[str, ...] = ()) -> None:
    """Raise Stripe's `parameter_unknown` error for the first key Stripe would not accept.

    `also` names top-level keys older API versions accept that the typed dicts dropped
    (`payment_method_types`, renamed `allowed_payment_method_types` in 2026).
    """
    top_level = {k: v for k, v in params.items() if k not in also}
    _check(top_level, schema_for(params_class), prefix="")


def _check(value: Any, schema: Schema, *, prefix: str) -> None:
    schema = _expand(schema)
    if isinstance(value, dict):
        if schema.fields is None:
            if schema.item is not None:  # a list sent as a hash with non-index keys
                raise _unknown(prefix)
            return
        for key, child in value.items():
            name = f"{prefix}[{key}]" if prefix else key
            if key not in schema.fields:
                raise _unknown(name)
            _check(child, schema.fields[key], prefix=name)
    elif isinstance(value, list) and schema.item is not None:
        for index, child in enumerate(value):
            _check(child, schema.item, prefix=f"{prefix}[{index}]")


def _unknown(name: str) -> Exception:
    return invalid(f"Received unknown parameter: {name}", param=name, code="parameter_unknown")


def params_class(name: str) -> type:
    """Look up `PaymentIntentCreateParams` or `checkout.SessionCreateParams` in `stripe.params`."""
    import stripe.params as stripe_params

    module: Any = stripe_params
    *packages, class_name = name.split(".")
    for package in packages:
        module = getattr(module, package)
    found: type = getattr(module, class_name)
    return found
