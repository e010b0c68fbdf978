"""The permission matrix: role order, every permission, the verified-email rule, grants."""

from __future__ import annotations

import pytest

from auth.principal import Principal, Role
from auth.rbac import PERMISSIONS, VERIFIED_EMAIL_REQUIRED, authorize, can_grant, has_permission
from core.errors import Forbidden

# The README's matrix, role by role: what each role may do.
EXPECTED = {
    Role.VIEWER: {
        "payments:read", "refunds:read", "disputes:read", "webhook_events:read", "members:read",
    },
    Role.DEVELOPER: {"checkout:create", "api_keys:manage"},
    Role.ADMIN: {
        "payments:capture", "payments:cancel", "refunds:create", "webhook_events:replay",
        "members:manage", "members:invite",
    },
    Role.OWNER: {"connect:manage", "billing:manage", "owners:manage"},
}  # fmt: skip
ORDER = [Role.VIEWER, Role.DEVELOPER, Role.ADMIN, Role.OWNER]


def principal(role: Role, *, verified: bool = True) -> Principal:
    return Principal("ten_1", role, "usr_1", None, verified)


def test_roles_are_ordered() -> None:
    assert [r.rank for r in ORDER] == sorted(r.rank for r in ORDER)
    assert Role.OWNER.at_least(Role.ADMIN) and not Role.VIEWER.at_least(Role.DEVELOPER)


@pytest.mark.parametrize("role", ORDER)
def test_each_role_holds_its_own_and_every_weaker_roles_permissions(role: Role) -> None:
    granted = set().union(*(EXPECTED[r] for r in ORDER if role.at_least(r)))
    assert {p for p in PERMISSIONS if has_permission(role, p)} == granted
    for permission in granted:
        authorize(principal(role), permission)
    for permission in set(PERMISSIONS) - granted:
        with pytest.raises(Forbidden) as denied:
            authorize(principal(role), permission)
        assert denied.value.code == "insufficient_role"


def test_money_connect_and_keys_need_a_verified_email() -> None:
    assert {
        "checkout:create", "api_keys:manage", "payments:capture", "payments:cancel",
        "refunds:create", "connect:manage",
    } <= VERIFIED_EMAIL_REQUIRED  # fmt: skip
    with pytest.raises(Forbidden) as denied:
        authorize(principal(Role.OWNER, verified=False), "refunds:create")
    assert denied.value.code == "email_not_verified"
    authorize(principal(Role.OWNER, verified=False), "payments:read")


def test_unknown_permissions_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        has_permission(Role.OWNER, "payments:steal")


def test_grants_never_exceed_ones_own_role_and_owners_only_by_owners() -> None:
    assert can_grant(Role.ADMIN, Role.ADMIN) and can_grant(Role.ADMIN, Role.VIEWER)
    assert not can_grant(Role.ADMIN, Role.OWNER)
    assert not can_grant(Role.DEVELOPER, Role.ADMIN)
    assert can_grant(Role.OWNER, Role.OWNER)
