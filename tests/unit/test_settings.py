from __future__ import annotations

import logging

import pytest

from core.settings import Settings

BASE = {"GOOGLE_CLOUD_PROJECT": "demo-unit"}


def test_defaults_for_a_bare_local_environment() -> None:
    settings = Settings.from_env({})
    assert settings.project == "demo-payments"
    assert settings.port == 8080
    assert settings.stripe_livemode is False
    assert settings.firestore_emulator_host is None
    assert settings.app_base_url == "http://127.0.0.1:8080"
    assert not settings.stripe_secret_key


def test_reads_every_contract_name() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "FIRESTORE_EMULATOR_HOST": "127.0.0.1:1",
            "PUBSUB_EMULATOR_HOST": "127.0.0.1:2",
            "STRIPE_SECRET_KEY": "sk_test_abc",
            "STRIPE_API_BASE": "http://127.0.0.1:3",
            "STRIPE_WEBHOOK_SECRET": "whsec_a, whsec_b",
            "STRIPE_CONNECT_WEBHOOK_SECRET": "whsec_c",
            "STRIPE_LIVEMODE": "true",
            "MAILGUN_API_KEY": "key-1",
            "MAILGUN_DOMAIN": "mg.example.com",
            "MAILGUN_API_BASE": "http://127.0.0.1:4",
            "AUTH_SIGNING_KEY": "signing-key-of-at-least-32-bytes!",
            "APP_BASE_URL": "https://pay.example.com/",
            "PORT": "9090",
            "INTERNAL_AUDIENCE": "https://europe-west1-p.cloudfunctions.net/jobs",
            "INTERNAL_INVOKERS": "a@p.iam.gserviceaccount.com, b@p.iam.gserviceaccount.com",
            "INTERNAL_TOKEN": "internal-token-of-at-least-32-chars",
        }
    )
    assert settings.project == "demo-unit"
    assert settings.firestore_emulator_host == "127.0.0.1:1"
    assert settings.pubsub_emulator_host == "127.0.0.1:2"
    assert settings.stripe_secret_key.reveal() == "sk_test_abc"
    assert settings.stripe_api_base == "http://127.0.0.1:3"
    assert settings.stripe_webhook_secret.reveal_all() == ("whsec_a", "whsec_b")
    assert settings.stripe_connect_webhook_secret.reveal_all() == ("whsec_c",)
    assert settings.stripe_livemode is True
    assert settings.mailgun_api_key.reveal() == "key-1"
    assert settings.mailgun_domain == "mg.example.com"
    assert settings.mailgun_api_base == "http://127.0.0.1:4"
    assert settings.auth_signing_key.reveal() == "signing-key-of-at-least-32-bytes!"
    assert settings.app_base_url == "https://pay.example.com"
    assert settings.port == 9090
    assert settings.internal_audience == "https://europe-west1-p.cloudfunctions.net/jobs"
    assert settings.internal_invokers == (
        "a@p.iam.gserviceaccount.com",
        "b@p.iam.gserviceaccount.com",
    )
    assert settings.internal_token.reveal() == "internal-token-of-at-least-32-chars"


def test_secrets_never_show_in_repr_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.from_env({**BASE, "STRIPE_SECRET_KEY": "sk_test_supersecret"})
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("settings: %s", settings)
    assert "supersecret" not in repr(settings)
    assert "supersecret" not in caplog.text


def test_secret_manager_references_resolve_on_first_use_only() -> None:
    fetched: list[str] = []

    def fetch(name: str) -> str:
        fetched.append(name)
        return f"value-of-{name.split('/')[3]}"

    settings = Settings.from_env(
        {
            **BASE,
            "STRIPE_SECRET_KEY": "sm://stripe-secret-key",
            "AUTH_SIGNING_KEY": "sm://projects/other/secrets/jwt/versions/3",
        },
        fetch_secret=fetch,
    )
    assert fetched == []
    assert settings.stripe_secret_key.reveal() == "value-of-stripe-secret-key"
    assert settings.stripe_secret_key.reveal() == "value-of-stripe-secret-key"
    assert settings.auth_signing_key.reveal() == "value-of-jwt"
    assert fetched == [
        "projects/demo-unit/secrets/stripe-secret-key/versions/latest",
        "projects/other/secrets/jwt/versions/3",
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("MAX_REQUEST_BYTES", "-1"),
        ("INTERNAL_TOKEN", "short"),
        ("INTERNAL_INVOKERS", ""),  # with INTERNAL_AUDIENCE (below): whose tokens, then?
    ],
)
def test_bad_values_fail_loudly_naming_the_setting(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        Settings.from_env({**BASE, "INTERNAL_AUDIENCE": "https://f.example", name: value})


def test_a_signing_key_shorter_than_32_bytes_is_refused_naming_the_setting() -> None:
    """Issue 14: the key signs every token and cookie; a short one is refused at once."""
    with pytest.raises(ValueError, match=r"AUTH_SIGNING_KEY must be at least 32 bytes.*it has 31"):
        Settings.from_env({**BASE, "AUTH_SIGNING_KEY": "k" * 31})
    assert Settings.from_env({**BASE, "AUTH_SIGNING_KEY": "k" * 32}).auth_signing_key
    reference = Settings.from_env({**BASE, "AUTH_SIGNING_KEY": "sm://jwt"})  # checked on use
    assert reference.auth_signing_key.is_reference


def test_a_short_signing_key_from_secret_manager_leaves_authentication_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bootstrap
    from core import settings as settings_module
    from core.errors import Unavailable

    monkeypatch.setenv("AUTH_SIGNING_KEY", "sm://jwt")
    monkeypatch.setattr(settings_module, "_fetch_from_secret_manager", lambda name: "short")
    bootstrap.reset()
    try:
        with pytest.raises(Unavailable, match="signing key is too short"):
            bootstrap.auth_context()
    finally:
        monkeypatch.undo()
        bootstrap.reset()
