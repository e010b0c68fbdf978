"""The primitives of access: JWTs (`tokens`), session cookies and CSRF tokens (`sessions`),
the API key format (`api_keys`), passwords (`passwords`), roles and permissions (`principal`,
`rbac`), reading a request's credential (`credentials`) and secrets' hashing (`secrets`).

Plain functions over strings and header mappings (no Flask, no Firestore, no services: the
people and their access records are `identity/`'s) that raise `core.errors.Unauthorized` /
`Forbidden`. Submodules are imported where used, so a cold
start pays only for what it needs (`auth.passwords` loads Argon2, `auth.tokens` loads PyJWT).
"""

from __future__ import annotations

from auth.principal import Principal, Role

__all__ = ["Principal", "Role"]
