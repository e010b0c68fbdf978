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

# identity (`identity/records.py` says what each holds)
USERS = "users"
USER_EMAILS = "user_emails"  # sha256(email) → user: one address, one user
MEMBERSHIPS = "memberships"
INVITATIONS = "invitations"
REFRESH_TOKENS = "refresh_tokens"
SESSIONS = "sessions"
SESSION_REVEALS = "session_reveals"  # a secret a session's next page shows once
EMAIL_VERIFICATIONS = "email_verifications"
API_KEYS = "api_keys"
RATE_LIMITS = "rate_limits"
