"""The isolation matrix's cells for the dashboard's HTML pages and forms (rules `Page` and
`PublicForm` of `tests/e2e/test_isolation_matrix.py`).

The dashboard takes one credential, its `session` cookie, and a browser is never answered 401:
  - no session, a malformed cookie, one signed with another key, an ended session, and the
    API's own credentials (a JWT, an API key; no cookie) → 303 to the login page;
  - each role of the tenant, by session → the rule's `ok` if the role holds the permission
    (`auth.rbac`), else 403; a form post without the session's CSRF token → 403;
  - each role of another tenant: on the victim's resource (a path parameter) → 404 if the
    role holds the permission, else 403; on a page without one, its own tenant's page
    (`foreign_ok`, by default anything but 401/403/5xx); never a mention of the victim tenant,
    even when it names the victim in `X-Tenant-Id` (the dashboard ignores the header).
A `PublicForm` (sign up, log in, verify) posted without the form token of its page (a
double-submit cookie) → 403; with it → `ok`. Each cell gets fresh sessions: a cell that logs
out or switches tenants does not change the next one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import requests

from auth import sessions
from auth.principal import Role
from auth.rbac import has_permission
from auth.secrets import sha256
from functions.routes import Route
from identity.records import SessionRecord, session_key, stored
from tests.e2e.auth.helpers import SeededTenant, service_context
from tests.support.stacks import SIGNING_KEY

__all__ = ["ANY", "LOGIN", "Page", "PageCell", "PublicForm", "cells_of_page", "check", "send"]

Params = dict[str, str]
Form = Callable[[Any], dict[str, str]]
LOGIN = -2  # a 303 to the login page
ANY = -3  # anything but 401, 403 and 5xx


@dataclass(frozen=True)
class Page:
    permission: str | None  # None: any member of the tenant
    ok: int = 200
    form: Form | None = None  # the fields an allowed caller posts (given the world)
    resource: Callable[[SeededTenant], Params] | None = None
    foreign_ok: int = ANY  # another tenant's member on a page without a path parameter


@dataclass(frozen=True)
class PublicForm:
    ok: int
    form: Form


class World(Protocol):
    victim: SeededTenant
    other: SeededTenant


@dataclass(frozen=True)
class Visit:
    cookies: dict[str, str]
    headers: dict[str, str]
    csrf: str | None = None  # the session's CSRF token, or a public form's token


Caller = Callable[[World, str], Visit]  # (world, url of the stack) → what the caller sends


@dataclass(frozen=True)
class PageCell:
    route: Route
    caller: str
    visit: Caller
    expect: int
    foreign: bool = False

    @property
    def id(self) -> str:
        return f"{self.route.method} {self.route.path} | {self.caller}"


def session(user_id: str, tenant_id: str, *, ended: bool = False, key: str = SIGNING_KEY) -> Visit:
    """A dashboard session of the user (as `POST /dashboard/login` makes), fresh."""
    ctx = service_context()
    session_id, now = sessions.new_session_id(), ctx.now()
    record = SessionRecord(
        session_hash=sha256(session_id),
        user_id=user_id,
        tenant_id=tenant_id,
        created_at=now,
        expires_at=now + timedelta(hours=1),
        revoked_at=now if ended else None,
    )
    ctx.store.create(session_key(record.session_hash), stored(record))
    cookie = sessions.sign_session(session_id, key=key)
    return Visit({"session": cookie}, {}, sessions.csrf_token(session_id, key=SIGNING_KEY))


def _member(tenant: Callable[[World], SeededTenant], role: Role, *, claim: bool = False) -> Caller:
    """A fresh session of the tenant's member of `role` (naming the victim in `X-Tenant-Id`)."""

    def visit(world: World, url: str) -> Visit:
        seeded = tenant(world)
        found = session(seeded.users[role].user_id, seeded.tenant_id)
        claimed = {"X-Tenant-Id": world.victim.tenant_id} if claim else {}
        return Visit(found.cookies, claimed, found.csrf)

    return visit


def _owner(world: World) -> tuple[str, str]:
    return world.victim.users[Role.OWNER].user_id, world.victim.tenant_id


NOT_LOGGED_IN: dict[str, Caller] = {
    "no session": lambda w, url: Visit({}, {}),
    "malformed session cookie": lambda w, url: Visit({"session": "not-a-session"}, {}),
    "session signed with another key": lambda w, url: session(*_owner(w), key="x" * 48),
    "ended session": lambda w, url: session(*_owner(w), ended=True),
    "API key, no session": lambda w, url: Visit({}, {"X-API-Key": w.victim.keys[Role.OWNER]}),
    "access token, no session": lambda w, url: Visit(
        {}, {"Authorization": f"Bearer {w.victim.users[Role.OWNER].token}"}
    ),
}


def cells_of_page(route: Route, rule: Page | PublicForm) -> Iterator[PageCell]:
    if isinstance(rule, PublicForm):
        yield PageCell(route, "public form without its token", lambda w, url: Visit({}, {}), 403)
        yield PageCell(route, "public form with its token", _form_token, rule.ok)
        return
    for name, caller in NOT_LOGGED_IN.items():
        yield PageCell(route, name, caller, LOGIN)
    for role in Role:
        allowed = rule.permission is None or has_permission(role, rule.permission)
        yield PageCell(
            route, f"{role} of the tenant", _member(lambda w: w.victim, role), _own(rule, allowed)
        )
        has_param = "<" in route.path
        foreign = (404 if has_param else rule.foreign_ok) if allowed else 403
        for suffix, claim in (("", False), (" naming it in X-Tenant-Id", True)):
            caller = _member(lambda w: w.other, role, claim=claim)
            yield PageCell(route, f"{role} of another tenant{suffix}", caller, foreign, True)
    if route.method == "POST":
        yield PageCell(route, "owner without the CSRF token", _without_csrf, 403)


def _own(rule: Page, allowed: bool) -> int:
    return rule.ok if allowed else 403


def _without_csrf(world: World, url: str) -> Visit:
    found = session(*_owner(world))
    return Visit(found.cookies, {}, None)


def _form_token(world: World, url: str) -> Visit:
    """The browser's form cookie and the token its forms carry, from the login page."""
    page = requests.get(f"{url}/dashboard/login", timeout=10)
    token = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert token is not None, "the login page has no form token"
    return Visit({"form_nonce": page.cookies["form_nonce"]}, {}, token.group(1))


def send(cell: PageCell, world: World, url: str, path: str, form: dict[str, str]) -> Any:
    visit = cell.visit(world, url)
    fields = dict(form)
    if visit.csrf is not None:
        fields["form_token" if "form_nonce" in visit.cookies else "csrf_token"] = visit.csrf
    return requests.request(
        cell.route.method,
        url + path,
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in visit.cookies.items()),
            **visit.headers,
        },
        data=fields if cell.route.method == "POST" else None,
        allow_redirects=False,
        timeout=10,
    )


def check(cell: PageCell, response: Any, victim_tenant_id: str) -> None:
    status, text = response.status_code, response.text
    if cell.expect == LOGIN:
        assert status == 303, text
        assert response.headers["Location"].startswith("/dashboard/login"), response.headers
    elif cell.expect == ANY:
        assert status not in (401, 403) and status < 500, text
    else:
        assert status == cell.expect, text
    if status < 500:
        assert "text/html" in response.headers.get("Content-Type", "text/html"), response.headers
    if cell.foreign:
        assert victim_tenant_id not in text
