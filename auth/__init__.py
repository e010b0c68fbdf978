"""Identity and access: JWT, API keys, passwords, sessions, roles.

Plain functions over strings and header mappings (no Flask, no Firestore) that raise
`core.errors.Unauthorized` / `Forbidden`. Submodules are imported where used, so a cold
start pays only for what it needs (`auth.passwords` loads Argon2, `auth.tokens` loads PyJWT).
"""

from __future__ import annotations

from auth.principal import Principal, Role

__all__ = ["Principal", "Role"]
