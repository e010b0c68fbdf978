"""Logging in, refresh-token rotation and reuse, sessions and logging out, on the in-memory
store."""

from __future__ import annotations

import pytest

from auth import tokens
from core.errors import RateLimited, Unauthorized
from identity import logins, rate_limits
from identity.commands import LogIn, LogOut, OpenSession, RefreshTokens
from identity.records import RefreshRecord, SessionRecord, record_from, refresh_key, session_key
from tests.unit.identity.support import PASSWORD, SIGNING_KEY, World

CLIENT = "198.51.100.7"


def test_login_issues_tokens_for_the_default_tenant() -> None:
    world = World()
    owner = world.sign_up("ana@example.test")
    pair = logins.login(world.ctx, LogIn("ana@example.test", PASSWORD), client=CLIENT)
    claims = tokens.decode_access_token(pair.access_token, key=SIGNING_KEY)
    assert (claims.user_id, claims.tenant_id) == (owner.user_id, owner.tenant_id)


def test_unknown_email_and_wrong_password_get_the_same_error() -> None:
    world = World()
    world.sign_up("ana@example.test")
    errors = []
    for credentials in (
        LogIn("ana@example.test", "wrong " + PASSWORD),
        LogIn("bo@example.test", PASSWORD),
    ):
        with pytest.raises(Unauthorized) as refused:
            logins.login(world.ctx, credentials, client=CLIENT)
        errors.append(refused.value.to_body())
    assert errors[0] == errors[1]


def test_a_stranger_guessing_from_ten_addresses_does_not_lock_the_owner_out() -> None:
    """Issue 14, item 6: ten wrong passwords from ten addresses used to lock the account."""
    world = World()
    world.sign_up("ana@example.test")
    wrong = LogIn("ana@example.test", "wrong " + PASSWORD)
    for n in range(10):
        with pytest.raises(Unauthorized):
            logins.login(world.ctx, wrong, client=f"203.0.113.{n}")
    logins.login(world.ctx, LogIn("ana@example.test", PASSWORD), client="192.0.2.1")


def test_one_address_guessing_one_account_waits_longer_and_longer() -> None:
    world = World()
    # the limits count in fixed windows: start at one of 15 minutes, so that all ten failures
    # fall in it (from a random start, a boundary in the next 135 s split them, 15% of runs)
    start = world.clock()
    world.clock.now = start.replace(minute=start.minute - start.minute % 15, second=0)
    world.sign_up("ana@example.test")
    wrong, right = (
        LogIn("ana@example.test", "wrong " + PASSWORD),
        LogIn("ana@example.test", PASSWORD),
    )
    guesser = "203.0.113.9"
    for _ in range(rate_limits.LOGIN_BURST_PER_ACCOUNT_CLIENT.limit):
        with pytest.raises(Unauthorized):
            logins.login(world.ctx, wrong, client=guesser)
    with pytest.raises(RateLimited) as short:  # this address, even with the right password
        logins.login(world.ctx, right, client=guesser)
    assert short.value.retry_after is not None and 0 < short.value.retry_after <= 60
    logins.login(world.ctx, right, client="192.0.2.1")  # the owner, elsewhere, is not locked
    world.clock.advance(seconds=60)
    for _ in range(5):
        with pytest.raises(Unauthorized):
            logins.login(world.ctx, wrong, client=guesser)
        world.clock.advance(seconds=15)
    with pytest.raises(RateLimited) as longer:
        logins.login(world.ctx, right, client=guesser)
    assert longer.value.retry_after is not None and longer.value.retry_after > 60


def test_an_account_guessed_from_everywhere_stops_taking_passwords(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        rate_limits, "LOGIN_FAILURES_PER_ACCOUNT", rate_limits.Limit("login-account", 3, 3600)
    )
    world = World()
    world.sign_up("ana@example.test")
    wrong = LogIn("ana@example.test", "wrong " + PASSWORD)
    for n in range(3):
        with pytest.raises(Unauthorized):
            logins.login(world.ctx, wrong, client=f"203.0.113.{n}")
    with pytest.raises(RateLimited) as locked:
        logins.login(world.ctx, LogIn("ana@example.test", PASSWORD), client="192.0.2.1")
    assert locked.value.retry_after is not None and locked.value.retry_after <= 3600


def test_a_refresh_token_is_spent_once_and_its_reuse_revokes_the_family() -> None:
    world = World()
    world.sign_up("ana@example.test")
    first = logins.login(world.ctx, LogIn("ana@example.test", PASSWORD), client=CLIENT)
    second = logins.refresh(world.ctx, RefreshTokens(first.refresh_token))
    with pytest.raises(Unauthorized) as reused:
        logins.refresh(world.ctx, RefreshTokens(first.refresh_token))
    assert reused.value.code == "refresh_token_reused"
    with pytest.raises(Unauthorized):  # the successor went with its family
        logins.refresh(world.ctx, RefreshTokens(second.refresh_token))


def test_an_expired_or_unknown_refresh_token_is_refused() -> None:
    world = World()
    world.sign_up("ana@example.test")
    pair = logins.login(world.ctx, LogIn("ana@example.test", PASSWORD), client=CLIENT)
    world.clock.advance(days=31)
    for token in (pair.refresh_token, "rt_unknown"):
        with pytest.raises(Unauthorized) as refused:
            logins.refresh(world.ctx, RefreshTokens(token))
        assert refused.value.code == "invalid_refresh_token"


def test_logout_revokes_the_refresh_family_and_the_session() -> None:
    from auth import sessions
    from auth.secrets import sha256

    world = World()
    world.sign_up("ana@example.test")
    pair = logins.login(world.ctx, LogIn("ana@example.test", PASSWORD), client=CLIENT)
    opening = OpenSession("ana@example.test", PASSWORD)
    browser = logins.create_session(world.ctx, opening, client=CLIENT)
    session_id = sessions.unsign_session(browser.cookie, key=SIGNING_KEY)
    logins.logout(world.ctx, LogOut(refresh_token=pair.refresh_token, session_id=session_id))
    token = world.store.get(refresh_key(sha256(pair.refresh_token)))
    session = world.store.get(session_key(sha256(session_id)))
    assert record_from(RefreshRecord, token).revoked_at == world.clock()
    assert record_from(SessionRecord, session).revoked_at == world.clock()
    logins.logout(world.ctx, LogOut(refresh_token="rt_unknown", session_id="unknown"))  # no-op
