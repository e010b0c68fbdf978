"""Turning a Firestore document into a record dataclass."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

__all__ = ["fields_of"]


def fields_of(record_type: Any, data: dict[str, Any] | None) -> dict[str, Any]:
    """The document's values for each field of `record_type` (None where absent)."""
    data = data or {}
    return {field.name: data.get(field.name) for field in fields(record_type)}
