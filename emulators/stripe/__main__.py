"""`python -m emulators.stripe`: serve, or drive a running emulator's test helpers."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
