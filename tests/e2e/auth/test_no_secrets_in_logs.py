"""No secret, password, token, code or key appears in any log line of the identity flows."""

from __future__ import annotations

import re
import uuid

from emulators.gcloud import RunningEmulator
from tests.e2e import api_client
from tests.e2e.auth.helpers import PASSWORD, latest_code, latest_link
from tests.support.settings import INTERNAL_TOKEN
from tests.support.stacks import SIGNING_KEY, auth_env, auth_server


def test_the_flows_log_no_secret(firestore: RunningEmulator, mail_capture: str) -> None:
    email = f"logs-{uuid.uuid4().hex[:8]}@example.test"
    wrong_password = "Wrong-password-" + uuid.uuid4().hex
    secrets = [
        PASSWORD,
        wrong_password,
        SIGNING_KEY,
        INTERNAL_TOKEN,
        auth_env("")["MAILGUN_API_KEY"],
    ]
    with auth_server(mail_capture) as stack:
        url = stack.url
        body = {"email": email, "password": PASSWORD, "business_name": "Log Test"}
        assert api_client.post(url, "/api/v1/signup", json=body).status_code == 202
        code, link = latest_code(mail_capture, email), latest_link(mail_capture, email)
        link_token = link.split("token=", 1)[1]
        secrets += [link_token, link_token.split(".", 1)[1]]
        wrong_code = {"email": email, "code": f"{(int(code) + 7) % 1_000_000:06d}"}
        api_client.post(url, "/api/v1/verify-email-code", json=wrong_code)
        verified = api_client.post(
            url, "/api/v1/verify-email-code", json={"email": email, "code": code}
        )
        assert verified.status_code == 200
        # tokens in a query string: the emailed link's page, a local queue push
        api_client.get(url, f"/verify-email?token={link_token}")
        api_client.post(url, f"/tasks/apply-event?token={INTERNAL_TOKEN}", json={})

        credentials = {"email": email, "password": PASSWORD}
        api_client.post(url, "/api/v1/login", json={"email": email, "password": wrong_password})
        tokens = api_client.post(url, "/api/v1/login", json=credentials).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        rotated = api_client.post(
            url, "/api/v1/token/refresh", json={"refresh_token": tokens["refresh_token"]}
        ).json()
        api_client.post(
            url, "/api/v1/token/refresh", json={"refresh_token": tokens["refresh_token"]}
        )
        key = api_client.post(url, "/api/v1/api-keys", json={"name": "ci"}, headers=auth).json()
        api_client.get(url, "/api/v1/me", headers={"X-API-Key": key["key"]})
        api_client.get(url, "/api/v1/me", headers={"X-API-Key": key["key"][:-4] + "AAAA"})
        session = api_client.post(url, "/api/v1/sessions", json=credentials)
        cookie = session.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
        api_client.get(url, "/api/v1/me", cookies={"session": cookie})
        invite = {"email": f"x-{uuid.uuid4().hex[:6]}@example.test", "role": "viewer"}
        api_client.post(url, "/api/v1/members", json=invite, headers=auth)
        invite_token = latest_link(mail_capture, invite["email"]).split("token=", 1)[1]
        api_client.post(
            url, "/api/v1/invitations/accept", json={"token": invite_token}, headers=auth
        )
        secrets += [
            tokens["access_token"],
            tokens["refresh_token"],
            rotated["access_token"],
            rotated["refresh_token"],
            key["key"],
            cookie,
            cookie.split(".", 1)[0],
            session.json()["csrf_token"],
            invite_token,
        ]
        logged = stack.output()
    assert '"message": "POST /api/v1/login 200"' in logged, "the server's log was not captured"
    assert "/verify-email?token=[hidden]" in logged  # the access log names the request
    leaked = [secret[:6] + "…" for secret in secrets if secret in logged]
    assert leaked == []
    for six_digits in (code, wrong_code["code"]):
        assert not re.search(rf"(?<![\d.:]){six_digits}(?!\d)", logged)
    assert email not in logged  # not a secret, but personal data: ids only in logs
