"""The one permission matrix (also in the README's "Roles and permissions").

Roles are ordered `owner > admin > developer > viewer`; each permission names the weakest role
that holds it. Permissions that move money or touch Connect, billing or API keys also need a
verified email address.
"""

from __future__ import annotations

from auth.principal import Principal, Role
from core.errors import Forbidden

__all__ = [
    "PERMISSIONS",
    "VERIFIED_EMAIL_REQUIRED",
    "authorize",
    "can_grant",
    "check_grant",
    "has_permission",
]

PERMISSIONS: dict[str, Role] = {
    "payments:read": Role.VIEWER,
    "refunds:read": Role.VIEWER,
    "disputes:read": Role.VIEWER,
    "webhook_events:read": Role.VIEWER,
    "members:read": Role.VIEWER,
    "checkout:create": Role.DEVELOPER,
    "api_keys:manage": Role.DEVELOPER,
    "payments:capture": Role.ADMIN,
    "payments:cancel": Role.ADMIN,
    "refunds:create": Role.ADMIN,
    "webhook_events:replay": Role.ADMIN,
    "members:manage": Role.ADMIN,
    "members:invite": Role.ADMIN,  # sends mail to any address: a verified sender only
    "connect:manage": Role.OWNER,
    "billing:manage": Role.OWNER,
    "owners:manage": Role.OWNER,
}

VERIFIED_EMAIL_REQUIRED: frozenset[str] = frozenset(
    {
        "checkout:create",
        "api_keys:manage",
        "payments:capture",
        "payments:cancel",
        "refunds:create",
        "members:invite",
        "connect:manage",
        "billing:manage",
    }
)


def has_permission(role: Role, permission: str) -> bool:
    try:
        return role.at_least(PERMISSIONS[permission])
    except KeyError:
        raise ValueError(f"unknown permission {permission!r}") from None


def authorize(principal: Principal, permission: str) -> None:
    """Raise `Forbidden` unless the principal's role holds `permission` (and, where the matrix
    says so, its email is verified)."""
    if not has_permission(principal.role, permission):
        raise Forbidden(
            f"The {principal.role} role does not allow {permission}", code="insufficient_role"
        )
    if permission in VERIFIED_EMAIL_REQUIRED and not principal.email_verified:
        raise Forbidden("Verify your email address before doing this", code="email_not_verified")


def can_grant(actor: Role, target: Role) -> bool:
    """May someone with `actor` hand out (or take away) `target`? Never above one's own role;
    the owner role only by owners."""
    if target is Role.OWNER:
        return actor is Role.OWNER
    return actor.at_least(target)


def check_grant(principal: Principal, role: Role) -> None:
    """`Forbidden` unless the principal may hand out (or take away) `role` (`can_grant`)."""
    if not can_grant(principal.role, role):
        raise Forbidden(
            f"A {principal.role} cannot grant or take away the {role} role", code="role_too_high"
        )
