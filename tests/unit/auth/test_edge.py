"""The authentication edge without Firestore: missing credentials, client address, 429s."""

from __future__ import annotations

import pytest
from flask import Flask, Request, Response, request

from functions._auth import client_address, require, retry_after_header
from payments.errors import Unauthorized
from payments.ratelimit import TooManyRequests

APP = Flask("auth-edge-test")


def test_no_credentials_is_401_before_any_lookup() -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        context = APP.test_request_context("/api/v1/me", headers=headers)
        with context, pytest.raises(Unauthorized) as refused:
            require(request, "payments:read")
        assert refused.value.status == 401


def test_the_client_is_the_last_forwarded_hop() -> None:
    headers = {"X-Forwarded-For": "1.2.3.4, 203.0.113.9"}
    with APP.test_request_context("/", headers=headers):
        assert client_address(request) == "203.0.113.9"


def test_too_many_requests_answers_429_with_retry_after() -> None:
    @retry_after_header
    def view(req: Request) -> Response:
        raise TooManyRequests("slow down", retry_after=42)

    with APP.test_request_context("/"):
        response = view(request)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "42"
    assert response.get_json()["error"]["retry_after"] == 42
