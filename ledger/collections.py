"""Collection names: a contract (SPEC §3; read by tests outside this repository)."""

from __future__ import annotations

TENANTS = "tenants"
PAYMENTS = "payments"
CHECKOUT_REFS = "checkout_refs"  # checkout_ref (in the intent's metadata) → the pending payment
PAYMENT_TRANSACTIONS = "payment_transactions"
EVENT_LOGS = "event_logs"
WEBHOOK_EVENTS = "webhook_events"
REFUNDS = "refunds"
DISPUTES = "disputes"
SUPPORT_TICKETS = "support_tickets"
IDEMPOTENCY = "idempotency"
