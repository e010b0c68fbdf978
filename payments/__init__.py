"""The service layer: what the product does, independent of HTTP."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
