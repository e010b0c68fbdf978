"""Where the dashboard sends a browser after logging in (issue 14, item 3): only somewhere on
this site, whatever `next` says, and a `next` that no header can carry is a 400 before any
session is made."""

from __future__ import annotations

import re

import requests

from auth.principal import Role
from emulators.gcloud import RunningEmulator
from tests.e2e.auth.helpers import PASSWORD, seed_tenant
from tests.support.stacks import auth_server

LEAVING = ("/\t/host/", "/\n/host/", "//host/", "https://host/", "/\\host/", "javascript:x")


def log_in(url: str, email: str, next_page: str) -> requests.Response:
    """The login form as a browser posts it: its form cookie and token, and `next`."""
    page = requests.get(f"{url}/dashboard/login", timeout=10)
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None, page.text
    form = {"email": email, "password": PASSWORD, "next": next_page, "form_token": token[1]}
    return requests.post(
        f"{url}/dashboard/login",
        data=form,
        cookies={"form_nonce": page.cookies["form_nonce"]},
        allow_redirects=False,
        timeout=10,
    )


def test_after_login_the_browser_stays_on_the_site(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    with auth_server(mail_capture) as stack:
        owner = seed_tenant("Acme").users[Role.OWNER]
        kept = log_in(stack.url, owner.email, "/dashboard/payments?status=failed")
        assert kept.status_code == 303
        assert kept.headers["Location"] == "/dashboard/payments?status=failed"
        for next_page in LEAVING:
            response = log_in(stack.url, owner.email, next_page)
            location = response.headers.get("Location", "")
            assert response.status_code in (303, 400), (next_page, response.status_code)
            assert "host" not in location and not location.startswith("//"), (next_page, location)


def test_a_next_with_a_line_break_is_a_400_and_makes_no_session(
    firestore: RunningEmulator, mail_capture: str
) -> None:
    with auth_server(mail_capture) as stack:
        owner = seed_tenant("Acme").users[Role.OWNER]
        response = log_in(stack.url, owner.email, "/dashboard\r\nSet-Cookie: planted=1")
        assert response.status_code == 400, response.status_code
        assert "session=" not in response.headers.get("Set-Cookie", "")
        assert "planted" not in response.headers.get("Set-Cookie", "")
