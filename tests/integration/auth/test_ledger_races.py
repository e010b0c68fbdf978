"""The identity ledger against the Firestore emulator, with real concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

import bootstrap
from core.errors import Conflict
from emulators.gcloud import RunningEmulator
from ledger import memberships, rate_limits, tokens
from ledger.accounts import UserRecord, create_account

NOW = datetime.now(UTC)


def refresh_record(token_hash: str) -> tokens.RefreshRecord:
    return tokens.RefreshRecord(token_hash, "usr_1", "ten_1", "fam_1", NOW, NOW + timedelta(days=1))


def test_a_refresh_token_rotates_once_even_when_raced(firestore: RunningEmulator) -> None:
    db = bootstrap.firestore_client()
    tokens.put_refresh_token(db, refresh_record("h0"))

    def rotate(n: int) -> tokens.Rotation:
        outcome, _ = tokens.rotate_refresh_token(
            db, "h0", f"h{n + 1}", now=datetime.now(UTC), ttl=timedelta(days=1)
        )
        return outcome

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(rotate, range(4)))
    assert outcomes.count(tokens.Rotation.ROTATED) == 1
    assert set(outcomes) <= {tokens.Rotation.ROTATED, tokens.Rotation.REUSED}
    assert tokens.revoke_family(db, "fam_1", now=datetime.now(UTC)) == 2


def test_rate_limit_counts_are_shared_and_exact_under_concurrency(
    firestore: RunningEmulator,
) -> None:
    clients = [bootstrap.firestore_client(), bootstrap.firestore_client.__wrapped__()]
    now = datetime.now(UTC)  # one window for every hit

    def hit(n: int) -> int | None:
        return rate_limits.hit(clients[n % 2], "login:someone", limit=5, window=60, now=now)

    with ThreadPoolExecutor(4) as pool:
        waits = list(pool.map(hit, range(8)))
    assert waits.count(None) == 5
    assert all(0 < w <= 60 for w in waits if w is not None)
    later = now + timedelta(seconds=61)
    db = clients[0]
    assert rate_limits.retry_after(db, "login:someone", limit=5, window=60, now=later) is None
    assert rate_limits.hit(db, "login:someone", limit=5, window=60, now=later) is None


def test_two_owners_demoting_each_other_at_once_leave_one_owner(
    firestore: RunningEmulator,
) -> None:
    db = bootstrap.firestore_client()
    owner = UserRecord("usr_a", "a@example.test", "h", True, NOW)
    create_account(db, user=owner, tenant_id="ten_1", business_name="Acme")
    memberships.add_membership(db, tenant_id="ten_1", user_id="usr_b", role="owner", now=NOW)

    def demote(user_id: str) -> str:
        try:
            memberships.change_role(
                db, tenant_id="ten_1", user_id=user_id, expected_role="owner", role="admin"
            )
            return "demoted"
        except Conflict as refused:
            return refused.code
        except Exception as error:  # the emulator aborted it after its retries
            return type(error).__name__

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(demote, ["usr_a", "usr_b"]))
    owners = [m for m in memberships.list_for_tenant(db, "ten_1") if m.role == "owner"]
    assert len(owners) == 1, results
    assert results.count("demoted") == 1


def test_one_email_one_account_even_when_raced(firestore: RunningEmulator) -> None:
    db = bootstrap.firestore_client()

    def sign_up(n: int) -> str:
        user = UserRecord(f"usr_{n}", "same@example.test", "h", False, NOW)
        try:
            create_account(db, user=user, tenant_id=f"ten_{n}", business_name="Acme")
            return "created"
        except Conflict:
            return "taken"

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(sign_up, range(4)))
    assert sorted(results) == ["created", "taken", "taken", "taken"]
    assert len(list(db.collection("tenants").stream())) == 1


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_the_last_owner_cannot_leave(firestore: RunningEmulator, role: str) -> None:
    db = bootstrap.firestore_client()
    owner = UserRecord("usr_a", "a@example.test", "h", True, NOW)
    create_account(db, user=owner, tenant_id="ten_1", business_name="Acme")
    with pytest.raises(Conflict):
        memberships.change_role(
            db, tenant_id="ten_1", user_id="usr_a", expected_role="owner", role=role
        )
    with pytest.raises(Conflict):
        memberships.remove_membership(db, tenant_id="ten_1", user_id="usr_a", expected_role="owner")
