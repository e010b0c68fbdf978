"""The routing table: every route, the deployed function that serves it, and its view.

Pure data, cheap to import. The local all-functions server (`python -m functions serve`) uses it
to pick a function for a path, each deployed function uses its own rows to pick a view, and the
deploy (`cloudbuild.yaml`, checked by a test) deploys exactly the functions named here.
Paths use werkzeug's rule syntax (`/api/v1/payments/<payment_id>`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["API_PREFIX", "FUNCTION_NAMES", "ROUTES", "Route", "routes_of"]

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class Route:
    function: str  # the deployed function, also its module `functions.<function>`
    method: str
    path: str
    view: str  # the attribute of `functions.<function>` that answers it
    summary: str


ROUTES: tuple[Route, ...] = (
    Route("discovery", "GET", API_PREFIX, "index", "Version and links to every route"),
    Route("discovery", "GET", "/health", "health", "Liveness"),
    Route("discovery", "GET", f"{API_PREFIX}/health", "health", "Liveness"),
    Route(
        "discovery", "GET", f"{API_PREFIX}/health/ready", "ready", "Readiness: Firestore answers"
    ),
    Route("discovery", "GET", f"{API_PREFIX}/openapi.yaml", "openapi", "The OpenAPI document"),
    # auth: accounts, credentials, API keys, members (functions/auth.py)
    Route(
        "auth", "POST", f"{API_PREFIX}/signup", "signup", "Create a user, a tenant and its owner"
    ),
    Route("auth", "POST", f"{API_PREFIX}/verify-email", "verify_email", "Verify by link token"),
    Route("auth", "POST", f"{API_PREFIX}/verify-email-code", "verify_email_code", "Verify by code"),
    Route("auth", "POST", f"{API_PREFIX}/verify-email/resend", "resend_verification", "Re-send it"),
    Route("auth", "POST", f"{API_PREFIX}/login", "login", "Access and refresh tokens"),
    Route("auth", "POST", f"{API_PREFIX}/token/refresh", "refresh_token", "Rotate the refresh"),
    Route("auth", "POST", f"{API_PREFIX}/logout", "logout", "Revoke refresh token and session"),
    Route("auth", "POST", f"{API_PREFIX}/sessions", "create_session", "Dashboard login (cookie)"),
    Route("auth", "GET", f"{API_PREFIX}/me", "me", "The caller, tenant, role and memberships"),
    Route("auth", "GET", f"{API_PREFIX}/api-keys", "list_api_keys", "The tenant's API keys"),
    Route("auth", "POST", f"{API_PREFIX}/api-keys", "create_api_key", "Create (shown once)"),
    Route("auth", "DELETE", f"{API_PREFIX}/api-keys/<key_id>", "revoke_api_key", "Revoke"),
    Route("auth", "GET", f"{API_PREFIX}/members", "list_members", "The tenant's members"),
    Route("auth", "POST", f"{API_PREFIX}/members", "invite_member", "Invite by email"),
    Route("auth", "PATCH", f"{API_PREFIX}/members/<user_id>", "change_member_role", "Set role"),
    Route("auth", "DELETE", f"{API_PREFIX}/members/<user_id>", "remove_member", "Remove"),
    Route("auth", "GET", f"{API_PREFIX}/invitations", "list_invitations", "Pending invitations"),
    Route(
        "auth",
        "POST",
        f"{API_PREFIX}/invitations/<invitation_id>/resend",
        "resend_invitation",
        "A new link (the old one stops working)",
    ),
    Route(
        "auth",
        "DELETE",
        f"{API_PREFIX}/invitations/<invitation_id>",
        "revoke_invitation",
        "Withdraw it",
    ),
    Route("auth", "POST", f"{API_PREFIX}/invitations/accept", "accept_invitation", "Join a tenant"),
    Route(
        "auth",
        "POST",
        f"{API_PREFIX}/invitations/join",
        "join_by_invitation",
        "Join as someone new (token, password)",
    ),
    # webhooks: Stripe's deliveries and the inbox (functions/webhooks.py)
    Route("webhooks", "POST", "/webhook", "receive", "Stripe webhook deliveries (signed)"),
    Route("webhooks", "GET", f"{API_PREFIX}/webhook-events", "list_events", "The webhook inbox"),
    Route(
        "webhooks",
        "POST",
        f"{API_PREFIX}/webhook-events/<event_id>/replay",
        "replay_event",
        "Apply a recorded event again",
    ),
    # process_event: the webhook queues' push endpoints; jobs: Cloud Scheduler's
    Route("process_event", "POST", "/tasks/apply-event", "apply", "Apply one received event"),
    Route("process_event", "POST", "/tasks/process-event", "process", "Retry one webhook event"),
    Route("jobs", "POST", "/jobs/retry-sweep", "retry_sweep", "Retry due and stuck events"),
    Route("jobs", "POST", "/jobs/expire-idempotency", "expire_idempotency", "Drop keys > 24 h"),
    # connect: the tenant's Stripe Express account (functions/connect.py)
    Route("connect", "POST", f"{API_PREFIX}/connect/accounts", "create_account", "Create it"),
    Route(
        "connect",
        "POST",
        f"{API_PREFIX}/connect/account-links",
        "create_account_link",
        "Onboarding link",
    ),
    Route("connect", "GET", f"{API_PREFIX}/connect/account", "account", "Status from Stripe"),
    Route(
        "connect",
        "GET",
        f"{API_PREFIX}/connect/express-login-link",
        "express_login_link",
        "Express dashboard link",
    ),
    # checkout, payments, refunds, disputes (functions/<name>.py)
    Route(
        "checkout",
        "POST",
        f"{API_PREFIX}/checkout-sessions",
        "create_checkout_session",
        "Create a Checkout Session (Idempotency-Key)",
    ),
    Route("payments", "GET", f"{API_PREFIX}/payments", "list_payments", "List (filters, cursor)"),
    Route("payments", "GET", f"{API_PREFIX}/payments/<payment_id>", "get_payment", "One payment"),
    Route(
        "payments",
        "GET",
        f"{API_PREFIX}/payments/<payment_id>/timeline",
        "payment_timeline",
        "Its events by Stripe time, and API notes",
    ),
    Route(
        "payments",
        "POST",
        f"{API_PREFIX}/payments/<payment_id>/capture",
        "capture_payment",
        "Capture an authorization (Idempotency-Key)",
    ),
    Route(
        "payments",
        "POST",
        f"{API_PREFIX}/payments/<payment_id>/cancel",
        "cancel_payment",
        "Cancel the intent (Idempotency-Key)",
    ),
    Route("refunds", "POST", f"{API_PREFIX}/refunds", "create_refund", "Refund (Idempotency-Key)"),
    Route("refunds", "GET", f"{API_PREFIX}/refunds", "list_refunds", "List (filters, cursor)"),
    Route("disputes", "GET", f"{API_PREFIX}/disputes", "list_disputes", "List (filters, cursor)"),
    Route("disputes", "GET", f"{API_PREFIX}/disputes/<dispute_id>", "get_dispute", "One dispute"),
    # dashboard: the merchant web UI, HTML on the session cookie (functions/dashboard/)
    *(
        Route("dashboard", method, path, view, summary)
        for method, path, view, summary in (
            ("GET", "/", "root", "To the dashboard"),
            ("GET", "/dashboard/static/<name>", "static_file", "Stylesheet, script, icon"),
            ("GET", "/dashboard/signup", "signup_page", "Sign-up form"),
            ("POST", "/dashboard/signup", "sign_up", "Create the account, ask for the code"),
            ("GET", "/dashboard/login", "login_page", "Login form"),
            ("POST", "/dashboard/login", "log_in", "Log in (session cookie)"),
            ("POST", "/dashboard/logout", "log_out", "End the session"),
            ("GET", "/dashboard/verify", "verify_page", "Enter the emailed code"),
            ("POST", "/dashboard/verify", "verify_code", "Verify by code"),
            ("POST", "/dashboard/verify/resend", "resend_code", "Email a new code"),
            ("GET", "/verify-email", "verify_link", "The verification email's link"),
            ("GET", "/invitations/accept", "invitation_page", "The invitation email's link"),
            ("POST", "/invitations/accept", "accept_invitation", "Join the team"),
            ("POST", "/invitations/join", "join_team", "Create an account and join"),
            ("POST", "/dashboard/switch-tenant", "switch_tenant", "Act for another business"),
            ("GET", "/dashboard", "home", "Onboarding state, 30-day numbers, chart"),
            ("POST", "/dashboard/connect/onboard", "connect_onboard", "To Stripe onboarding"),
            ("GET", "/dashboard/connect/return", "connect_return", "Back from onboarding"),
            ("GET", "/dashboard/connect/refresh", "connect_refresh", "A fresh onboarding link"),
            ("POST", "/dashboard/connect/express", "connect_express", "To the Express dashboard"),
            ("GET", "/dashboard/payments", "payments_page", "Payments (filters, pages)"),
            ("GET", "/dashboard/payments/<payment_id>", "payment_page", "Timeline, actions"),
            ("POST", "/dashboard/payments/<payment_id>/capture", "capture", "Capture"),
            ("POST", "/dashboard/payments/<payment_id>/cancel", "cancel", "Cancel"),
            ("POST", "/dashboard/payments/<payment_id>/refund", "refund", "Refund (confirmed)"),
            ("GET", "/dashboard/refunds", "refunds_page", "Refunds"),
            ("GET", "/dashboard/disputes", "disputes_page", "Disputes"),
            ("GET", "/dashboard/developers/api-keys", "api_keys_page", "API keys"),
            ("POST", "/dashboard/developers/api-keys", "create_api_key", "Create (shown once)"),
            (
                "POST",
                "/dashboard/developers/api-keys/<key_id>/revoke",
                "revoke_api_key",
                "Revoke a key",
            ),
            ("GET", "/dashboard/developers/webhooks", "webhooks_page", "Webhook inbox"),
            (
                "POST",
                "/dashboard/developers/webhooks/<event_id>/replay",
                "replay_event",
                "Replay an event",
            ),
            ("GET", "/dashboard/team", "team_page", "Members, invitations"),
            ("POST", "/dashboard/team/invitations", "invite", "Invite by email"),
            (
                "POST",
                "/dashboard/team/invitations/<invitation_id>/resend",
                "resend_invitation",
                "Email a new link",
            ),
            (
                "POST",
                "/dashboard/team/invitations/<invitation_id>/revoke",
                "revoke_invitation",
                "Withdraw it",
            ),
            ("POST", "/dashboard/team/members/<user_id>/role", "change_role", "Change a role"),
            ("POST", "/dashboard/team/members/<user_id>/remove", "remove_member", "Remove"),
        )
    ),
)

FUNCTION_NAMES: tuple[str, ...] = tuple(dict.fromkeys(route.function for route in ROUTES))


def routes_of(function: str) -> tuple[Route, ...]:
    return tuple(route for route in ROUTES if route.function == function)
