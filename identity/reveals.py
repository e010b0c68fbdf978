"""A secret shown once, on the page after a redirect: post/redirect/get for forms that create one.

A form that creates a secret (a new API key) holds it for the browser session, redirects, and the
next page takes it: taking deletes it in the same commit, so a reload, a second tab or the back
button never shows it again, and a reload never creates a second one. Unread, it expires after
`REVEAL_TTL`.

The record (`session_reveals/{sha256(session id)}`) is sealed with AES-GCM under a key derived
from the session id and the signing key. The store holds only the id's hash, so the record alone
does not give the secret away; a changed signing key makes it unreadable, which reads as gone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from auth.secrets import sha256
from identity.context import AuthContext
from identity.records import reveal_key, stored
from ledger.store import Doc, DocKey, WriteSet

__all__ = ["REVEAL_TTL", "hold", "take"]

REVEAL_TTL = timedelta(minutes=10)
_NONCE_BYTES = 12


@dataclass(frozen=True)
class _Reveal:
    sealed: str
    created_at: datetime
    expires_at: datetime


def hold(ctx: AuthContext, session_id: str, secret: Mapping[str, str]) -> None:
    """Keep `secret` (a few named strings) for the session's next page; it replaces any other."""
    now = ctx.now()
    session_hash = sha256(session_id)
    nonce = os.urandom(_NONCE_BYTES)
    plain = json.dumps(dict(secret), sort_keys=True).encode()
    box = AESGCM(_key(ctx.signing_key, session_id)).encrypt(nonce, plain, session_hash.encode())
    sealed = base64.urlsafe_b64encode(nonce + box).decode()
    ctx.store.set(reveal_key(session_hash), stored(_Reveal(sealed, now, now + REVEAL_TTL)))


def take(ctx: AuthContext, session_id: str) -> dict[str, str] | None:
    """The secret held for this session, deleted as it is read; None if there is none (any
    more), it expired, or it cannot be opened."""
    now, session_hash = ctx.now(), sha256(session_id)
    key = reveal_key(session_hash)

    def take_once(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, str | None]:
        writes = WriteSet()
        doc = docs[key]
        if doc is None:
            return writes, None
        writes.delete(key)
        return writes, (str(doc["sealed"]) if doc["expires_at"] > now else None)

    sealed = ctx.store.commit_if_unchanged([key], take_once)
    if sealed is None:
        return None
    raw = base64.urlsafe_b64decode(sealed.encode())
    try:
        plain = AESGCM(_key(ctx.signing_key, session_id)).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], session_hash.encode()
        )
    except InvalidTag:
        return None
    secret = json.loads(plain)
    return {str(name): str(value) for name, value in secret.items()}


def _key(signing_key: str, session_id: str) -> bytes:
    return hmac.new(signing_key.encode(), f"reveal:{session_id}".encode(), hashlib.sha256).digest()
