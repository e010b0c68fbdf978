"""API keys (capped by their creator's role, shown once, revocable) and resolving a credential
to a principal, on the in-memory store."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from auth import sessions, tokens
from auth.credentials import Credential, Kind
from auth.principal import Principal, Role
from core.errors import Forbidden, NotFound, RateLimited, Unauthorized
from identity import api_keys, principals, rate_limits, tenancy
from identity.commands import (
    AcceptInvitation,
    CreateApiKey,
    OpenSession,
    RemoveMember,
    RevokeApiKey,
    SwitchTenant,
)
from identity.logins import create_session
from identity.members import remove_member
from tests.unit.identity.support import PASSWORD, SIGNING_KEY, World

CLIENT = "198.51.100.7"


def authenticate(world: World, kind: Kind, value: str, **options: object) -> Principal:
    defaults: dict[str, object] = {"tenant_id": None, "method": "GET", "csrf_token": None}
    return principals.authenticate(
        world.ctx,
        Credential(kind, value),
        client=CLIENT,
        **{**defaults, **options},  # type: ignore[arg-type]
    )


def test_a_key_is_capped_by_its_creators_role_and_acts_with_its_own() -> None:
    world = World()
    owner = world.sign_up()
    developer = world.join(owner.tenant_id, Role.DEVELOPER, "dev@example.test")
    with pytest.raises(Forbidden):
        api_keys.create_api_key(world.ctx, developer, CreateApiKey("ci", Role.ADMIN))
    created = api_keys.create_api_key(world.ctx, developer, CreateApiKey("ci", None))
    assert created.record.role == "developer" and created.key not in str(world.store.docs)
    caller = authenticate(world, "api_key", created.key)
    assert (caller.tenant_id, caller.role, caller.api_key_id) == (
        owner.tenant_id,
        Role.DEVELOPER,
        created.record.key_id,
    )
    assert [k.key_id for k in api_keys.list_api_keys(world.ctx, owner)] == [created.record.key_id]


def test_a_revoked_key_is_refused_and_another_tenant_cannot_revoke_it() -> None:
    world = World()
    owner, other = world.sign_up("me@example.test"), world.sign_up("them@example.test")
    created = api_keys.create_api_key(world.ctx, owner, CreateApiKey("ci", Role.VIEWER))
    with pytest.raises(NotFound):
        api_keys.revoke_api_key(world.ctx, other, RevokeApiKey(created.record.key_id))
    revoked = api_keys.revoke_api_key(world.ctx, owner, RevokeApiKey(created.record.key_id))
    assert revoked.revoked_at == world.clock()
    with pytest.raises(Unauthorized):
        authenticate(world, "api_key", created.key)


def test_a_clients_bad_keys_turn_into_429_past_the_limit() -> None:
    world = World()
    for _ in range(rate_limits.API_KEY_FAILURES.limit):
        with pytest.raises(Unauthorized):
            authenticate(world, "api_key", "sk_test_" + "x" * 40)
    with pytest.raises(RateLimited):
        authenticate(world, "api_key", "sk_test_" + "x" * 40)


def test_a_token_acts_with_the_stored_role_so_a_removal_applies_at_once() -> None:
    world = World()
    owner = world.sign_up()
    admin = world.join(owner.tenant_id, Role.ADMIN, "admin@example.test")
    token = tokens.issue_access_token(
        key=SIGNING_KEY,
        user_id=str(admin.user_id),
        tenant_id=owner.tenant_id,
        now=datetime.now(UTC),
    )
    assert authenticate(world, "jwt", token).role is Role.ADMIN
    remove_member(world.ctx, owner, RemoveMember(str(admin.user_id)))
    with pytest.raises(Forbidden):
        authenticate(world, "jwt", token)


def test_a_session_switches_to_a_tenant_of_its_user_only_and_needs_csrf_to_write() -> None:
    world = World()
    owner = world.sign_up("me@example.test")
    elsewhere = world.sign_up("them@example.test")
    second = world.join(elsewhere.tenant_id, Role.VIEWER, "me2@example.test")
    browser = create_session(world.ctx, OpenSession("me2@example.test", PASSWORD), client=CLIENT)
    person = authenticate(world, "session", browser.cookie)
    assert person.tenant_id != elsewhere.tenant_id  # their own tenant first
    tenancy.switch_tenant(world.ctx, person, SwitchTenant(elsewhere.tenant_id))
    switched = authenticate(world, "session", browser.cookie)
    assert (switched.tenant_id, switched.role) == (elsewhere.tenant_id, Role.VIEWER)
    with pytest.raises(Forbidden):
        tenancy.switch_tenant(world.ctx, switched, SwitchTenant(owner.tenant_id))
    with pytest.raises(Forbidden):
        authenticate(world, "session", browser.cookie, method="POST", csrf_token="forged")
    session_id = sessions.unsign_session(browser.cookie, key=SIGNING_KEY)
    csrf = sessions.csrf_token(session_id, key=SIGNING_KEY)
    assert (
        authenticate(world, "session", browser.cookie, method="POST", csrf_token=csrf) == switched
    )
    assert second.user_id == switched.user_id


def test_a_key_never_outlives_or_outranks_its_creator() -> None:
    """Issue 14, item 1: a removed developer's key kept working; a demoted admin's key kept
    refunding, and an invitation it sent, accepted, granted admin."""
    from identity import invitations, members
    from identity.commands import ChangeRole, Invite

    world = World()
    owner = world.sign_up()
    developer = world.join(owner.tenant_id, Role.DEVELOPER, "dev@example.test")
    dev_key = api_keys.create_api_key(world.ctx, developer, CreateApiKey("ci", None))
    admin = world.join(owner.tenant_id, Role.ADMIN, "admin@example.test")
    admin_key = api_keys.create_api_key(world.ctx, admin, CreateApiKey("ops", Role.ADMIN))
    as_admin_key = authenticate(world, "api_key", admin_key.key)
    minted = api_keys.create_api_key(world.ctx, as_admin_key, CreateApiKey("minted", Role.ADMIN))
    invitations.invite_member(world.ctx, as_admin_key, Invite("new@example.test", Role.ADMIN))
    token = re.search(r"token=(\S+)", world.mailer.sent[-1].text)
    assert token is not None

    members.remove_member(world.ctx, owner, RemoveMember(str(developer.user_id)))
    with pytest.raises(Unauthorized):
        authenticate(world, "api_key", dev_key.key)
    listed = {k.key_id: k for k in api_keys.list_api_keys(world.ctx, owner)}
    assert listed[dev_key.record.key_id].revoked_reason == "creator_removed"
    assert api_keys.key_view(listed[dev_key.record.key_id])["revoked_reason"] == "creator_removed"

    members.change_member_role(world.ctx, owner, ChangeRole(str(admin.user_id), Role.VIEWER))
    assert authenticate(world, "api_key", admin_key.key).role is Role.VIEWER
    assert authenticate(world, "api_key", minted.key).role is Role.VIEWER  # a key's key too
    invitee = world.sign_up("new@example.test")
    joined = invitations.accept_invitation(world.ctx, invitee, AcceptInvitation(token[1]))
    assert joined["role"] == "viewer"


def test_a_removed_members_pending_invitations_cannot_be_accepted() -> None:
    from identity import invitations, members
    from identity.commands import Invite

    world = World()
    owner = world.sign_up()
    admin = world.join(owner.tenant_id, Role.ADMIN, "admin@example.test")
    invitations.invite_member(world.ctx, admin, Invite("new@example.test", Role.VIEWER))
    token = re.search(r"token=(\S+)", world.mailer.sent[-1].text)
    assert token is not None
    members.remove_member(world.ctx, owner, RemoveMember(str(admin.user_id)))
    assert invitations.list_invitations(world.ctx, owner) == []
    with pytest.raises(NotFound):
        invitations.accept_invitation(
            world.ctx, world.sign_up("new@example.test"), AcceptInvitation(token[1])
        )
