"""Issue 15, item 1: someone new to the product could never join through an invitation (they
had to invent a business first). Joining makes their account, verified, a member of the
inviting business only."""

from __future__ import annotations

import pytest

from auth.principal import Principal, Role
from core.errors import Conflict, NotFound
from identity import invitations, logins, members
from identity.commands import (
    ChangeRole,
    Invite,
    JoinByInvitation,
    LogIn,
    ResendInvitation,
    RevokeInvitation,
)
from identity.directory import find_user_by_email, memberships_of_user
from ledger.collections import TENANTS
from ledger.store import Query
from tests.unit.identity.support import PASSWORD, World

CLIENT = "198.51.100.9"


def invite(world: World, email: str, role: Role) -> str:
    owner = world.sign_up("owner@example.test", business="Blue Fern Pottery")
    invitations.invite_member(world.ctx, owner, Invite(email, role))
    return world.mailer.last_link_token()


def test_the_link_names_the_business_the_inviter_and_the_role() -> None:
    world = World()
    token = invite(world, "bo@example.test", Role.DEVELOPER)
    found = invitations.find_invitation(world.store, token, now=world.clock())
    assert found is not None
    assert (found.email, found.tenant_name, found.invited_by, found.role) == (
        "bo@example.test",
        "Blue Fern Pottery",
        "owner@example.test",
        "developer",
    )
    assert invitations.find_invitation(world.store, token + "x", now=world.clock()) is None
    later = world.clock() + invitations.INVITATION_TTL
    assert invitations.find_invitation(world.store, token, now=later) is None


def test_someone_new_joins_with_a_password_and_no_business_of_their_own() -> None:
    world = World()
    token = invite(world, "bo@example.test", Role.DEVELOPER)
    joined = invitations.join_by_invitation(
        world.ctx, JoinByInvitation(token, PASSWORD), client=CLIENT
    )
    user = find_user_by_email(world.store, "bo@example.test")
    assert user is not None and user.email_verified and user.user_id == joined.user_id
    [membership] = memberships_of_user(world.store, user.user_id)
    assert (membership.tenant_id, membership.role) == (joined.tenant_id, "developer")
    assert [doc["name"] for _, doc in world.store.query(Query(TENANTS))] == ["Blue Fern Pottery"]
    tokens = logins.login(world.ctx, LogIn("bo@example.test", PASSWORD), client=CLIENT)
    assert tokens.access_token

    with pytest.raises(NotFound):  # a link works once
        invitations.join_by_invitation(world.ctx, JoinByInvitation(token, PASSWORD), client=CLIENT)
    assert invitations.find_invitation(world.store, token, now=world.clock()) is None


def test_an_address_with_an_account_logs_in_to_accept_and_nothing_is_written() -> None:
    world = World()
    token = invite(world, "bo@example.test", Role.VIEWER)
    world.sign_up("bo@example.test", business="Bo's own")
    with pytest.raises(Conflict) as taken:
        invitations.join_by_invitation(world.ctx, JoinByInvitation(token, PASSWORD), client=CLIENT)
    assert taken.value.code == "email_taken"
    assert invitations.find_invitation(world.store, token, now=world.clock()) is not None


def test_joining_grants_at_most_what_the_sender_holds_now() -> None:
    world = World()
    owner = world.sign_up("owner@example.test")
    admin = world.join(owner.tenant_id, Role.ADMIN, "admin@example.test")
    invitations.invite_member(world.ctx, admin, Invite("bo@example.test", Role.ADMIN))
    token = world.mailer.last_link_token()
    members.change_member_role(world.ctx, owner, ChangeRole(str(admin.user_id), Role.DEVELOPER))
    shown = invitations.find_invitation(world.store, token, now=world.clock())
    assert shown is not None and shown.role == "developer"
    joined = invitations.join_by_invitation(
        world.ctx, JoinByInvitation(token, PASSWORD), client=CLIENT
    )
    assert joined.role == "developer"


def test_a_pending_invitation_can_be_sent_again_or_withdrawn_by_its_tenant_only() -> None:
    """Issue 15, item 1: owners could neither resend nor revoke a pending invitation."""
    world = World()
    first = invite(world, "bo@example.test", Role.DEVELOPER)
    owner = world.sign_up("other-owner@example.test", business="Elsewhere")
    [pending] = invitations.list_invitations(world.ctx, world_owner(world))
    with pytest.raises(NotFound):  # another tenant's
        invitations.revoke_invitation(world.ctx, owner, RevokeInvitation(pending["id"]))

    invitations.resend_invitation(world.ctx, world_owner(world), ResendInvitation(pending["id"]))
    second = world.mailer.last_link_token()
    assert second != first
    assert invitations.find_invitation(world.store, first, now=world.clock()) is None
    [again] = invitations.list_invitations(world.ctx, world_owner(world))
    assert (again["email"], again["role"]) == ("bo@example.test", "developer")

    invitations.revoke_invitation(world.ctx, world_owner(world), RevokeInvitation(again["id"]))
    assert invitations.list_invitations(world.ctx, world_owner(world)) == []
    with pytest.raises(NotFound):
        invitations.join_by_invitation(world.ctx, JoinByInvitation(second, PASSWORD), client=CLIENT)
    with pytest.raises(NotFound):  # withdrawn: nothing left to withdraw
        invitations.revoke_invitation(world.ctx, world_owner(world), RevokeInvitation(again["id"]))


def world_owner(world: World) -> Principal:
    user = find_user_by_email(world.store, "owner@example.test")
    assert user is not None
    [membership] = memberships_of_user(world.store, user.user_id)
    return Principal(membership.tenant_id, Role.OWNER, user.user_id, None, True)
