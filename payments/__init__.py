"""Money: what the product does with payments, independent of HTTP. The commands
(`commands.py`) and their handlers (checkout, connect, payment actions, refunds; run by
`bootstrap.handle`), the queries (payments, timeline, refunds, disputes, insights), idempotent
requests, the one Stripe gateway, the pure event handlers and reducer (`events/`) and the
webhook path (`webhooks/`: receive, apply, retry, sweep; docs/ledger.md). It never imports
`identity`."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
