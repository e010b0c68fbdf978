"""Dashboard sessions after login: which of the user's tenants the session acts for.

The tenant in effect is stored on the server-side session, so every page of the dashboard
(and every `require` on the session cookie) sees the switch at once. Only a tenant the user
belongs to can be chosen; the role still comes from that membership on every request.
"""

from __future__ import annotations

from auth.principal import Principal
from auth.secrets import sha256
from core.errors import Forbidden
from identity.commands import SwitchTenant
from identity.context import AuthContext
from identity.directory import get_membership
from identity.records import session_key

__all__ = ["switch_tenant"]


def switch_tenant(ctx: AuthContext, principal: Principal, command: SwitchTenant) -> None:
    """Make the command's tenant the session's; `Forbidden` unless the user is a member."""
    tenant_id = command.tenant_id
    if principal.session_id is None or principal.user_id is None:
        raise Forbidden("Only a dashboard session can switch tenants", code="session_required")
    if get_membership(ctx.store, tenant_id, principal.user_id) is None:
        raise Forbidden("You are not a member of this tenant", code="tenant_forbidden")
    ctx.store.update(session_key(sha256(principal.session_id)), {"tenant_id": tenant_id})
