"""Members and invitations: who may grant what, the last owner, invitations that work once,
on the in-memory store."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from auth.principal import Role
from core.errors import Conflict, Forbidden, NotFound
from identity import invitations, members
from identity.commands import AcceptInvitation, ChangeRole, Invite, RemoveMember
from identity.directory import get_membership
from identity.records import membership_key
from tests.unit.identity.support import World


def test_nobody_grants_above_their_own_role_and_only_owners_touch_owners() -> None:
    world = World()
    owner = world.sign_up()
    admin = world.join(owner.tenant_id, Role.ADMIN, "admin@example.test")
    viewer = world.join(owner.tenant_id, Role.VIEWER, "viewer@example.test")
    with pytest.raises(Forbidden):
        members.change_member_role(world.ctx, admin, ChangeRole(str(viewer.user_id), Role.OWNER))
    with pytest.raises(Forbidden):
        members.change_member_role(world.ctx, admin, ChangeRole(str(owner.user_id), Role.VIEWER))
    with pytest.raises(Forbidden):
        members.remove_member(world.ctx, viewer, RemoveMember(str(admin.user_id)))
    members.change_member_role(world.ctx, admin, ChangeRole(str(viewer.user_id), Role.DEVELOPER))
    found = get_membership(world.store, owner.tenant_id, str(viewer.user_id))
    assert found is not None and found.role == "developer"


def test_the_last_owner_stays_and_a_second_owner_can_leave() -> None:
    world = World()
    owner = world.sign_up()
    with pytest.raises(Conflict) as last:
        members.change_member_role(world.ctx, owner, ChangeRole(str(owner.user_id), Role.ADMIN))
    assert last.value.code == "last_owner"
    with pytest.raises(Conflict):
        members.remove_member(world.ctx, owner, RemoveMember(str(owner.user_id)))
    second = world.join(owner.tenant_id, Role.OWNER, "second@example.test")
    members.remove_member(world.ctx, second, RemoveMember(str(owner.user_id)))
    assert get_membership(world.store, owner.tenant_id, str(owner.user_id)) is None


def test_another_tenants_member_is_not_found() -> None:
    world = World()
    mine, theirs = world.sign_up("me@example.test"), world.sign_up("them@example.test")
    with pytest.raises(NotFound):
        members.remove_member(world.ctx, mine, RemoveMember(str(theirs.user_id)))
    assert world.store.get(membership_key(theirs.tenant_id, str(theirs.user_id))) is not None


def invitation_token(world: World) -> str:
    found = re.search(r"token=(\S+)", world.mailer.sent[-1].text)
    assert found
    return found.group(1)


def test_an_invitation_works_once_for_its_address() -> None:
    world = World()
    owner = world.sign_up()
    invitations.invite_member(world.ctx, owner, Invite("bo@example.test", Role.DEVELOPER))
    token = invitation_token(world)
    assert [i["email"] for i in invitations.list_invitations(world.ctx, owner)] == [
        "bo@example.test"
    ]
    stranger = world.sign_up("eve@example.test")
    with pytest.raises(NotFound):  # someone else's invitation
        invitations.accept_invitation(world.ctx, stranger, AcceptInvitation(token))
    invited = world.sign_up("bo@example.test")
    joined = invitations.accept_invitation(world.ctx, invited, AcceptInvitation(token))
    assert joined == {"tenant_id": owner.tenant_id, "role": "developer"}
    with pytest.raises(NotFound):  # spent
        invitations.accept_invitation(world.ctx, invited, AcceptInvitation(token))
    assert invitations.list_invitations(world.ctx, owner) == []


def test_an_invitation_expires_and_a_member_cannot_join_twice() -> None:
    world = World()
    owner = world.sign_up()
    member = world.join(owner.tenant_id, Role.VIEWER, "bo@example.test")
    invitations.invite_member(world.ctx, owner, Invite("bo@example.test", Role.ADMIN))
    with pytest.raises(Conflict) as already:
        invitations.accept_invitation(world.ctx, member, AcceptInvitation(invitation_token(world)))
    assert already.value.code == "already_member"
    invitations.invite_member(world.ctx, owner, Invite("cy@example.test", Role.VIEWER))
    token = invitation_token(world)
    world.clock.advance(days=8)
    with pytest.raises(NotFound):
        invitations.accept_invitation(
            world.ctx, world.sign_up("cy@example.test"), AcceptInvitation(token)
        )


def test_an_admin_cannot_invite_an_owner() -> None:
    world = World()
    owner = world.sign_up()
    admin = world.join(owner.tenant_id, Role.ADMIN, "admin@example.test")
    with pytest.raises(Forbidden):
        invitations.invite_member(world.ctx, admin, Invite("bo@example.test", Role.OWNER))
    assert world.mailer.sent[-1].to == "admin@example.test"  # only signups' mail went out


def test_invitations_need_a_verified_sender_a_daily_bound_and_no_business_name() -> None:
    """Issue 14, item 4: an unverified signup could send unlimited mail, its free-text business
    name in the subject."""
    from auth.rbac import authorize
    from core.errors import RateLimited
    from identity import rate_limits

    world = World()
    owner = world.sign_up(business="URGENT: your account is locked, call +1 555 0100")
    unverified = replace(owner, email_verified=False)
    with pytest.raises(Forbidden) as refused:
        authorize(unverified, "members:invite")
    assert refused.value.code == "email_not_verified"
    authorize(owner, "members:invite")
    limit = rate_limits.INVITATIONS_PER_TENANT.limit
    for n in range(limit):
        invitations.invite_member(world.ctx, owner, Invite(f"guest{n}@example.test", Role.VIEWER))
    assert all("URGENT" not in message.subject for message in world.mailer.sent)
    assert "URGENT" in world.mailer.sent[-1].text  # the body may name the team, escaped in HTML
    with pytest.raises(RateLimited) as limited:
        invitations.invite_member(world.ctx, owner, Invite("one-more@example.test", Role.VIEWER))
    assert limited.value.retry_after is not None and 0 < limited.value.retry_after <= 86400
    world.clock.advance(days=1)
    invitations.invite_member(world.ctx, owner, Invite("tomorrow@example.test", Role.VIEWER))
