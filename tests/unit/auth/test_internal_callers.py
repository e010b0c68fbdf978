"""Who may call `/tasks/*` and `/jobs/*` (issue 14, item 10: they took any caller that reached
them): a Google ID token for this audience from an allowed service account when deployed, the
stack's shared token locally, nobody when neither is configured."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import flask
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from auth.internal_callers import GOOGLE_ISSUERS, check_google_id_token, check_shared_token
from core.errors import Forbidden, Unauthorized
from functions import _internal, jobs, process_event
from tests.support.settings import INTERNAL_HEADERS, INTERNAL_TOKEN, settings_from

AUDIENCE = "https://europe-west1-demo.cloudfunctions.net/process_event"
INVOKER = "pep-invoker@demo.iam.gserviceaccount.com"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


GOOGLE_KEY, STRANGER_KEY = _key(), _key()


class Keys:
    """Google's published keys, as `jwt.PyJWKClient` would find them: one, `kid` "g1"."""

    def get_signing_key_from_jwt(self, token: str) -> jwt.PyJWK:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(GOOGLE_KEY.public_key()))
        if jwt.get_unverified_header(token).get("kid") != "g1":
            raise jwt.PyJWKClientError("Unable to find a signing key that matches")
        return jwt.PyJWK({**jwk, "kid": "g1", "alg": "RS256"})


def id_token(key: Any = GOOGLE_KEY, algorithm: str = "RS256", **claims: Any) -> str:
    now = int(time.time())
    body = {
        "iss": GOOGLE_ISSUERS[0],
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 3600,
        "email": INVOKER,
        "email_verified": True,
        "sub": "1234567890",
        **claims,
    }
    return jwt.encode(body, key, algorithm=algorithm, headers={"kid": "g1"})


def check(token: str) -> str:
    return check_google_id_token(token, audience=AUDIENCE, invokers=[INVOKER], keys=Keys())


def test_a_google_id_token_for_this_audience_from_the_invoker_gets_in() -> None:
    assert check(id_token()) == INVOKER
    assert check(id_token(iss="accounts.google.com")) == INVOKER


@pytest.mark.parametrize(
    "token",
    [
        id_token(aud="https://europe-west1-demo.cloudfunctions.net/another"),
        id_token(iss="https://evil.example"),
        id_token(exp=int(time.time()) - 120, iat=int(time.time()) - 3720),
        id_token(key=STRANGER_KEY),  # the right claims, not Google's signature
        id_token(email=None),
        "not.a.jwt",
        "",
    ],
    ids=["audience", "issuer", "expired", "signature", "no email", "garbage", "empty"],
)
def test_any_other_token_is_a_401(token: str) -> None:
    with pytest.raises(Unauthorized):
        check(token)


def test_a_token_of_another_algorithm_is_refused() -> None:
    """Only RS256, whatever the token's header says: not `none`, and not an HMAC keyed with
    Google's public key (algorithm confusion)."""
    public = GOOGLE_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iss": GOOGLE_ISSUERS[0], "aud": AUDIENCE, "email": INVOKER, "email_verified": True}
    claims |= {"iat": int(time.time()), "exp": int(time.time()) + 3600}
    for algorithm in ("none", "HS256"):
        signing_input = f"{_b64({'alg': algorithm, 'kid': 'g1'})}.{_b64(claims)}"
        mac = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
        signature = "" if algorithm == "none" else base64.urlsafe_b64encode(mac).decode()
        with pytest.raises(Unauthorized):
            check(f"{signing_input}.{signature.rstrip('=')}")


def _b64(part: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "claims",
    [{"email": "someone-else@demo.iam.gserviceaccount.com"}, {"email_verified": False}],
    ids=["another service account", "unverified email"],
)
def test_a_valid_token_of_another_account_is_a_403(claims: dict[str, Any]) -> None:
    with pytest.raises(Forbidden):
        check(id_token(**claims))


def test_the_shared_token_is_compared_whole() -> None:
    check_shared_token(INTERNAL_TOKEN, expected=INTERNAL_TOKEN)
    for supplied in (None, "", INTERNAL_TOKEN[:-1], INTERNAL_TOKEN + "x"):
        with pytest.raises(Unauthorized):
            check_shared_token(supplied, expected=INTERNAL_TOKEN)


def call(entry: Any, path: str, **request: Any) -> int:
    with flask.Flask(__name__).test_request_context(path, method="POST", json={}, **request) as ctx:
        return int(entry(ctx.request).status_code)


INTERNAL = [(process_event.process_event, "/tasks/apply-event"), (jobs.jobs, "/jobs/retry-sweep")]


@pytest.mark.parametrize(("entry", "path"), INTERNAL, ids=["process_event", "jobs"])
def test_the_internal_functions_refuse_every_caller_before_any_view(entry: Any, path: str) -> None:
    with settings_from(INTERNAL_TOKEN="", INTERNAL_AUDIENCE=""):  # nothing configured: closed
        assert call(entry, path, headers=INTERNAL_HEADERS) == 401
    with settings_from(INTERNAL_TOKEN=INTERNAL_TOKEN, INTERNAL_AUDIENCE=""):
        assert call(entry, path) == 401
        assert call(entry, path, headers={"Authorization": "Bearer sk_test_" + "A" * 48}) == 401
        assert call(entry, path, query_string={"token": "wrong"}) == 401


def test_locally_the_token_passes_as_a_bearer_or_in_the_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(process_event, "apply", lambda request: flask.Response(status=204))
    entry, path = process_event.process_event, "/tasks/apply-event"
    with settings_from(INTERNAL_TOKEN=INTERNAL_TOKEN, INTERNAL_AUDIENCE=""):
        assert call(entry, path, headers=INTERNAL_HEADERS) == 204
        assert call(entry, path, query_string={"token": INTERNAL_TOKEN}) == 204


def test_deployed_only_a_google_id_token_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_internal, "google_signing_keys", Keys)
    monkeypatch.setattr(process_event, "apply", lambda request: flask.Response(status=204))
    deployed = {"INTERNAL_AUDIENCE": AUDIENCE, "INTERNAL_INVOKERS": INVOKER}
    with settings_from(**deployed, INTERNAL_TOKEN=INTERNAL_TOKEN):
        entry, path = process_event.process_event, "/tasks/apply-event"
        assert call(entry, path, headers={"Authorization": f"Bearer {id_token()}"}) == 204
        assert call(entry, path, headers=INTERNAL_HEADERS) == 401  # the dev token is not enough
        assert call(entry, path, query_string={"token": INTERNAL_TOKEN}) == 401
        other = id_token(email="someone-else@demo.iam.gserviceaccount.com")
        assert call(entry, path, headers={"Authorization": f"Bearer {other}"}) == 403


def test_an_audience_without_invokers_refuses_to_start() -> None:
    with (
        pytest.raises(ValueError, match="INTERNAL_INVOKERS"),
        settings_from(INTERNAL_AUDIENCE=AUDIENCE, INTERNAL_INVOKERS=""),
    ):
        from core.settings import get_settings

        get_settings()
