"""Typed settings, read once from the environment.

Secrets (Stripe keys, webhook secrets, the auth signing key, the Mailgun key) may be given in
the environment as plain values (local development, or Cloud Functions' `--set-secrets`, which
injects Secret Manager values as variables), or as a reference `sm://SECRET[/VERSION]` or
`sm://projects/P/secrets/S/versions/V`, resolved through Secret Manager on first use only, so a
function that never touches a secret never pays for the call.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = ["MIN_SIGNING_KEY_BYTES", "Secret", "Settings", "check_signing_key", "get_settings"]

SECRET_REF_PREFIX = "sm://"
MIN_SIGNING_KEY_BYTES = 32  # HMAC-SHA256 keys for tokens and cookies: at least the hash's size
MIN_INTERNAL_TOKEN_CHARS = 32


def check_signing_key(value: str) -> None:
    """`ValueError` naming the setting if `value` is too short to sign tokens and cookies."""
    size = len(value.encode("utf-8"))
    if size < MIN_SIGNING_KEY_BYTES:
        raise ValueError(
            f"AUTH_SIGNING_KEY must be at least {MIN_SIGNING_KEY_BYTES} bytes (it signs every "
            f"access token, session cookie and CSRF token); it has {size}"
        )


class Secret:
    """A secret value that never shows itself in a repr, a log line or an exception."""

    def __init__(
        self, raw: str, *, project: str, fetch: Callable[[str], str] | None = None
    ) -> None:
        self._raw = raw
        self._project = project
        self._fetch = fetch
        self._value: str | None = None if raw.startswith(SECRET_REF_PREFIX) else raw

    def __repr__(self) -> str:
        return "Secret('**********')" if self._raw else "Secret('')"

    def __bool__(self) -> bool:
        return bool(self._raw)

    @property
    def is_reference(self) -> bool:
        """Given as a Secret Manager reference (`sm://…`), resolved on first use."""
        return self._raw.startswith(SECRET_REF_PREFIX)

    def reveal(self) -> str:
        if self._value is None:
            fetch = self._fetch or _fetch_from_secret_manager
            self._value = fetch(_secret_version_name(self._raw, self._project))
        return self._value

    def reveal_all(self) -> tuple[str, ...]:
        """The comma-separated values of a rotated secret (e.g. webhook signing secrets)."""
        return tuple(part.strip() for part in self.reveal().split(",") if part.strip())


def _secret_version_name(ref: str, project: str) -> str:
    path = ref.removeprefix(SECRET_REF_PREFIX)
    if path.startswith("projects/"):
        return path
    name, _, version = path.partition("/")
    return f"projects/{project}/secrets/{name}/versions/{version or 'latest'}"


def _fetch_from_secret_manager(version_name: str) -> str:
    from google.cloud import secretmanager  # imported only when a reference is resolved

    client = secretmanager.SecretManagerServiceClient()
    response = client.access_secret_version(name=version_name)
    return str(response.payload.data.decode("utf-8"))


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything the product reads from its environment. Names are a contract (SPEC §7)."""

    project: str
    firestore_emulator_host: str | None
    pubsub_emulator_host: str | None
    stripe_secret_key: Secret
    stripe_api_base: str | None
    stripe_webhook_secret: Secret
    stripe_connect_webhook_secret: Secret
    stripe_livemode: bool
    mailgun_api_key: Secret
    mailgun_domain: str
    mailgun_api_base: str
    auth_signing_key: Secret
    app_base_url: str
    port: int
    max_request_bytes: int = field(default=1_000_000)
    trusted_proxy_hops: int = 0  # proxies in front that append to X-Forwarded-For
    firestore_deadline_seconds: float = 3.0
    webhook_apply_topic: str = "webhook-events"
    webhook_retry_topic: str = "webhook-retries"
    webhook_max_attempts: int = 8
    webhook_lease_seconds: int = 60
    webhook_retry_base_seconds: float = 30.0
    stripe_max_network_retries: int = 2
    connect_return_origins: tuple[str, ...] = ()  # besides APP_BASE_URL's origin
    # Who may call /tasks/* and /jobs/* (auth/internal_callers.py): deployed, a Google ID token
    # for this audience (the function's URL) minted for one of the invokers; locally, a token.
    internal_audience: str | None = None
    internal_invokers: tuple[str, ...] = ()
    internal_token: Secret = field(default_factory=lambda: Secret("", project=""))

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], *, fetch_secret: Callable[[str], str] | None = None
    ) -> Settings:
        project = env.get("GOOGLE_CLOUD_PROJECT") or env.get("GCLOUD_PROJECT") or "demo-payments"

        def secret(name: str) -> Secret:
            return Secret(env.get(name, ""), project=project, fetch=fetch_secret)

        return cls(
            project=project,
            firestore_emulator_host=env.get("FIRESTORE_EMULATOR_HOST") or None,
            pubsub_emulator_host=env.get("PUBSUB_EMULATOR_HOST") or None,
            stripe_secret_key=secret("STRIPE_SECRET_KEY"),
            stripe_api_base=env.get("STRIPE_API_BASE") or None,
            stripe_webhook_secret=secret("STRIPE_WEBHOOK_SECRET"),
            stripe_connect_webhook_secret=secret("STRIPE_CONNECT_WEBHOOK_SECRET"),
            stripe_livemode=_flag(env.get("STRIPE_LIVEMODE")),
            mailgun_api_key=secret("MAILGUN_API_KEY"),
            mailgun_domain=env.get("MAILGUN_DOMAIN", ""),
            mailgun_api_base=env.get("MAILGUN_API_BASE", "https://api.mailgun.net"),
            auth_signing_key=_signing_key(secret("AUTH_SIGNING_KEY")),
            app_base_url=env.get("APP_BASE_URL", "http://127.0.0.1:8080").rstrip("/"),
            port=_port(env.get("PORT", "8080")),
            max_request_bytes=_positive_int("MAX_REQUEST_BYTES", env.get("MAX_REQUEST_BYTES")),
            trusted_proxy_hops=_count("TRUSTED_PROXY_HOPS", env.get("TRUSTED_PROXY_HOPS")),
            firestore_deadline_seconds=_positive_float(
                "FIRESTORE_DEADLINE_SECONDS", env.get("FIRESTORE_DEADLINE_SECONDS"), default=3.0
            ),
            webhook_apply_topic=env.get("WEBHOOK_APPLY_TOPIC", "webhook-events"),
            webhook_retry_topic=env.get("WEBHOOK_RETRY_TOPIC", "webhook-retries"),
            webhook_max_attempts=_positive_int(
                "WEBHOOK_MAX_ATTEMPTS", env.get("WEBHOOK_MAX_ATTEMPTS"), default=8
            ),
            webhook_lease_seconds=_positive_int(
                "WEBHOOK_LEASE_SECONDS", env.get("WEBHOOK_LEASE_SECONDS"), default=60
            ),
            webhook_retry_base_seconds=_positive_float(
                "WEBHOOK_RETRY_BASE_SECONDS", env.get("WEBHOOK_RETRY_BASE_SECONDS"), default=30.0
            ),
            stripe_max_network_retries=int(env.get("STRIPE_MAX_NETWORK_RETRIES") or 2),
            connect_return_origins=_list(env.get("CONNECT_RETURN_ORIGINS"), strip="/"),
            internal_audience=env.get("INTERNAL_AUDIENCE") or None,
            internal_invokers=_list(env.get("INTERNAL_INVOKERS")),
            internal_token=_internal_token(secret("INTERNAL_TOKEN")),
        )

    def __post_init__(self) -> None:
        if self.internal_audience and not self.internal_invokers:
            raise ValueError(
                "INTERNAL_INVOKERS must name the service account(s) whose ID tokens may call "
                "the internal routes when INTERNAL_AUDIENCE is set"
            )


def _list(raw: str | None, *, strip: str = "") -> tuple[str, ...]:
    """A comma-separated list, each item stripped (of whitespace and `strip`)."""
    return tuple(item.strip().rstrip(strip) for item in (raw or "").split(",") if item.strip())


def _internal_token(token: Secret) -> Secret:
    if token and not token.is_reference and len(token.reveal()) < MIN_INTERNAL_TOKEN_CHARS:
        raise ValueError(f"INTERNAL_TOKEN must be at least {MIN_INTERNAL_TOKEN_CHARS} characters")
    return token


def _port(raw: str) -> int:
    try:
        port = int(raw)
    except ValueError:
        raise ValueError(f"PORT must be an integer, got {raw!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"PORT must be between 1 and 65535, got {port}")
    return port


def _positive_int(name: str, raw: str | None, default: int = 1_000_000) -> int:
    return _int(name, raw, default=default, minimum=1)


def _count(name: str, raw: str | None) -> int:
    """A whole number, 0 or more (0 when unset)."""
    return _int(name, raw, default=0, minimum=0)


def _int(name: str, raw: str | None, *, default: int, minimum: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        bound = "positive" if minimum == 1 else f"{minimum} or more"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def _positive_float(name: str, raw: str | None, *, default: float) -> float:
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return value


def _signing_key(key: Secret) -> Secret:
    """A key given as its value is checked at once (a Secret Manager reference when revealed)."""
    if key and not key.is_reference:
        check_signing_key(key.reveal())
    return key


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, read from `os.environ` on first use."""
    return Settings.from_env(os.environ)
