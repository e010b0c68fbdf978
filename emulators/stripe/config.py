"""Emulator settings, read once from flags or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

API_VERSION = "2026-10-28.endive"


@dataclass(frozen=True)
class EmulatorConfig:
    """Everything the emulator can be told at startup.

    `retry_scale` multiplies Stripe's webhook backoff schedule (0.001 in tests);
    `chaos` duplicates, delays and reorders deliveries; `ach_delay` is how long a
    bank debit stays `processing` before it settles (0 or less: only on request).
    """

    host: str = "127.0.0.1"
    port: int = 12111
    public_url: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    connect_webhook_secret: str = ""
    retry_scale: float = 1.0
    chaos: bool = False
    ach_delay: float = 5.0
    delivery_timeout: float = 5.0
    max_delivery_attempts: int = 8

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")


def env_defaults() -> dict[str, str]:
    """The environment variables that mirror the command-line flags."""
    return {
        "public_url": os.environ.get("STRIPE_EMULATOR_PUBLIC_URL", ""),
        "webhook_url": os.environ.get("STRIPE_EMULATOR_WEBHOOK_URL", ""),
        "webhook_secret": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "connect_webhook_secret": os.environ.get("STRIPE_CONNECT_WEBHOOK_SECRET", ""),
        "retry_scale": os.environ.get("STRIPE_EMULATOR_RETRY_SCALE", "1.0"),
        "chaos": os.environ.get("STRIPE_EMULATOR_CHAOS", ""),
        "ach_delay": os.environ.get("STRIPE_EMULATOR_ACH_DELAY", "5.0"),
    }
