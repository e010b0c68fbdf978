"""Entry points of the deployed functions (`--entry-point=NAME`), one per row group of
`functions.routes.ROUTES`.

Each name resolves to `functions.<name>.<name>` on first access (PEP 562), so a deployed
function's cold start imports its own module only, not every function's dependencies.
functions-framework looks its target up with `getattr`, which this serves, while it builds its
Flask app: that app is then taught to answer the requests it cannot route in the API's JSON.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from functions.routes import FUNCTION_NAMES

__all__ = list(FUNCTION_NAMES)


def __getattr__(name: str) -> Callable[[Any], Any]:
    if name not in FUNCTION_NAMES:
        raise AttributeError(f"module 'main' has no attribute {name!r}")
    from core.settings import get_settings

    get_settings()  # a setting that cannot work stops the function here, before it serves
    entry: Callable[[Any], Any] = getattr(importlib.import_module(f"functions.{name}"), name)
    from functions._http import in_framework_app_setup  # imported with the function already

    in_framework_app_setup()
    return entry


def __dir__() -> list[str]:
    return sorted([*globals(), *FUNCTION_NAMES])
