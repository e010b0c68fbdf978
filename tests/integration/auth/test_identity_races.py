"""The identity records against the Firestore emulator, with real concurrency: the rules
that a race could break hold on Firestore itself."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

import bootstrap
from auth.principal import Principal, Role
from core.errors import Conflict, RateLimited
from emulators.gcloud import RunningEmulator
from identity import rate_limits
from identity.commands import ChangeRole, RemoveMember
from identity.context import AuthContext
from identity.directory import members_of_tenant
from identity.logins import REFRESH_TTL, revoke_family, rotate_refresh_token
from identity.mail import AbstractMailer, EmailMessage
from identity.members import add_membership, change_member_role, remove_member
from identity.records import RefreshRecord, Rotation, UserRecord, refresh_key, stored
from identity.registration import create_account
from ledger.collections import TENANTS
from ledger.store import Query

NOW = datetime.now(UTC)


class NoMail(AbstractMailer):
    def send(self, message: EmailMessage) -> None:
        raise AssertionError("no mail in these tests")


def context() -> AuthContext:
    return AuthContext(
        store=bootstrap.store(), signing_key="k" * 32, mailer=NoMail(), app_base_url=""
    )


def owner_of(tenant_id: str, user_id: str) -> Principal:
    return Principal(tenant_id, Role.OWNER, user_id, None, True)


def test_a_refresh_token_rotates_once_even_when_raced(firestore: RunningEmulator) -> None:
    store = bootstrap.store()
    first = RefreshRecord("h0", "usr_1", "ten_1", "fam_1", NOW, NOW + REFRESH_TTL)
    store.create(refresh_key("h0"), stored(first))

    def rotate(n: int) -> Rotation:
        outcome, _ = rotate_refresh_token(store, "h0", f"h{n + 1}", now=datetime.now(UTC))
        return outcome

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(rotate, range(4)))
    assert outcomes.count(Rotation.ROTATED) == 1
    assert set(outcomes) <= {Rotation.ROTATED, Rotation.REUSED}
    assert revoke_family(store, "fam_1", now=datetime.now(UTC)) == 2


def test_rate_limit_counts_are_shared_and_exact_under_concurrency(
    firestore: RunningEmulator,
) -> None:
    from ledger.store import FirestoreStore

    stores = [bootstrap.store(), FirestoreStore(bootstrap.firestore_client.__wrapped__())]
    limit = rate_limits.Limit("login", 5, 60)
    now = datetime.now(UTC)  # one window for every hit

    def hit(n: int) -> int | None:
        try:
            rate_limits.count(stores[n % 2], limit, "someone", now=now)
            return None
        except RateLimited as limited:
            return limited.retry_after

    with ThreadPoolExecutor(4) as pool:
        waits = list(pool.map(hit, range(8)))
    assert waits.count(None) == 5
    assert all(w is not None and 0 < w <= 60 for w in waits if w is not None)
    with pytest.raises(RateLimited):
        rate_limits.check(stores[0], limit, "someone", now=now)
    later = now + timedelta(seconds=61)
    rate_limits.check(stores[0], limit, "someone", now=later)  # a new window
    rate_limits.count(stores[0], limit, "someone", now=later)


def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    firestore: RunningEmulator,
) -> None:
    ctx = context()
    owner = UserRecord("usr_a", "a@example.test", "h", True, NOW)
    create_account(ctx.store, user=owner, tenant_id="ten_1", business_name="Acme")
    add_membership(ctx.store, tenant_id="ten_1", user_id="usr_b", role="owner", now=NOW)

    def demote(pair: tuple[str, str]) -> str:
        actor, target = pair
        try:
            change_member_role(ctx, owner_of("ten_1", actor), ChangeRole(target, Role.ADMIN))
            return "demoted"
        except Conflict as refused:
            return refused.code
        except Exception as error:  # the emulator aborted it after its retries
            return type(error).__name__

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(demote, [("usr_b", "usr_a"), ("usr_a", "usr_b")]))
    owners = [m for m in members_of_tenant(ctx.store, "ten_1") if m.role == "owner"]
    assert len(owners) == 1, results
    assert results.count("demoted") == 1


def test_one_email_one_account_even_when_raced(firestore: RunningEmulator) -> None:
    store = bootstrap.store()

    def sign_up(n: int) -> str:
        user = UserRecord(f"usr_{n}", "same@example.test", "h", False, NOW)
        try:
            create_account(store, user=user, tenant_id=f"ten_{n}", business_name="Acme")
            return "created"
        except Conflict:
            return "taken"

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(sign_up, range(4)))
    assert sorted(results) == ["created", "taken", "taken", "taken"]
    assert len(store.query(Query(TENANTS))) == 1


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
def test_the_last_owner_cannot_leave(firestore: RunningEmulator, role: Role) -> None:
    ctx = context()
    owner = UserRecord("usr_a", "a@example.test", "h", True, NOW)
    create_account(ctx.store, user=owner, tenant_id="ten_1", business_name="Acme")
    with pytest.raises(Conflict, match="at least one owner"):
        change_member_role(ctx, owner_of("ten_1", "usr_a"), ChangeRole("usr_a", role))
    with pytest.raises(Conflict, match="at least one owner"):
        remove_member(ctx, owner_of("ten_1", "usr_a"), RemoveMember("usr_a"))
