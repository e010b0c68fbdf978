"""The authentication edge without Firestore: missing credentials, client address."""

from __future__ import annotations

import pytest
from flask import Flask, request

from core.errors import Unauthorized
from functions._auth import client_address, is_cross_site, require
from tests.support.settings import settings_from

APP = Flask("auth-edge-test")


def test_no_credentials_is_401_before_any_lookup() -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        context = APP.test_request_context("/api/v1/me", headers=headers)
        with context, pytest.raises(Unauthorized) as refused:
            require(request, "payments:read")
        assert refused.value.status == 401


@pytest.mark.parametrize(
    ("trusted", "forwarded", "client"),
    [
        ("", "1.2.3.4", "192.0.2.7"),  # no proxy: a client's header picks nothing
        ("0", "1.2.3.4, 203.0.113.9", "192.0.2.7"),
        ("1", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # what Google's front end appended
        ("2", "1.2.3.4, 203.0.113.9, 198.51.100.1", "203.0.113.9"),
        ("2", "203.0.113.9", "192.0.2.7"),  # shorter than the proxies: written by nobody
        ("1", "", "192.0.2.7"),
    ],
)
def test_the_client_is_what_the_first_trusted_proxy_saw(
    trusted: str, forwarded: str, client: str
) -> None:
    """Issue 14, item 5: with no proxy, a fresh X-Forwarded-For per request was a fresh bucket."""
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    environ = {"REMOTE_ADDR": "192.0.2.7"}
    with (
        settings_from(TRUSTED_PROXY_HOPS=trusted),
        APP.test_request_context("/", headers=headers, environ_base=environ),
    ):
        assert client_address(request) == client


@pytest.mark.parametrize(
    ("headers", "cross"),
    [
        ({}, False),  # not a browser: nothing to say
        ({"Sec-Fetch-Site": "same-origin"}, False),
        ({"Sec-Fetch-Site": "none"}, False),  # typed into the address bar
        ({"Sec-Fetch-Site": "same-site"}, True),  # another subdomain is another party
        ({"Sec-Fetch-Site": "cross-site"}, True),
        ({"Origin": "http://localhost"}, False),
        ({"Origin": "https://evil.example"}, True),
        ({"Origin": "null"}, True),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"}, False),
    ],
)
def test_a_request_is_cross_site_as_the_browser_says(headers: dict[str, str], cross: bool) -> None:
    """Issue 14, item 2: cookie sessions refuse what another site made the browser send."""
    with APP.test_request_context("/", base_url="http://localhost", headers=headers):
        assert is_cross_site(request) is cross
