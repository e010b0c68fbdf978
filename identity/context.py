"""What the identity services need, built once per process by `bootstrap`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from identity.mail import AbstractMailer
    from ledger.store import AbstractStore

__all__ = ["AuthContext", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AuthContext:
    store: AbstractStore
    signing_key: str = field(repr=False)
    mailer: AbstractMailer
    app_base_url: str
    livemode: bool = False
    clock: Callable[[], datetime] = utcnow

    def now(self) -> datetime:
        return self.clock()
