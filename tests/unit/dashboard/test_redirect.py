"""Where the dashboard sends a browser after a form post."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from functions.dashboard._web import redirect


def test_a_next_with_a_query_keeps_it_and_gains_the_notice() -> None:
    """Issue 15, item 1: `?notice=verified` was appended after `next`'s own `?token=…`, so the
    invitation's token arrived as `TOKEN?notice=verified` and matched nothing."""
    location = redirect("/invitations/accept?token=inv_1.secret", notice="verified").location
    parts = urlsplit(location)
    assert parts.path == "/invitations/accept"
    assert parse_qs(parts.query) == {"token": ["inv_1.secret"], "notice": ["verified"]}


def test_params_and_notice_make_the_query_and_never_a_host() -> None:
    assert redirect("/dashboard").location == "/dashboard"
    assert redirect("/dashboard/verify", notice="code_sent", email="a+b@example.test").location == (
        "/dashboard/verify?email=a%2Bb%40example.test&notice=code_sent"
    )
    assert redirect("//evil.example/x", notice="verified").location == "/x?notice=verified"
