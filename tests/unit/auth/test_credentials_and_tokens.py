"""Pure credential handling: passwords, JWTs, API keys, session cookies, CSRF, headers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auth import api_keys, passwords, sessions, tokens
from auth.credentials import read_credential
from auth.secrets import keyed_hash, new_code, same, sha256
from core.errors import Forbidden, Unauthorized, ValidationError

KEY = "unit-test-signing-key-" + "k" * 32
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_passwords_are_argon2id_and_checked_in_constant_work() -> None:
    stored = passwords.hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "a long enough passphrase")
    assert not passwords.verify_password(stored, "a long enough passphrasE")
    assert not passwords.verify_password(None, "a long enough passphrase")  # unknown user
    assert not passwords.verify_password("not a hash", "whatever")


@pytest.mark.parametrize("weak", ["short", "aaaaaaaaaaaa", "password123", "x" * 300])
def test_weak_passwords_are_refused(weak: str) -> None:
    with pytest.raises(ValidationError):
        passwords.check_strength(weak)


def test_access_tokens_carry_sub_tid_jti_and_expire() -> None:
    token = tokens.issue_access_token(key=KEY, user_id="usr_1", tenant_id="ten_1", now=NOW)
    with pytest.raises(Unauthorized) as expired:
        tokens.decode_access_token(token, key=KEY)
    assert expired.value.code == "token_expired"

    fresh = tokens.issue_access_token(
        key=KEY, user_id="usr_1", tenant_id="ten_1", now=datetime.now(UTC)
    )
    claims = tokens.decode_access_token(fresh, key=KEY)
    assert (claims.user_id, claims.tenant_id) == ("usr_1", "ten_1")
    assert len(claims.jti) == 32
    for bad in (fresh + "x", "not.a.jwt", fresh.replace(fresh.split(".")[1], "e30")):
        with pytest.raises(Unauthorized):
            tokens.decode_access_token(bad, key=KEY)
    with pytest.raises(Unauthorized):
        tokens.decode_access_token(fresh, key=KEY + "other")


def test_alg_none_tokens_are_refused() -> None:
    import jwt

    forged = jwt.encode(
        {"sub": "usr_1", "tid": "ten_1", "jti": "j", "iss": tokens.ISSUER, "typ": "access",
         "iat": 1, "exp": 9_999_999_999},
        key="",
        algorithm="none",
    )  # fmt: skip
    with pytest.raises(Unauthorized):
        tokens.decode_access_token(forged, key=KEY)


def test_api_keys_look_right_and_store_only_a_hash() -> None:
    generated = api_keys.generate_api_key(livemode=False)
    assert generated.key.startswith("sk_test_") and len(generated.key) == 8 + 48
    assert api_keys.parse_prefix(generated.key) == generated.lookup_prefix
    assert generated.key_hash == sha256(generated.key) != generated.key
    assert api_keys.generate_api_key(livemode=True).key.startswith("sk_live_")
    assert api_keys.parse_prefix("sk_test_short") is None
    assert len({api_keys.generate_api_key(livemode=False).key for _ in range(50)}) == 50


def test_session_cookies_are_signed_and_csrf_tokens_bound_to_the_session() -> None:
    session_id = sessions.new_session_id()
    cookie = sessions.sign_session(session_id, key=KEY)
    assert sessions.unsign_session(cookie, key=KEY) == session_id
    flipped = cookie[:-1] + ("1" if cookie.endswith("0") else "0")
    for forged in (flipped, session_id, f"{session_id}.", cookie + "x"):
        with pytest.raises(Unauthorized):
            sessions.unsign_session(forged, key=KEY)
    csrf = sessions.csrf_token(session_id, key=KEY)
    sessions.check_csrf(session_id, csrf, key=KEY)
    for wrong in (None, "", 12345, [csrf], sessions.csrf_token("another", key=KEY)):
        with pytest.raises(Forbidden):
            sessions.check_csrf(session_id, wrong, key=KEY)


def test_the_credential_is_read_from_the_headers_or_the_cookie() -> None:
    key = api_keys.generate_api_key(livemode=False).key
    assert read_credential({"x-api-key": key}, {}).kind == "api_key"
    assert read_credential({"authorization": f"Bearer {key}"}, {}).kind == "api_key"
    assert read_credential({"authorization": "Bearer a.b.c"}, {}).kind == "jwt"
    assert read_credential({}, {"session": "s.sig"}).kind == "session"
    assert key not in repr(read_credential({"x-api-key": key}, {}))
    for headers in ({}, {"authorization": "Basic abc"}, {"authorization": "Bearer "}):
        with pytest.raises(Unauthorized):
            read_credential(headers, {})


def test_codes_are_six_digits_and_hashed_under_the_key() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert keyed_hash("usr:123456", key=KEY) != keyed_hash("usr:123456", key=KEY + "2")
    assert same("abc", "abc") and not same("abc", "abd")
