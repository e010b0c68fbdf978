"""Helpers for tests that need authenticated callers: seeded tenants with a member of every
role and an API key per role, tokens, and the mail the stack sent (the stack itself:
`tests.support.stacks.auth_server`).

    with auth_server(mail_capture) as stack:
        tenant = seed_tenant("Acme")                       # in-process, on the test's Firestore
        api_client.get(stack.url, "/api/v1/me", headers=tenant.headers(Role.ADMIN))
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests

import bootstrap
from auth.passwords import hash_password
from auth.principal import Principal, Role
from auth.tokens import issue_access_token
from identity import api_keys
from identity.commands import CreateApiKey
from identity.context import AuthContext
from identity.mail import AbstractMailer, EmailMessage
from identity.members import add_membership
from identity.records import UserRecord
from identity.registration import create_account
from tests.support.stacks import SIGNING_KEY

PASSWORD = "correct horse battery staple"


class RecordingMailer(AbstractMailer):
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def service_context() -> AuthContext:
    """The services' context on the test's Firestore, with the stack's signing key."""
    return AuthContext(
        store=bootstrap.store(),
        signing_key=SIGNING_KEY,
        mailer=RecordingMailer(),
        app_base_url="http://127.0.0.1:8080",
    )


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


def access_token(user_id: str, tenant_id: str, *, now: datetime | None = None) -> str:
    return issue_access_token(
        key=SIGNING_KEY, user_id=user_id, tenant_id=tenant_id, now=now or datetime.now(UTC)
    )


def expired_token(user_id: str, tenant_id: str) -> str:
    return access_token(user_id, tenant_id, now=datetime.now(UTC) - timedelta(hours=1))


@dataclass
class SeededUser:
    user_id: str
    email: str
    token: str


@dataclass
class SeededTenant:
    """A tenant with one verified user and one API key per role."""

    tenant_id: str
    name: str
    users: dict[Role, SeededUser] = field(default_factory=dict)
    keys: dict[Role, str] = field(default_factory=dict)

    def headers(self, role: Role, *, via: str = "jwt") -> dict[str, str]:
        if via == "api_key":
            return {"X-API-Key": self.keys[role]}
        return {"Authorization": f"Bearer {self.users[role].token}"}


def seed_user(
    ctx: AuthContext, tenant_id: str | None, role: Role, *, verified: bool = True
) -> SeededUser:
    """A user (password `PASSWORD`) and, with a tenant, their membership of `role`."""
    user_id = f"usr_{uuid.uuid4().hex[:20]}"
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.test"
    user = UserRecord(user_id, email, password_hash(), verified, ctx.now())
    create_account(ctx.store, user=user, tenant_id=None, business_name=None)
    if tenant_id is not None:
        add_membership(
            ctx.store, tenant_id=tenant_id, user_id=user_id, role=role.value, now=ctx.now()
        )
    return SeededUser(user_id, email, access_token(user_id, tenant_id or ""))


def seed_tenant(name: str = "Acme", ctx: AuthContext | None = None) -> SeededTenant:
    """A tenant with a verified user of each role (owner first) and an API key per role."""
    ctx = ctx or service_context()
    tenant_id = f"ten_{uuid.uuid4().hex[:20]}"
    owner_id = f"usr_{uuid.uuid4().hex[:20]}"
    owner_email = f"owner-{uuid.uuid4().hex[:8]}@example.test"
    owner = UserRecord(owner_id, owner_email, password_hash(), True, ctx.now())
    create_account(ctx.store, user=owner, tenant_id=tenant_id, business_name=name)
    tenant = SeededTenant(tenant_id, name)
    tenant.users[Role.OWNER] = SeededUser(owner_id, owner_email, access_token(owner_id, tenant_id))
    for role in (Role.ADMIN, Role.DEVELOPER, Role.VIEWER):
        tenant.users[role] = seed_user(ctx, tenant_id, role)
    owner_principal = Principal(tenant_id, Role.OWNER, owner_id, None, True)
    for role in Role:
        created = api_keys.create_api_key(ctx, owner_principal, CreateApiKey(role.value, role))
        tenant.keys[role] = created.key
    return tenant


def messages_to(mail_url: str, address: str) -> list[dict[str, object]]:
    response = requests.get(f"{mail_url}/messages", params={"to": address}, timeout=5)
    response.raise_for_status()
    items: list[dict[str, object]] = response.json()["items"]
    return items


def latest_code(mail_url: str, address: str) -> str:
    codes = messages_to(mail_url, address)[0]["codes"]
    assert isinstance(codes, list) and codes, "no code in the latest message"
    return str(codes[0])


def latest_link(mail_url: str, address: str) -> str:
    links = messages_to(mail_url, address)[0]["links"]
    assert isinstance(links, list) and links, "no link in the latest message"
    return str(links[0])
