"""Documents the bench puts in place directly, through the product's own ledger modules."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from auth.api_keys import generate_api_key
from ledger.api_keys import ApiKeyRecord, create_api_key

__all__ = ["create_viewer_key"]


def create_viewer_key(db: Any, tenant_id: str) -> str:
    """A `viewer` API key of `tenant_id` (enough for `payments:read` and `/me`): the key."""
    generated = generate_api_key(livemode=False)
    create_api_key(
        db,
        ApiKeyRecord(
            key_id=f"key_bench_{secrets.token_hex(6)}",
            tenant_id=tenant_id,
            name="bench",
            role="viewer",
            mode=generated.mode,
            lookup_prefix=generated.lookup_prefix,
            key_hash=generated.key_hash,
            created_by="bench",
            created_at=datetime.now(UTC),
        ),
    )
    return generated.key
