"""Login, rotating refresh tokens, logout, dashboard sessions and API keys, over HTTP."""

from __future__ import annotations

from auth.principal import Role
from emulators.gcloud import RunningEmulator
from tests.e2e import api_client
from tests.e2e.auth.helpers import PASSWORD, seed_tenant
from tests.support.stacks import auth_server


def login(url: str, email: str, password: str = PASSWORD) -> dict[str, object]:
    answer = api_client.post(url, "/api/v1/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def bearer(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_errors_are_the_same_and_failures_are_rate_limited(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    tenant = seed_tenant()
    email = tenant.users[Role.OWNER].email
    with auth_server(mail_capture) as stack:
        tokens = login(stack.url, email)
        assert tokens["token_type"] == "Bearer"
        assert tokens["expires_in"] == 900

        wrong = api_client.post(
            stack.url, "/api/v1/login", json={"email": email, "password": "not the password"}
        )
        unknown = api_client.post(
            stack.url, "/api/v1/login", json={"email": "nobody@example.test", "password": "x" * 12}
        )
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()

        # one address guessing one account: 5 failures a minute (the first was `wrong`)
        statuses = [
            api_client.post(
                stack.url, "/api/v1/login", json={"email": email, "password": f"wrong-{n}-pass"}
            ).status_code
            for n in range(5)
        ]
        assert statuses == [401] * 4 + [429]
        limited = api_client.post(
            stack.url, "/api/v1/login", json={"email": email, "password": PASSWORD}
        )
        assert limited.status_code == 429
        assert 0 < int(limited.headers["Retry-After"]) <= 60


def test_refresh_rotates_and_reuse_revokes_the_family(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    tenant = seed_tenant()
    with auth_server(mail_capture) as stack:
        first = login(stack.url, tenant.users[Role.ADMIN].email)
        second = api_client.post(
            stack.url, "/api/v1/token/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert second.status_code == 200, second.text
        rotated = second.json()
        assert rotated["refresh_token"] != first["refresh_token"]
        me = api_client.get(stack.url, "/api/v1/me", headers=bearer(rotated["access_token"]))
        assert me.status_code == 200
        assert me.json()["role"] == "admin"

        reused = api_client.post(
            stack.url, "/api/v1/token/refresh", json={"refresh_token": first["refresh_token"]}
        )
        assert reused.status_code == 401
        assert reused.json()["error"]["code"] == "refresh_token_reused"
        family_gone = api_client.post(
            stack.url, "/api/v1/token/refresh", json={"refresh_token": rotated["refresh_token"]}
        )
        assert family_gone.status_code == 401

        other = login(stack.url, tenant.users[Role.ADMIN].email)
        out = api_client.post(
            stack.url, "/api/v1/logout", json={"refresh_token": other["refresh_token"]}
        )
        assert out.status_code == 204
        after = api_client.post(
            stack.url, "/api/v1/token/refresh", json={"refresh_token": other["refresh_token"]}
        )
        assert after.status_code == 401


def test_dashboard_session_cookie_with_csrf(firestore: RunningEmulator, mail_capture: str) -> None:
    tenant = seed_tenant()
    credentials = {"email": tenant.users[Role.DEVELOPER].email, "password": PASSWORD}
    with auth_server(mail_capture) as stack:
        # issue 14, item 2: another site's form cannot log this browser in (JSON only)
        as_a_form = api_client.post(stack.url, "/api/v1/sessions", data=credentials)
        assert as_a_form.status_code == 400, as_a_form.text
        assert "Set-Cookie" not in as_a_form.headers
        created = api_client.post(stack.url, "/api/v1/sessions", json=credentials)
        assert created.status_code == 200, created.text
        set_cookie = created.headers["Set-Cookie"]
        for attribute in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
            assert attribute in set_cookie
        cookie = {"session": set_cookie.split(";", 1)[0].split("=", 1)[1]}
        csrf = created.json()["csrf_token"]

        me = api_client.get(stack.url, "/api/v1/me", cookies=cookie)
        assert me.status_code == 200
        assert me.json()["authenticated_via"] == "session"
        assert me.json()["role"] == "developer"

        no_csrf = api_client.post(stack.url, "/api/v1/api-keys", json={}, cookies=cookie)
        assert no_csrf.status_code == 403
        assert no_csrf.json()["error"]["code"] == "csrf_failed"
        with_csrf = api_client.post(
            stack.url, "/api/v1/api-keys", json={}, cookies=cookie, headers={"X-CSRF-Token": csrf}
        )
        assert with_csrf.status_code == 201
        # ... nor use the session, token or not, when the browser says another site sent it
        for foreign in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
            refused = api_client.post(
                stack.url,
                "/api/v1/api-keys",
                json={},
                cookies=cookie,
                headers={"X-CSRF-Token": csrf, **foreign},
            )
            assert refused.status_code == 403, (foreign, refused.text)
            assert refused.json()["error"]["code"] == "cross_site"
        same_site = {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-origin", "Origin": stack.url}
        mine = api_client.post(
            stack.url, "/api/v1/api-keys", json={}, cookies=cookie, headers=same_site
        )
        assert mine.status_code == 201, mine.text
        cross_logout = api_client.post(
            stack.url,
            "/api/v1/logout",
            cookies=cookie,
            data={"csrf_token": csrf},
            headers={"Sec-Fetch-Site": "cross-site"},
        )
        assert cross_logout.status_code == 403

        last = cookie["session"][-1]
        tampered = {"session": cookie["session"][:-1] + ("1" if last == "0" else "0")}
        assert api_client.get(stack.url, "/api/v1/me", cookies=tampered).status_code == 401

        out = api_client.post(
            stack.url, "/api/v1/logout", cookies=cookie, data={"csrf_token": csrf}
        )
        assert out.status_code == 204
        assert "session=;" in out.headers["Set-Cookie"]
        assert api_client.get(stack.url, "/api/v1/me", cookies=cookie).status_code == 401


def test_api_keys_shown_once_hashed_roles_bounded_and_revocable(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    tenant = seed_tenant()
    developer = tenant.headers(Role.DEVELOPER)
    with auth_server(mail_capture) as stack:
        too_high = api_client.post(
            stack.url, "/api/v1/api-keys", json={"name": "x", "role": "admin"}, headers=developer
        )
        assert too_high.status_code == 403
        created = api_client.post(
            stack.url, "/api/v1/api-keys", json={"name": "ci", "role": "viewer"}, headers=developer
        )
        assert created.status_code == 201
        key = created.json()["key"]
        assert key.startswith("sk_test_") and len(key) >= 48
        assert created.json()["prefix"] == key[:16]

        listed = api_client.get(stack.url, "/api/v1/api-keys", headers=developer).json()["data"]
        assert all("key" not in item for item in listed)
        assert created.json()["id"] in {item["id"] for item in listed}

        for headers in ({"Authorization": f"Bearer {key}"}, {"X-API-Key": key}):
            me = api_client.get(stack.url, "/api/v1/me", headers=headers)
            assert me.status_code == 200
            assert me.json()["api_key"]["id"] == created.json()["id"]
            assert me.json()["role"] == "viewer"
        foreign_tenant = api_client.get(
            stack.url, "/api/v1/me", headers={"X-API-Key": key, "X-Tenant-Id": "ten_other"}
        )
        assert foreign_tenant.status_code == 403

        revoked = api_client.delete(
            stack.url, f"/api/v1/api-keys/{created.json()['id']}", headers=developer
        )
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"]
        assert revoked.json()["last_used_at"]
        assert (
            api_client.get(stack.url, "/api/v1/me", headers={"X-API-Key": key}).status_code == 401
        )

        admin_key = next(k for k in listed if k["role"] == "admin")
        cannot = api_client.delete(
            stack.url, f"/api/v1/api-keys/{admin_key['id']}", headers=developer
        )
        assert cannot.status_code == 403
