"""Signing up and verifying the email over HTTP, against Firestore and the mail capture."""

from __future__ import annotations

import uuid

import requests

from auth.principal import Role
from emulators.gcloud import RunningEmulator
from tests.e2e import api_client
from tests.e2e.auth.helpers import (
    PASSWORD,
    latest_code,
    latest_link,
    messages_to,
    seed_tenant,
)
from tests.support.stacks import auth_server


def new_email() -> str:
    return f"merchant-{uuid.uuid4().hex[:10]}@example.test"


def signup(url: str, email: str) -> requests.Response:
    body = {"email": email, "password": PASSWORD, "business_name": "Acme Bikes"}
    return api_client.post(url, "/api/v1/signup", json=body)


def login(url: str, email: str, password: str = PASSWORD) -> requests.Response:
    return api_client.post(url, "/api/v1/login", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_signup_then_verify_by_code_read_from_the_mail_capture(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    email = new_email()
    with auth_server(mail_capture) as stack:
        created = signup(stack.url, email)
        assert created.status_code == 202, created.text
        assert created.json()["verification_email"] == {"sent": True, "to": email}

        [message] = messages_to(mail_capture, email)
        assert message["to"] == email
        assert "verify-email?token=" in str(message["text"])

        # unverified: can log in, cannot create API keys
        tokens = login(stack.url, email).json()
        assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
        denied = api_client.post(
            stack.url,
            "/api/v1/api-keys",
            json={"name": "ci"},
            headers=bearer(tokens["access_token"]),
        )
        assert denied.status_code == 403
        assert denied.json()["error"]["code"] == "email_not_verified"

        code = latest_code(mail_capture, email)
        verified = api_client.post(
            stack.url, "/api/v1/verify-email-code", json={"email": email, "code": code}
        )
        assert verified.status_code == 200, verified.text

        me = api_client.get(stack.url, "/api/v1/me", headers=bearer(tokens["access_token"]))
        assert me.status_code == 200
        assert me.json()["user"]["email_verified"] is True
        assert me.json()["memberships"] == [
            {"tenant_id": me.json()["tenant_id"], "role": "owner", "tenant_name": "Acme Bikes"}
        ]
        allowed = api_client.post(
            stack.url,
            "/api/v1/api-keys",
            json={"name": "ci"},
            headers=bearer(tokens["access_token"]),
        )
        assert allowed.status_code == 201, allowed.text


def test_verify_by_link_works_once(firestore: RunningEmulator, mail_capture: str) -> None:
    email = new_email()
    with auth_server(mail_capture) as stack:
        assert signup(stack.url, email).status_code == 202
        token = latest_link(mail_capture, email).split("token=", 1)[1]
        first = api_client.post(stack.url, "/api/v1/verify-email", json={"token": token})
        assert first.status_code == 200, first.text
        again = api_client.post(stack.url, "/api/v1/verify-email", json={"token": token})
        assert again.status_code == 400
        assert again.json()["error"]["code"] == "invalid_verification"


def test_wrong_codes_are_limited_and_a_resend_has_a_cooldown(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    email = new_email()
    with auth_server(mail_capture) as stack:
        assert signup(stack.url, email).status_code == 202
        code = latest_code(mail_capture, email)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        for _ in range(5):
            answer = api_client.post(
                stack.url, "/api/v1/verify-email-code", json={"email": email, "code": wrong}
            )
            assert answer.status_code == 400
        spent = api_client.post(
            stack.url, "/api/v1/verify-email-code", json={"email": email, "code": code}
        )
        assert spent.status_code == 429
        assert spent.json()["error"]["code"] == "too_many_attempts"
        assert int(spent.headers["Retry-After"]) > 0

        cooldown = api_client.post(stack.url, "/api/v1/verify-email/resend", json={"email": email})
        assert cooldown.status_code == 429
        assert cooldown.json()["error"]["code"] == "resend_cooldown"
        assert int(cooldown.headers["Retry-After"]) > 0

        unknown = api_client.post(
            stack.url, "/api/v1/verify-email/resend", json={"email": new_email()}
        )
        assert unknown.status_code == 202


def test_a_failed_send_is_reported_not_lost(firestore: RunningEmulator, mail_capture: str) -> None:
    email = new_email()
    with auth_server(mail_capture) as stack:
        requests.post(f"{mail_capture}/control/fail-next", json={"count": 1}, timeout=5)
        created = signup(stack.url, email)
        assert created.status_code == 202
        assert created.json()["verification_email"]["sent"] is False
        assert messages_to(mail_capture, email) == []

    # Mailgun unreachable: the re-send answers 502, it does not pretend it worked
    with auth_server("http://127.0.0.1:9") as stack:
        failed = api_client.post(stack.url, "/api/v1/verify-email/resend", json={"email": email})
        assert failed.status_code == 502
        assert failed.json()["error"]["code"] == "mail_send_failed"


def test_signup_validation_and_duplicates(firestore: RunningEmulator, mail_capture: str) -> None:
    email = new_email()
    with auth_server(mail_capture) as stack:
        weak = api_client.post(
            stack.url,
            "/api/v1/signup",
            json={"email": email, "password": "short", "business_name": "Acme"},
        )
        assert weak.status_code == 400
        assert weak.json()["error"]["code"] == "weak_password"
        missing = api_client.post(stack.url, "/api/v1/signup", json={"email": email})
        assert missing.status_code == 400
        assert signup(stack.url, email).status_code == 202


def test_a_taken_address_is_answered_as_a_new_one_and_its_owner_is_told(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    """Issue 14, item 9: a taken address answered 409 `email_taken`, and its re-send's
    cool-down 429 while an unknown address got 202: both told who has an account."""
    acme = seed_tenant()
    owner, admin = acme.users[Role.OWNER], acme.users[Role.ADMIN]
    with auth_server(mail_capture) as stack:
        fresh = signup(stack.url, new_email())
        taken = signup(stack.url, owner.email)
        assert (taken.status_code, fresh.status_code) == (202, 202)
        sent = {"sent": True, "to": owner.email}
        assert taken.json() == {**fresh.json(), "email": owner.email, "verification_email": sent}
        [note] = messages_to(mail_capture, owner.email)
        assert "already has an account" in str(note["subject"])
        assert login(stack.url, owner.email).status_code == 200  # the owner's password stands

        for email in (admin.email, new_email()):  # a verified address and an unknown one
            resend = {"email": email}
            first = api_client.post(stack.url, "/api/v1/verify-email/resend", json=resend)
            again = api_client.post(stack.url, "/api/v1/verify-email/resend", json=resend)
            assert (first.status_code, again.status_code) == (202, 429), email
            assert again.json()["error"]["code"] == "resend_cooldown"
        assert messages_to(mail_capture, admin.email) == []
        assert len(messages_to(mail_capture, owner.email)) == 1


def test_a_verification_token_naming_an_impossible_user_is_a_400_not_a_500(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    """Issue 14, item 8: the user part of a link token becomes a document id."""
    with auth_server(mail_capture) as stack:
        for token in ("a/b.x", "__x__.y", "...z"):
            api = api_client.post(stack.url, "/api/v1/verify-email", json={"token": token})
            assert api.status_code == 400, (token, api.text)
            assert api.json()["error"]["param"] == "token"
            page = requests.get(f"{stack.url}/verify-email", params={"token": token}, timeout=10)
            assert page.status_code == 400, (token, page.status_code)
