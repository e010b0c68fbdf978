"""Who is calling, for which tenant, with which role."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Principal", "Role"]


class Role(StrEnum):
    """A member's (or an API key's) role in a tenant, strongest first."""

    OWNER = "owner"
    ADMIN = "admin"
    DEVELOPER = "developer"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


_RANKS = {Role.VIEWER: 1, Role.DEVELOPER: 2, Role.ADMIN: 3, Role.OWNER: 4}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller, resolved to one tenant.

    Exactly one of `user_id` (a person: JWT or dashboard session) and `api_key_id` (an API key)
    is set. `tenant_id` is the tenant in effect for this request: every tenant-scoped read and
    write must filter by it.
    """

    tenant_id: str
    role: Role
    user_id: str | None
    api_key_id: str | None
    email_verified: bool
    via: str = "jwt"  # "jwt", "api_key" or "session"
    session_id: str | None = None

    @property
    def actor(self) -> str:
        """A stable, loggable id of who acted (never a secret)."""
        return self.user_id or f"key:{self.api_key_id}"
