"""Named log helpers of the identity flows, one per message (structured JSON: `core.logs`).

They take ids only: never an email address, a password, a token, a code or a key.
"""

from __future__ import annotations

import logging
from typing import Any

from core.logs import LOGGER_NAME, emit

__all__ = [
    "log_api_key_created",
    "log_api_key_rejected",
    "log_api_key_revoked",
    "log_email_verified",
    "log_logged_in",
    "log_login_failed",
    "log_mail_failed",
    "log_member_changed",
    "log_rate_limited",
    "log_refresh_reuse",
    "log_signed_up",
]

_logger = logging.getLogger(f"{LOGGER_NAME}.auth")


def _info(message: str, **fields: Any) -> None:
    emit(_logger, logging.INFO, message, **fields)


def _warning(message: str, **fields: Any) -> None:
    emit(_logger, logging.WARNING, message, **fields)


def log_signed_up(*, user_id: str, tenant_id: str) -> None:
    _info("user signed up", user_id=user_id, tenant_id=tenant_id)


def log_email_verified(*, user_id: str, method: str) -> None:
    _info("email verified", user_id=user_id, method=method)


def log_logged_in(*, user_id: str, via: str) -> None:
    _info("user logged in", user_id=user_id, via=via)


def log_login_failed(*, known_user: bool) -> None:
    _warning("login failed", known_user=known_user)


def log_refresh_reuse(*, user_id: str, family_id: str, revoked: int) -> None:
    _warning(
        "spent refresh token reused; family revoked",
        user_id=user_id,
        family_id=family_id,
        revoked=revoked,
    )


def log_api_key_created(*, key_id: str, tenant_id: str, role: str, actor: str) -> None:
    _info("api key created", key_id=key_id, tenant_id=tenant_id, role=role, actor=actor)


def log_api_key_revoked(*, key_id: str, tenant_id: str, actor: str) -> None:
    _info("api key revoked", key_id=key_id, tenant_id=tenant_id, actor=actor)


def log_api_key_rejected(*, reason: str) -> None:
    _warning("api key rejected", reason=reason)


def log_member_changed(*, tenant_id: str, user_id: str, change: str, actor: str) -> None:
    _info("membership changed", tenant_id=tenant_id, user_id=user_id, change=change, actor=actor)


def log_mail_failed(*, purpose: str, user_id: str | None) -> None:
    _warning("email could not be sent", purpose=purpose, user_id=user_id)


def log_rate_limited(*, scope: str, retry_after: int) -> None:
    _warning("rate limited", scope=scope, retry_after=retry_after)
