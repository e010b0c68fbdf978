"""Invitations to a tenant: send by email, look one up by its link, accept it (signed in), or
join through it as someone new to the product.

An invitation stores only the hash of its emailed token, lasts `INVITATION_TTL`, works once,
and grants at most what its sender holds when it is used (a demoted sender's invitations are
capped; one who left the tenant, or a revoked key, leaves them unusable). Joining through an
invitation makes the account for the invited address, already verified (the emailed token
proves the address), and a member of that tenant only: no business of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from auth.passwords import check_strength, hash_password
from auth.principal import Principal, Role
from auth.rbac import check_grant
from auth.secrets import new_token, random_id, sha256
from core.errors import Conflict, Forbidden, MailSendFailed, NotFound
from identity import rate_limits
from identity.api_keys import authority, get_api_key
from identity.commands import (
    AcceptInvitation,
    Invite,
    JoinByInvitation,
    ResendInvitation,
    RevokeInvitation,
)
from identity.context import AuthContext
from identity.directory import get_membership, get_user, tenant_names
from identity.emails import invitation_email
from identity.logs import log_mail_failed, log_member_changed, log_signed_up
from identity.records import (
    InvitationRecord,
    UserRecord,
    email_guard_key,
    email_key,
    invitation_key,
    membership_doc,
    membership_key,
    record_from,
    stored,
)
from identity.registration import account_writes
from ledger.collections import INVITATIONS
from ledger.store import AbstractStore, Doc, DocKey, Query, WriteSet

__all__ = [
    "INVITATION_TTL",
    "InvitationView",
    "Joined",
    "accept_invitation",
    "find_invitation",
    "invite_member",
    "join_by_invitation",
    "list_invitations",
    "resend_invitation",
    "revoke_invitation",
    "revoke_invitations_of",
]

INVITATION_TTL = timedelta(days=7)
UNUSABLE = "No such invitation, or it has expired"


@dataclass(frozen=True)
class InvitationView:
    """What the invitation's page shows before anyone accepts it."""

    email: str
    tenant_id: str
    tenant_name: str
    role: str  # what accepting grants now: at most what its sender holds
    invited_by: str  # the sender's email (of a key's creator), else "A member of …"
    expires_at: datetime


@dataclass(frozen=True)
class Joined:
    user_id: str
    email: str
    tenant_id: str
    role: str


def list_invitations(ctx: AuthContext, principal: Principal) -> list[dict[str, Any]]:
    """The tenant's invitations still waiting to be accepted (expired ones left out)."""
    now = ctx.now()
    return [
        {
            "id": record.token_hash,  # the hash of the emailed token, not the token
            "email": record.email,
            "role": record.role,
            "invited_by": record.invited_by,
            "created_at": record.created_at.isoformat(),
            "expires_at": record.expires_at.isoformat(),
        }
        for record in _invitations_of(ctx.store, principal.tenant_id)
        if record.accepted_at is None and record.revoked_at is None and record.expires_at > now
    ]


def invite_member(ctx: AuthContext, principal: Principal, command: Invite) -> dict[str, Any]:
    """Store an invitation (hashed token) and email its link; `MailSendFailed` if not sent.
    A tenant sends at most `INVITATIONS_PER_TENANT` a day (the route needs a verified sender:
    `members:invite`)."""
    check_grant(principal, command.role)
    token, now = new_token(), ctx.now()
    rate_limits.count(ctx.store, rate_limits.INVITATIONS_PER_TENANT, principal.tenant_id, now=now)
    record = InvitationRecord(
        token_hash=sha256(token),
        tenant_id=principal.tenant_id,
        email=command.email,
        role=command.role.value,
        invited_by=principal.actor,
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    ctx.store.create(invitation_key(record.token_hash), stored(record))
    name = tenant_names(ctx.store, [principal.tenant_id]).get(principal.tenant_id, "")
    link = f"{ctx.app_base_url}/invitations/accept?token={token}"
    try:
        ctx.mailer.send(
            invitation_email(to=command.email, link=link, tenant_name=name, role=record.role)
        )
    except MailSendFailed:
        log_mail_failed(purpose="invitation", user_id=None)
        raise
    return {"email": record.email, "role": record.role, "expires_at": record.expires_at.isoformat()}


def revoke_invitation(ctx: AuthContext, principal: Principal, command: RevokeInvitation) -> None:
    """The pending invitation's link stops working (`NotFound` for another tenant's, an
    accepted or an expired one; only for a role the principal may grant)."""
    record = _pending(ctx, principal, command.invitation_id)
    check_grant(principal, Role(record.role))
    _revoke(ctx.store, record.token_hash, now=ctx.now())


def resend_invitation(
    ctx: AuthContext, principal: Principal, command: ResendInvitation
) -> dict[str, Any]:
    """A new link for a pending invitation, emailed to the same address with the same role
    (sent by the principal, counted in the tenant's daily invitations); the old link stops
    working."""
    record = _pending(ctx, principal, command.invitation_id)
    sent = invite_member(ctx, principal, Invite(record.email, Role(record.role)))
    _revoke(ctx.store, record.token_hash, now=ctx.now())
    return sent


def _pending(ctx: AuthContext, principal: Principal, invitation_id: str) -> InvitationRecord:
    found = ctx.store.get(invitation_key(invitation_id))
    if (
        found is None
        or found.get("tenant_id") != principal.tenant_id
        or not _open(found, ctx.now())
    ):
        raise NotFound("No such pending invitation", code="invitation_not_found")
    return record_from(InvitationRecord, found)


def _revoke(store: AbstractStore, token_hash: str, *, now: datetime) -> None:
    """Revoke it unless it was accepted meanwhile (one transaction)."""
    key = invitation_key(token_hash)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        data = docs[key]
        if data is None or data.get("accepted_at") is not None:
            raise Conflict("The invitation was accepted meanwhile", code="invitation_accepted")
        writes = WriteSet()
        if data.get("revoked_at") is None:
            writes.update(key, {"revoked_at": now})
        return writes, None

    store.transact([key], decide)


def find_invitation(store: AbstractStore, token: str, *, now: datetime) -> InvitationView | None:
    """The invitation of an emailed link, if it can still be used."""
    found = store.get(invitation_key(sha256(token)))
    sender_role = _sender_authority(store, found) if found is not None else None
    if found is None or sender_role is None or not _open(found, now):
        return None
    record = record_from(InvitationRecord, found)
    tenant_name = tenant_names(store, [record.tenant_id]).get(record.tenant_id, "")
    return InvitationView(
        email=record.email,
        tenant_id=record.tenant_id,
        tenant_name=tenant_name,
        role=_granted(record, sender_role),
        invited_by=_sender_name(store, record, tenant_name),
        expires_at=record.expires_at,
    )


def _sender_name(store: AbstractStore, record: InvitationRecord, tenant_name: str) -> str:
    """The sender's email; for an invitation sent with an API key, its creator's (a key made
    with a key names the business instead)."""
    sender = record.invited_by
    if sender.startswith("key:"):
        key_id = sender.removeprefix("key:")
        key = get_api_key(store, tenant_id=record.tenant_id, key_id=key_id)
        sender = key.created_by if key is not None else ""
    user = get_user(store, sender) if sender and not sender.startswith("key:") else None
    return user.email if user is not None else f"A member of {tenant_name or 'a team'}"


def accept_invitation(
    ctx: AuthContext, principal: Principal, command: AcceptInvitation
) -> dict[str, Any]:
    if principal.user_id is None:
        raise Forbidden("Only a person can accept an invitation", code="user_required")
    user = get_user(ctx.store, principal.user_id)
    if user is None:
        raise NotFound("No such user")
    record = _accept(
        ctx.store, sha256(command.token), user_id=user.user_id, email=user.email, now=ctx.now()
    )
    log_member_changed(
        tenant_id=record.tenant_id, user_id=user.user_id, change="joined", actor=user.user_id
    )
    return {"tenant_id": record.tenant_id, "role": record.role}


def join_by_invitation(ctx: AuthContext, command: JoinByInvitation, *, client: str) -> Joined:
    """A new account for the invited address (verified), a member of the inviting tenant only,
    and the invitation spent, in one transaction. `Conflict` (`email_taken`) when the address
    already has an account: its owner logs in and accepts instead."""
    now = ctx.now()
    rate_limits.count(ctx.store, rate_limits.SIGNUPS_PER_CLIENT, client, now=now)
    check_strength(command.password)
    invitation = invitation_key(sha256(command.token))
    found = ctx.store.get(invitation)  # whose address, and what its sender may grant
    sender_role = _sender_authority(ctx.store, found) if found is not None else None
    if found is None or sender_role is None:
        raise NotFound(UNUSABLE, code="invitation_not_found")
    user = UserRecord(
        user_id=random_id("usr"),
        email=str(found["email"]),
        password_hash=hash_password(command.password),
        email_verified=True,
        created_at=now,
    )
    guard = email_guard_key(user.email)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, Joined]:
        data = docs[invitation]
        if data is None or not _open(data, now):
            raise NotFound(UNUSABLE, code="invitation_not_found")
        writes, created = account_writes(docs[guard], guard, user, tenant_id=None)
        if not created:
            raise Conflict(
                "This address already has an account: log in to accept the invitation",
                code="email_taken",
            )
        record = record_from(InvitationRecord, data)
        role = _granted(record, sender_role)
        member = membership_doc(record.tenant_id, user.user_id, role, now=now)
        writes.set(membership_key(record.tenant_id, user.user_id), member)
        writes.update(invitation, {"accepted_at": now, "accepted_by": user.user_id})
        return writes, Joined(user.user_id, user.email, record.tenant_id, role)

    joined = ctx.store.transact([invitation, guard], decide)
    log_signed_up(user_id=joined.user_id, tenant_id=joined.tenant_id)
    log_member_changed(
        tenant_id=joined.tenant_id, user_id=joined.user_id, change="joined", actor=joined.user_id
    )
    return joined


def revoke_invitations_of(
    store: AbstractStore, *, tenant_id: str, sender: str, now: datetime
) -> None:
    """The pending invitations `sender` sent in the tenant (they left it) can no longer be
    used: revoked at once."""
    where = (("tenant_id", "==", tenant_id), ("invited_by", "==", sender))
    keys = [invitation_key(token) for token, _ in store.query(Query(INVITATIONS, where=where))]

    def revoke(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, None]:
        writes = WriteSet()
        for key, doc in docs.items():
            if doc is not None and doc.get("accepted_at") is None and doc.get("revoked_at") is None:
                writes.update(key, {"revoked_at": now})
        return writes, None

    if keys:
        store.transact(keys, revoke)


def _accept(
    store: AbstractStore, token_hash: str, *, user_id: str, email: str, now: datetime
) -> InvitationRecord:
    """Make `user_id` a member as invited, in one transaction (a token works once); `NotFound`
    for an unknown, spent, expired or someone else's invitation, `Conflict` if they already
    belong to the tenant."""
    invitation = invitation_key(token_hash)
    found = store.get(invitation)  # which tenant: the membership to read with it
    sender_role = _sender_authority(store, found) if found is not None else None
    if found is None or sender_role is None:  # unknown, or its sender has left the tenant
        raise NotFound(UNUSABLE, code="invitation_not_found")
    member = membership_key(str(found["tenant_id"]), user_id)

    def decide(docs: Mapping[DocKey, Doc | None]) -> tuple[WriteSet, InvitationRecord]:
        data = docs[invitation]
        if data is None or not _open(data, now) or email_key(data["email"]) != email_key(email):
            raise NotFound(UNUSABLE, code="invitation_not_found")
        record = record_from(InvitationRecord, data)
        if docs[member] is not None:
            raise Conflict("You already belong to this tenant", code="already_member")
        role = _granted(record, sender_role)
        writes = WriteSet()
        writes.set(member, membership_doc(record.tenant_id, user_id, role, now=now))
        writes.update(invitation, {"accepted_at": now, "accepted_by": user_id})
        return writes, replace(record, role=role)

    return store.transact([invitation, member], decide)


def _open(invitation: Doc, now: datetime) -> bool:
    """Not accepted, not revoked, not expired."""
    return (
        invitation.get("accepted_at") is None
        and invitation.get("revoked_at") is None
        and invitation["expires_at"] > now
    )


def _granted(record: InvitationRecord, sender_role: Role) -> str:
    """The invited role, but never more than its sender holds now (they may have been
    demoted since)."""
    return record.role if sender_role.at_least(Role(record.role)) else sender_role.value


def _invitations_of(store: AbstractStore, tenant_id: str) -> list[InvitationRecord]:
    """The tenant's invitations, accepted or not, oldest first."""
    rows = store.query(Query(INVITATIONS, where=(("tenant_id", "==", tenant_id),)))
    return sorted(
        (record_from(InvitationRecord, doc) for _, doc in rows), key=lambda r: r.created_at
    )


def _sender_authority(store: AbstractStore, invitation: Doc) -> Role | None:
    """What the invitation's sender may grant now: a member's current role, or a key's
    authority; None once they have left the tenant (or the key is revoked)."""
    tenant_id, sender = str(invitation["tenant_id"]), str(invitation.get("invited_by") or "")
    if sender.startswith("key:"):
        key = get_api_key(store, tenant_id=tenant_id, key_id=sender.removeprefix("key:"))
        return authority(store, key) if key is not None and key.revoked_at is None else None
    member = get_membership(store, tenant_id, sender)
    return Role(member.role) if member is not None else None
