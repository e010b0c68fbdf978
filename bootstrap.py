"""The composition root: builds the expensive clients lazily, once per process, and runs each
command with its handler and the dependencies it names (`handle`).

A cold start pays only for what the function it serves actually uses: importing this module
imports no client library and no service; each accessor imports and builds its client on first
call, and a handler is imported the first time its command is handled.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from core.settings import check_signing_key, get_settings

if TYPE_CHECKING:
    from identity.context import AuthContext
    from identity.mail import AbstractMailer
    from ledger.client import Firestore
    from ledger.store import AbstractStore
    from payments.stripe_gateway import AbstractStripeGateway
    from payments.webhooks.service import WebhookDeps

__all__ = [
    "COMMAND_HANDLERS",
    "DEPENDENCIES",
    "auth_context",
    "check_ready",
    "firestore_client",
    "handle",
    "mailer",
    "pubsub_publisher",
    "reset",
    "store",
    "stripe_gateway",
    "webhook_deps",
]


# Each command (`payments.commands`, `identity.commands`) and its handler, "module:function",
# imported on first use. A handler takes the command (the parameter annotated with its type)
# and, by name, what it needs of `DEPENDENCIES` and of what the view knows of the request
# (`idempotency_key`, `principal`, `client`).
COMMAND_HANDLERS: dict[str, str] = {
    # money
    "CreateCheckoutSession": "payments.checkout:create_checkout_session",
    "CapturePayment": "payments.payment_actions:capture_payment",
    "CancelPayment": "payments.payment_actions:cancel_payment",
    "CreateRefund": "payments.refunds:create_refund",
    "CreateConnectAccount": "payments.connect:create_account",
    "CreateAccountLink": "payments.connect:create_account_link",
    "RefreshAccount": "payments.connect:refresh_account",
    "CreateLoginLink": "payments.connect:create_login_link",
    # identity
    "Signup": "identity.registration:signup",
    "VerifyEmailLink": "identity.registration:verify_email_token",
    "VerifyCode": "identity.registration:verify_email_code",
    "ResendVerification": "identity.registration:resend_verification",
    "LogIn": "identity.logins:login",
    "OpenSession": "identity.logins:create_session",
    "RefreshTokens": "identity.logins:refresh",
    "LogOut": "identity.logins:logout",
    "CreateApiKey": "identity.api_keys:create_api_key",
    "RevokeApiKey": "identity.api_keys:revoke_api_key",
    "Invite": "identity.invitations:invite_member",
    "AcceptInvitation": "identity.invitations:accept_invitation",
    "JoinByInvitation": "identity.invitations:join_by_invitation",
    "ResendInvitation": "identity.invitations:resend_invitation",
    "RevokeInvitation": "identity.invitations:revoke_invitation",
    "ChangeRole": "identity.members:change_member_role",
    "RemoveMember": "identity.members:remove_member",
    "SwitchTenant": "identity.tenancy:switch_tenant",
}


def handle(command: object, **request: Any) -> Any:
    """Run `command`'s handler with the dependencies it names, built (once) only if it names
    them; `request` gives what only the view knows (`idempotency_key`, `principal`, `client`)."""
    handler, parameters, command_parameter = _handler(type(command).__name__)
    arguments = {
        name: request[name] if name in request else DEPENDENCIES[name]()
        for name in parameters
        if name != command_parameter
    }
    return handler(**{command_parameter: command}, **arguments)


@functools.cache
def _handler(command_type: str) -> tuple[Callable[..., Any], tuple[str, ...], str]:
    """The handler, its parameters' names, and the one that takes the command."""
    module, _, name = COMMAND_HANDLERS[command_type].partition(":")
    handler: Callable[..., Any] = getattr(importlib.import_module(module), name)
    parameters = inspect.signature(handler).parameters
    takes_command = [n for n, p in parameters.items() if p.annotation == command_type]
    if len(takes_command) != 1:
        raise TypeError(f"{name} must take one parameter annotated {command_type}")
    return handler, tuple(parameters), takes_command[0]


def _now() -> datetime:
    return datetime.now(UTC)


@functools.cache
def firestore_client() -> Firestore:
    import ledger

    return ledger.connect(get_settings().project)


@functools.cache
def store() -> AbstractStore:
    from ledger.store import FirestoreStore

    return FirestoreStore(firestore_client(), deadline_s=get_settings().firestore_deadline_seconds)


@functools.cache
def webhook_deps() -> WebhookDeps:
    import random

    from payments.webhooks.policy import RetryPolicy
    from payments.webhooks.queues import PubSubQueue
    from payments.webhooks.routing import TenantDirectory
    from payments.webhooks.service import WebhookDeps

    settings = get_settings()
    topics = f"projects/{settings.project}/topics"
    return WebhookDeps(
        store=store(),
        queue=PubSubQueue(
            pubsub_publisher,
            apply_topic=f"{topics}/{settings.webhook_apply_topic}",
            retry_topic=f"{topics}/{settings.webhook_retry_topic}",
        ),
        tenants=TenantDirectory(store()),
        signing_secrets=lambda: (
            *settings.stripe_webhook_secret.reveal_all(),
            *settings.stripe_connect_webhook_secret.reveal_all(),
        ),
        livemode=settings.stripe_livemode,
        policy=RetryPolicy(
            lease_seconds=settings.webhook_lease_seconds,
            max_attempts=settings.webhook_max_attempts,
            base_backoff_seconds=settings.webhook_retry_base_seconds,
        ),
        clock=_now,
        jitter=lambda: random.uniform(0.5, 1.5),
        stripe=stripe_gateway,
    )


@functools.cache
def pubsub_publisher() -> Any:
    from payments.webhooks.queues import publisher

    return publisher()


@functools.cache
def mailer() -> AbstractMailer:
    from identity.mail import MailgunMailer

    settings = get_settings()
    return MailgunMailer(
        api_base=settings.mailgun_api_base,
        domain=settings.mailgun_domain,
        api_key=settings.mailgun_api_key,
    )


@functools.cache
def auth_context() -> AuthContext:
    """What the identity services need; `Unavailable` when no signing key is configured."""
    from core.errors import Unavailable
    from identity.context import AuthContext

    settings = get_settings()
    if not settings.auth_signing_key:
        raise Unavailable("Authentication is not configured", code="auth_not_configured")
    signing_key = settings.auth_signing_key.reveal()
    try:
        check_signing_key(signing_key)  # a Secret Manager reference is checked once revealed
    except ValueError:
        raise Unavailable(
            "Authentication is not configured: its signing key is too short",
            code="auth_not_configured",
        ) from None
    return AuthContext(
        store=store(),
        signing_key=signing_key,
        mailer=mailer(),
        app_base_url=settings.app_base_url,
        livemode=settings.stripe_livemode,
    )


@functools.cache
def stripe_gateway() -> AbstractStripeGateway:
    """The Stripe gateway on one `StripeClient` (the emulator's URL when `STRIPE_API_BASE`)."""
    from core.errors import Unavailable
    from payments.stripe_gateway import StripeGateway

    settings = get_settings()
    if not settings.stripe_secret_key:
        raise Unavailable("Stripe is not configured", code="stripe_not_configured")
    return StripeGateway.connect(
        settings.stripe_secret_key.reveal(),
        api_base=settings.stripe_api_base,
        max_network_retries=settings.stripe_max_network_retries,
    )


# What a handler may name, each built on first use.
DEPENDENCIES: dict[str, Callable[[], Any]] = {
    "ctx": auth_context,
    "store": store,
    "stripe": stripe_gateway,
    "settings": get_settings,
    "now": _now,
    "idempotency_key": lambda: None,
}


def check_ready() -> dict[str, str]:
    """Raise `Unavailable` unless every dependency a request needs is answering."""
    from ledger import ping  # deferred: liveness and the index never pay Firestore's import

    ping(firestore_client())
    return {"firestore": "ok"}


def reset() -> None:
    """Forget every built client and the settings (tests that change the environment)."""
    firestore_client.cache_clear()
    store.cache_clear()
    webhook_deps.cache_clear()
    pubsub_publisher.cache_clear()
    mailer.cache_clear()
    auth_context.cache_clear()
    stripe_gateway.cache_clear()
    get_settings.cache_clear()
