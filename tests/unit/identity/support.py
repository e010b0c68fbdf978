"""The identity services on the in-memory store: a context with a clock that moves only when a
test moves it, a mailer that keeps what it was asked to send, and seeded people."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from auth.principal import Principal, Role
from core.errors import MailSendFailed
from identity.commands import Signup
from identity.context import AuthContext
from identity.directory import find_user_by_email, memberships_of_user
from identity.mail import AbstractMailer, EmailMessage
from identity.members import add_membership
from identity.registration import signup
from ledger.memory import MemoryStore

PASSWORD = "correct horse battery staple"
SIGNING_KEY = "unit-test-signing-key-0123456789abcdef"
START = datetime.now(UTC).replace(microsecond=0)  # access tokens are checked on real time


class RecordingMailer(AbstractMailer):
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.failing = False

    def send(self, message: EmailMessage) -> None:
        if self.failing:
            raise MailSendFailed("The email could not be sent; try again later")
        self.sent.append(message)

    def last_code(self) -> str:
        found = re.search(r"code: (\d{6})", self.sent[-1].text)
        assert found, self.sent[-1].text
        return found.group(1)

    def last_link_token(self) -> str:
        found = re.search(r"token=([^\s\"&<]+)", self.sent[-1].text)
        assert found, self.sent[-1].text
        return found.group(1)


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class World:
    store: MemoryStore = field(default_factory=MemoryStore)
    mailer: RecordingMailer = field(default_factory=RecordingMailer)
    clock: Clock = field(default_factory=Clock)

    @property
    def ctx(self) -> AuthContext:
        return AuthContext(
            store=self.store,
            signing_key=SIGNING_KEY,
            mailer=self.mailer,
            app_base_url="https://app.test",
            clock=self.clock,
        )

    def sign_up(self, email: str = "owner@example.test", business: str = "Acme") -> Principal:
        """A new account and tenant: its owner."""
        signup(self.ctx, Signup(email, PASSWORD, business), client="203.0.113.1")
        user = find_user_by_email(self.store, email)
        assert user is not None, f"{email} was taken"
        [owner] = memberships_of_user(self.store, user.user_id)
        return Principal(owner.tenant_id, Role.OWNER, user.user_id, None, True)

    def join(self, tenant_id: str, role: Role, email: str) -> Principal:
        """Another account, a member of `tenant_id` with `role`."""
        person = self.sign_up(email, business=f"{email}'s own")
        self.clock.advance(seconds=1)  # joined after signing up: their own tenant comes first
        user_id, now = str(person.user_id), self.clock()
        add_membership(self.store, tenant_id=tenant_id, user_id=user_id, role=role.value, now=now)
        return Principal(tenant_id, role, person.user_id, None, True)
