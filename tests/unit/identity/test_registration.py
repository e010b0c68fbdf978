"""Signing up and verifying the email, on the in-memory store."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.errors import RateLimited, ValidationError
from identity import registration
from identity.commands import ResendVerification, Signup, VerifyCode, VerifyEmailLink
from identity.directory import find_user_by_email, memberships_of_user
from identity.records import email_guard_key, tenant_key, verification_key
from ledger.collections import TENANTS
from ledger.store import Query
from tests.unit.identity.support import PASSWORD, World

CLIENT = "198.51.100.7"


def test_signup_writes_the_user_their_tenant_and_owner_membership_and_mails_a_code() -> None:
    world = World()
    result = registration.signup(
        world.ctx, Signup("ana@example.test", PASSWORD, "Ana's Books"), client=CLIENT
    )
    assert result == registration.SignupResult("ana@example.test", email_sent=True)
    user = find_user_by_email(world.store, "ANA@example.test ")
    assert user is not None and not user.email_verified
    assert user.password_hash != PASSWORD
    [member] = memberships_of_user(world.store, user.user_id)
    assert member.role == "owner"
    tenant = world.store.get(tenant_key(member.tenant_id))
    assert tenant is not None and tenant["name"] == "Ana's Books"
    assert [message.to for message in world.mailer.sent] == ["ana@example.test"]
    pending = world.store.get(verification_key(user.user_id))
    assert pending is not None and world.mailer.last_code() not in str(pending)


def test_a_taken_address_answers_as_a_new_one_creates_nothing_and_mails_its_owner() -> None:
    """Issue 14, item 9: a sign-up with a taken address answered 409 `email_taken`, telling
    anyone which addresses have accounts."""
    world = World()
    signup = Signup("ana@example.test", PASSWORD, "Ana's Books")
    new = registration.signup(world.ctx, signup, client=CLIENT)
    world.clock.advance(seconds=61)
    taken = registration.signup(world.ctx, replace(signup, business_name="Another"), client=CLIENT)
    assert taken == new
    assert [doc["name"] for _, doc in world.store.query(Query(TENANTS))] == ["Ana's Books"]
    note = world.mailer.sent[-1]
    assert note.to == "ana@example.test" and "already has an account" in note.subject
    assert "https://app.test/dashboard/login" in note.text
    assert len(world.mailer.sent) == 2

    # a burst of sign-ups with the address mails its owner once a minute, answered alike
    again = registration.signup(world.ctx, signup, client=CLIENT)
    assert again == new and len(world.mailer.sent) == 2


def test_a_weak_password_writes_nothing() -> None:
    world = World()
    with pytest.raises(ValidationError) as weak:
        registration.signup(world.ctx, Signup("ana@example.test", "password", "A"), client=CLIENT)
    assert weak.value.param == "password"
    assert world.store.get(email_guard_key("ana@example.test")) is None


def test_a_failed_verification_email_still_creates_the_account() -> None:
    world = World()
    world.mailer.failing = True
    result = registration.signup(
        world.ctx, Signup("ana@example.test", PASSWORD, "A"), client=CLIENT
    )
    assert result == registration.SignupResult("ana@example.test", email_sent=False)
    assert find_user_by_email(world.store, "ana@example.test") is not None
    world.mailer.failing = False
    registration.resend_verification(
        world.ctx, ResendVerification("ana@example.test")
    )  # no cool-down after a failure
    assert len(world.mailer.sent) == 1


def test_the_link_verifies_once() -> None:
    world = World()
    owner = world.sign_up("ana@example.test")
    token = world.mailer.last_link_token()
    registration.verify_email_token(world.ctx, VerifyEmailLink(token), client=CLIENT)
    user = find_user_by_email(world.store, "ana@example.test")
    assert user is not None and user.email_verified and user.user_id == owner.user_id
    with pytest.raises(ValidationError) as spent:
        registration.verify_email_token(world.ctx, VerifyEmailLink(token), client=CLIENT)
    assert spent.value.code == "invalid_verification"


def test_wrong_codes_are_counted_then_refused_until_a_new_one() -> None:
    world = World()
    world.sign_up("ana@example.test")
    right = world.mailer.last_code()
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(registration.MAX_ATTEMPTS):
        with pytest.raises(ValidationError):
            registration.verify_email_code(
                world.ctx, VerifyCode("ana@example.test", wrong), client=CLIENT
            )
    with pytest.raises(RateLimited) as exhausted:
        registration.verify_email_code(
            world.ctx, VerifyCode("ana@example.test", right), client=CLIENT
        )
    assert exhausted.value.code == "too_many_attempts"
    world.clock.advance(seconds=61)
    registration.resend_verification(world.ctx, ResendVerification("ana@example.test"))
    fresh = world.mailer.last_code()
    registration.verify_email_code(world.ctx, VerifyCode("ana@example.test", fresh), client=CLIENT)
    user = find_user_by_email(world.store, "ana@example.test")
    assert user is not None and user.email_verified


def test_an_expired_code_is_refused() -> None:
    world = World()
    world.sign_up("ana@example.test")
    code = world.mailer.last_code()
    world.clock.advance(hours=25)
    with pytest.raises(ValidationError) as expired:
        registration.verify_email_code(
            world.ctx, VerifyCode("ana@example.test", code), client=CLIENT
        )
    assert expired.value.code == "verification_expired"


def test_a_resend_waits_for_its_cool_down_and_tells_no_one_who_has_an_account() -> None:
    """Issue 14, item 9: the cool-down answered 429 only for real unverified accounts."""
    world = World()
    world.sign_up("ana@example.test")
    world.sign_up("bo@example.test")
    registration.verify_email_code(
        world.ctx, VerifyCode("bo@example.test", world.mailer.last_code()), client=CLIENT
    )
    world.clock.advance(seconds=61)
    for email in ("ana@example.test", "bo@example.test", "nobody@example.test"):
        registration.resend_verification(world.ctx, ResendVerification(email))
        with pytest.raises(RateLimited) as cooling:
            registration.resend_verification(world.ctx, ResendVerification(email))
        assert cooling.value.code == "resend_cooldown", email
        assert 0 < (cooling.value.retry_after or 0) <= 60, email
    assert [message.to for message in world.mailer.sent[2:]] == ["ana@example.test"]
