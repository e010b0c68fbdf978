"""Firestore's failures, translated into the product's errors, for the identity ledger."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from google.api_core import exceptions as google_exceptions
from google.cloud import firestore

from core.errors import Contention, Unavailable

__all__ = ["run_transaction", "translated"]

P = ParamSpec("P")
T = TypeVar("T")

_UNREACHABLE = (
    google_exceptions.ServiceUnavailable,
    google_exceptions.DeadlineExceeded,
    google_exceptions.RetryError,
    google_exceptions.InternalServerError,
)


def translated(function: Callable[P, T]) -> Callable[P, T]:
    """Firestore unreachable → `Unavailable` (503), never a bare 500."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return function(*args, **kwargs)
        except _UNREACHABLE as error:
            raise Unavailable("Firestore is not reachable", code="firestore_unavailable") from error

    return wrapper


def run_transaction(db: firestore.Client, body: Callable[[Any], T]) -> T:
    """Run `body(transaction)` (retried by the library on aborts); `Contention` (503) when it
    kept colliding."""
    try:
        result: T = firestore.transactional(body)(db.transaction())
        return result
    except ValueError as error:
        if isinstance(error.__cause__, google_exceptions.Aborted):
            raise Contention(
                "Too many concurrent changes to the same record; retry shortly"
            ) from error
        raise
