"""Settings read from a given environment, for one block of a test; the internal token the
test stacks are started with."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from core.settings import get_settings

__all__ = ["INTERNAL_HEADERS", "INTERNAL_TOKEN", "settings_from"]

INTERNAL_TOKEN = "test-internal-token-" + "0123456789abcdef" * 2  # the test stacks' own
INTERNAL_HEADERS = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


@contextmanager
def settings_from(**env: str) -> Iterator[None]:
    """`get_settings()` reads the process environment plus `env` inside the block (and the
    real environment again after it)."""
    try:
        with mock.patch.dict(os.environ, env):
            get_settings.cache_clear()
            yield
    finally:
        get_settings.cache_clear()
