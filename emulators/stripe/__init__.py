"""A local stand-in for Stripe's API v1, spoken closely enough for the official `stripe` library.

`create_app(config)` builds the Flask app; `python -m emulators.stripe` serves it.
"""

from __future__ import annotations

from .app import create_app
from .config import EmulatorConfig
from .emulator import Emulator

__all__ = ["Emulator", "EmulatorConfig", "create_app"]
