"""The authentication edge without Firestore: missing credentials, client address."""

from __future__ import annotations

import pytest
from flask import Flask, request

from core.errors import Unauthorized
from functions._auth import client_address, require

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
