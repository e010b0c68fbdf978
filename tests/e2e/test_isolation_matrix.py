"""The isolation matrix: every route of `functions.routes.ROUTES`, called by every kind of caller.

`ACCESS` gives each (method, path) its rule: `PUBLIC`, `Protected(permission, ...)`, or
`Internal(invoker)` (a queue's push or a scheduled job: only its invoker's credential, the stack's
`INTERNAL_TOKEN` here, gets past 401; every merchant credential is a 401); the dashboard's
HTML pages and forms have `Page(permission, ...)` and `PublicForm(...)`, whose cells (a browser
is sent to the login page, never answered 401) are described in `tests/e2e/page_cells.py`. A route
without an entry fails `test_every_route_has_an_access_rule`, so whoever adds a route adds its
row here (routes named here that do not exist yet are simply not called). For each protected
route the cells are:

- no credentials, a malformed token, a JWT signed with another key, an expired JWT, an unknown
  API key, a revoked API key → 401;
- each role of the right tenant, by JWT and by API key → the route's `ok` status if the role
  holds the permission (`auth.rbac`), else 403;
- each role of another tenant asking for the victim tenant with `X-Tenant-Id` → 403;
- each role of another tenant on the victim's resource (routes with a path parameter) → 404 if
  the role holds the permission (the resource does not exist in *its* tenant), else 403; and
  the answer never mentions the victim tenant.

To add your route: one row in `ACCESS`. Give `ok` (the status an allowed caller gets), `body`
(the JSON an allowed caller sends) and, for a path with a parameter, `resource`: a function
that creates a fresh resource in the given tenant and returns the path parameters (by default
a made-up id is used, so an allowed caller gets 404 — then set `ok=404`). While a route's
outcome depends on more than auth (Stripe, a body not yet described), `ok=LET_THROUGH` accepts
any status but 401/403 for allowed callers, and any 4xx/5xx but 401/403 for another tenant's
resource. The world (tenants "Victim" and "Other", each with a verified user and an API key of
every role: `tests/e2e/auth/helpers.seed_tenant`) is built once per module; the limiter's
counters are cleared before each cell.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

import bootstrap
from auth.principal import Principal, Role
from auth.rbac import has_permission
from auth.tokens import issue_access_token
from emulators import gcloud
from functions.routes import ROUTES, Route
from identity import api_keys, invitations
from identity.commands import CreateApiKey, Invite
from ledger.collections import DISPUTES, PAYMENTS
from ledger.store import DocKey
from tests.e2e import api_client
from tests.e2e.api.stack import connect_tenant
from tests.e2e.auth.helpers import (
    PASSWORD,
    SeededTenant,
    expired_token,
    seed_tenant,
    seed_user,
    service_context,
)
from tests.e2e.page_cells import (
    Page,
    PageCell,
    PublicForm,
    cells_of_page,
    check,
    send,
)
from tests.support.settings import INTERNAL_HEADERS
from tests.support.stacks import AuthStack, auth_server, stripe_emulator, stripe_env

Params = dict[str, str]
LET_THROUGH = 0  # `Protected(ok=LET_THROUGH)`: authorized callers get past auth, whatever follows
REFUSED = -1  # a foreign resource on a LET_THROUGH route: no success, no 401/403 (404 expected)


class Public:
    def __repr__(self) -> str:
        return "PUBLIC"


PUBLIC = Public()


@dataclass(frozen=True)
class Internal:
    """Called by Pub/Sub push or Cloud Scheduler only. Deployed without public access (Cloud
    IAM) and checked inside the function too (`functions._internal.require_internal_caller`: a
    Google ID token of the invoker's service account; locally, the stack's `INTERNAL_TOKEN`)."""

    invoker: str


@dataclass(frozen=True)
class Protected:
    permission: str | None  # None: any member of the tenant
    ok: int = 200  # or LET_THROUGH: anything but 401/403 (the outcome depends on more than auth)
    body: Callable[[], dict[str, Any]] | None = None
    resource: Callable[[SeededTenant], Params] | None = None
    users_only: bool = False  # API keys are refused (403) even with the permission


def new_viewer_key(tenant: SeededTenant) -> Params:
    owner = Principal(tenant.tenant_id, Role.OWNER, tenant.users[Role.OWNER].user_id, None, True)
    created = api_keys.create_api_key(service_context(), owner, CreateApiKey("matrix", Role.VIEWER))
    return {"key_id": created.record.key_id}


def new_viewer_member(tenant: SeededTenant) -> Params:
    return {"user_id": seed_user(service_context(), tenant.tenant_id, Role.VIEWER).user_id}


def new_pending_invitation(tenant: SeededTenant) -> Params:
    owner = Principal(tenant.tenant_id, Role.OWNER, tenant.users[Role.OWNER].user_id, None, True)
    email = f"pending-{uuid.uuid4().hex[:8]}@example.test"
    ctx = service_context()
    invitations.invite_member(ctx, owner, Invite(email, Role.VIEWER))
    [pending] = [i for i in invitations.list_invitations(ctx, owner) if i["email"] == email]
    return {"invitation_id": pending["id"]}


def new_invitation() -> dict[str, Any]:
    return {"email": f"invitee-{uuid.uuid4().hex[:8]}@example.test", "role": "viewer"}


def new_payment(tenant: SeededTenant) -> Params:
    """A captured payment of `tenant`, as the webhooks would have recorded it."""
    payment_id = f"pi_matrix_{uuid.uuid4().hex[:12]}"
    bootstrap.store().create(
        DocKey(PAYMENTS, payment_id),
        {
            "payment_id": payment_id,
            "tenant_id": tenant.tenant_id,
            "merchant_account_id": "acct_matrix",
            "payment_intent_id": payment_id,
            "status": "succeeded",
            "amount": 1000,
            "amount_captured": 1000,
            "currency": "usd",
            "created": int(datetime.now(UTC).timestamp()),
            "sources": {},
            "ledger": {},
        },
    )
    return {"payment_id": payment_id}


def new_dispute(tenant: SeededTenant) -> Params:
    dispute_id = f"dp_matrix_{uuid.uuid4().hex[:12]}"
    bootstrap.store().create(
        DocKey(DISPUTES, dispute_id),
        {
            "dispute_id": dispute_id,
            "tenant_id": tenant.tenant_id,
            "payment_id": "pi_matrix",
            "status": "needs_response",
            "amount": 1000,
            "currency": "usd",
            "created": 1,
        },
    )
    return {"dispute_id": dispute_id}


def new_checkout() -> dict[str, Any]:
    return {
        "line_items": [{"name": "Matrix", "unit_amount": 500, "quantity": 1, "currency": "usd"}],
        "success_url": "https://shop.example/ok",
        "cancel_url": "https://shop.example/cancel",
    }


def new_signup(world: Any) -> dict[str, str]:
    email = f"signup-{uuid.uuid4().hex[:8]}@example.test"
    return {"email": email, "password": PASSWORD, "business_name": "Matrix"}


def owner_login(world: Any) -> dict[str, str]:
    return {"email": world.victim.users[Role.OWNER].email, "password": PASSWORD}


API = "/api/v1"
DASH = "/dashboard"
Rule = Public | Internal | Protected | Page | PublicForm
ACCESS: dict[tuple[str, str], Rule] = {
    # discovery
    ("GET", API): PUBLIC,
    ("GET", "/health"): PUBLIC,
    ("GET", f"{API}/health"): PUBLIC,
    ("GET", f"{API}/health/ready"): PUBLIC,
    ("GET", f"{API}/openapi.yaml"): PUBLIC,
    # auth
    ("POST", f"{API}/signup"): PUBLIC,
    ("POST", f"{API}/verify-email"): PUBLIC,
    ("POST", f"{API}/verify-email-code"): PUBLIC,
    ("POST", f"{API}/verify-email/resend"): PUBLIC,
    ("POST", f"{API}/login"): PUBLIC,
    ("POST", f"{API}/token/refresh"): PUBLIC,
    ("POST", f"{API}/logout"): PUBLIC,
    ("POST", f"{API}/sessions"): PUBLIC,
    ("GET", f"{API}/me"): Protected(None),
    ("GET", f"{API}/api-keys"): Protected("api_keys:manage"),
    ("POST", f"{API}/api-keys"): Protected(
        "api_keys:manage", ok=201, body=lambda: {"name": "matrix", "role": "viewer"}
    ),
    ("DELETE", f"{API}/api-keys/<key_id>"): Protected("api_keys:manage", resource=new_viewer_key),
    ("GET", f"{API}/members"): Protected("members:read"),
    ("POST", f"{API}/members"): Protected("members:invite", ok=201, body=new_invitation),
    ("PATCH", f"{API}/members/<user_id>"): Protected(
        "members:manage", body=lambda: {"role": "viewer"}, resource=new_viewer_member
    ),
    ("DELETE", f"{API}/members/<user_id>"): Protected(
        "members:manage", ok=204, resource=new_viewer_member
    ),
    ("POST", f"{API}/invitations/join"): PUBLIC,
    ("GET", f"{API}/invitations"): Protected("members:invite"),
    ("POST", f"{API}/invitations/<invitation_id>/resend"): Protected(
        "members:invite", ok=201, resource=new_pending_invitation
    ),
    ("DELETE", f"{API}/invitations/<invitation_id>"): Protected(
        "members:invite", ok=204, resource=new_pending_invitation
    ),
    ("POST", f"{API}/invitations/accept"): Protected(
        None, ok=404, body=lambda: {"token": "not-an-invitation"}, users_only=True
    ),
    # webhooks (issue 4): active as soon as the routes are in the table
    ("POST", "/webhook"): PUBLIC,
    ("GET", f"{API}/webhook-events"): Protected("webhook_events:read"),
    ("POST", f"{API}/webhook-events/<event_id>/replay"): Protected("webhook_events:replay", ok=404),
    ("POST", "/tasks/apply-event"): Internal("the apply queue's ordered push subscription"),
    ("POST", "/tasks/process-event"): Internal("the retry queue's push subscription"),
    ("POST", "/jobs/retry-sweep"): Internal("Cloud Scheduler"),
    ("POST", "/jobs/expire-idempotency"): Internal("Cloud Scheduler"),
    # connect, checkout, payments, refunds, disputes (issue 6). The victim has an onboarded
    # account on the Stripe emulator (`world`); capture and cancel of a captured payment → 409.
    ("POST", f"{API}/connect/accounts"): Protected("connect:manage", body=dict),
    ("POST", f"{API}/connect/account-links"): Protected("connect:manage", ok=201, body=dict),
    ("GET", f"{API}/connect/account"): Protected("connect:manage"),
    ("GET", f"{API}/connect/express-login-link"): Protected("connect:manage"),
    ("POST", f"{API}/checkout-sessions"): Protected("checkout:create", ok=201, body=new_checkout),
    ("GET", f"{API}/payments"): Protected("payments:read"),
    ("GET", f"{API}/payments/<payment_id>"): Protected("payments:read", resource=new_payment),
    ("GET", f"{API}/payments/<payment_id>/timeline"): Protected(
        "payments:read", resource=new_payment
    ),
    ("POST", f"{API}/payments/<payment_id>/capture"): Protected(
        "payments:capture", ok=409, body=dict, resource=new_payment
    ),
    ("POST", f"{API}/payments/<payment_id>/cancel"): Protected(
        "payments:cancel", ok=409, body=dict, resource=new_payment
    ),
    ("POST", f"{API}/refunds"): Protected(
        "refunds:create", ok=404, body=lambda: {"payment_id": "pi_matrix_missing", "amount": 100}
    ),
    ("GET", f"{API}/refunds"): Protected("refunds:read"),
    ("GET", f"{API}/disputes"): Protected("disputes:read"),
    ("GET", f"{API}/disputes/<dispute_id>"): Protected("disputes:read", resource=new_dispute),
    # dashboard (issue 8): HTML pages and forms on the session cookie (tests/e2e/page_cells.py)
    ("GET", "/"): PUBLIC,
    ("GET", f"{DASH}/static/<name>"): PUBLIC,
    ("GET", f"{DASH}/signup"): PUBLIC,
    ("POST", f"{DASH}/signup"): PublicForm(303, form=new_signup),
    ("GET", f"{DASH}/login"): PUBLIC,
    ("POST", f"{DASH}/login"): PublicForm(303, form=owner_login),
    ("GET", f"{DASH}/verify"): PUBLIC,
    ("POST", f"{DASH}/verify"): PublicForm(
        400, form=lambda w: {**owner_login(w), "code": "000000"}
    ),
    ("POST", f"{DASH}/verify/resend"): PublicForm(303, form=owner_login),
    ("GET", "/verify-email"): PUBLIC,
    ("GET", "/invitations/accept"): PUBLIC,  # names the invitation; a bad token: 404
    ("POST", "/invitations/accept"): Page(None, ok=404, form=lambda w: {"token": "not-one"}),
    ("POST", "/invitations/join"): PublicForm(
        404, form=lambda w: {"token": "not-one", "password": PASSWORD}
    ),
    ("POST", f"{DASH}/logout"): Page(None, ok=303),
    ("POST", f"{DASH}/switch-tenant"): Page(
        None, ok=303, form=lambda w: {"tenant_id": w.victim.tenant_id}, foreign_ok=403
    ),
    ("GET", DASH): Page("payments:read"),
    ("POST", f"{DASH}/connect/onboard"): Page("connect:manage", ok=303),
    ("GET", f"{DASH}/connect/return"): Page("connect:manage", ok=303),
    ("GET", f"{DASH}/connect/refresh"): Page("connect:manage", ok=303),
    ("POST", f"{DASH}/connect/express"): Page("connect:manage", ok=303),
    ("GET", f"{DASH}/payments"): Page("payments:read"),
    ("GET", f"{DASH}/payments/<payment_id>"): Page("payments:read", resource=new_payment),
    ("POST", f"{DASH}/payments/<payment_id>/capture"): Page(
        "payments:capture", ok=409, resource=new_payment
    ),
    ("POST", f"{DASH}/payments/<payment_id>/cancel"): Page(
        "payments:cancel", ok=409, resource=new_payment
    ),
    ("POST", f"{DASH}/payments/<payment_id>/refund"): Page(  # unconfirmed: the confirmation page
        "refunds:create", form=lambda w: {"amount": "1.00"}, resource=new_payment
    ),
    ("GET", f"{DASH}/refunds"): Page("refunds:read"),
    ("GET", f"{DASH}/disputes"): Page("disputes:read"),
    ("GET", f"{DASH}/developers/api-keys"): Page("api_keys:manage"),
    ("POST", f"{DASH}/developers/api-keys"): Page(
        "api_keys:manage", ok=303, form=lambda w: {"name": "matrix", "role": "viewer"}
    ),
    ("POST", f"{DASH}/developers/api-keys/<key_id>/revoke"): Page(
        "api_keys:manage", ok=303, resource=new_viewer_key
    ),
    ("GET", f"{DASH}/developers/webhooks"): Page("webhook_events:read"),
    ("POST", f"{DASH}/developers/webhooks/<event_id>/replay"): Page(
        "webhook_events:replay", ok=404
    ),
    ("GET", f"{DASH}/team"): Page("members:read"),
    ("POST", f"{DASH}/team/invitations"): Page(
        "members:invite", ok=303, form=lambda w: new_invitation()
    ),
    ("POST", f"{DASH}/team/invitations/<invitation_id>/resend"): Page(
        "members:invite", ok=303, resource=new_pending_invitation
    ),
    ("POST", f"{DASH}/team/invitations/<invitation_id>/revoke"): Page(
        "members:invite", ok=303, resource=new_pending_invitation
    ),
    ("POST", f"{DASH}/team/members/<user_id>/role"): Page(
        "members:manage", ok=303, form=lambda w: {"role": "viewer"}, resource=new_viewer_member
    ),
    ("POST", f"{DASH}/team/members/<user_id>/remove"): Page(
        "members:manage", ok=303, resource=new_viewer_member
    ),
}


@dataclass
class World:
    stack: AuthStack
    victim: SeededTenant
    other: SeededTenant
    revoked_key: str
    extra: dict[str, Any] = field(default_factory=dict)


Caller = Callable[[World], dict[str, str]]


@dataclass(frozen=True)
class Cell:
    route: Route
    caller: str
    headers: Caller
    expect: int | None  # None: a public route, anything but 401/403/5xx; or LET_THROUGH
    foreign: bool = False  # the resource belongs to the victim; the caller to the other tenant

    @property
    def id(self) -> str:
        return f"{self.route.method} {self.route.path} | {self.caller}"


def _garbage(world: World) -> dict[str, str]:
    return {"Authorization": "Bearer not.a.jwt"}


def _wrong_key(world: World) -> dict[str, str]:
    user = world.victim.users[Role.OWNER]
    token = issue_access_token(
        key="another-signing-key-" + "x" * 32,
        user_id=user.user_id,
        tenant_id=world.victim.tenant_id,
        now=datetime.now(UTC),
    )
    return {"Authorization": f"Bearer {token}"}


FAILURES: dict[str, Caller] = {
    "no credentials": lambda w: {},
    "malformed token": _garbage,
    "token signed with another key": _wrong_key,
    "expired token": lambda w: {
        "Authorization": "Bearer "
        + expired_token(w.victim.users[Role.OWNER].user_id, w.victim.tenant_id)
    },
    "unknown api key": lambda w: {"X-API-Key": "sk_test_" + "A" * 48},
    "revoked api key": lambda w: {"Authorization": f"Bearer {w.revoked_key}"},
}


def _own(role: Role, via: str) -> Caller:
    return lambda w: w.victim.headers(role, via=via)


def _foreign(role: Role, *, claim_victim: bool) -> Caller:
    def headers(w: World) -> dict[str, str]:
        found = w.other.headers(role)
        return {**found, "X-Tenant-Id": w.victim.tenant_id} if claim_victim else found

    return headers


def internal_cells(route: Route, rule: Internal) -> Iterator[Cell]:
    """Issue 14, item 10: these routes took any caller that reached them."""
    wrong = {"Authorization": "Bearer " + "not-the-internal-token-" + "x" * 20}
    failures = {**FAILURES, "a wrong internal token": lambda w: wrong}
    for name, caller in failures.items():
        yield Cell(route, name, caller, 401)
    for role in Role:
        for via in ("jwt", "api_key"):
            yield Cell(route, f"{role} of the tenant by {via}", _own(role, via), 401)
    yield Cell(route, rule.invoker, lambda w: INTERNAL_HEADERS, None)


def cells_of(route: Route, rule: Rule) -> Iterator[Cell]:
    if isinstance(rule, Page | PublicForm):  # pages: PAGE_CELLS
        return
    if isinstance(rule, Internal):
        yield from internal_cells(route, rule)
        return
    if isinstance(rule, Public):
        yield Cell(route, "public, no credentials", lambda w: {}, None)
        yield Cell(route, "public, malformed token", _garbage, None)
        return
    for name, caller in FAILURES.items():
        yield Cell(route, name, caller, 401)
    for role in Role:
        allowed = rule.permission is None or has_permission(role, rule.permission)
        for via in ("jwt", "api_key"):
            refused = via == "api_key" and rule.users_only
            expect = rule.ok if allowed and not refused else 403
            yield Cell(route, f"{role} of the tenant by {via}", _own(role, via), expect)
        yield Cell(
            route, f"{role} of another tenant claiming it", _foreign(role, claim_victim=True), 403
        )
        if "<" in route.path:
            expect = (404 if rule.ok != LET_THROUGH else REFUSED) if allowed else 403
            caller = _foreign(role, claim_victim=False)
            yield Cell(route, f"{role} of another tenant", caller, expect, foreign=True)


CELLS = [
    cell
    for route in ROUTES
    if (route.method, route.path) in ACCESS
    for cell in cells_of(route, ACCESS[(route.method, route.path)])
]
PAGE_CELLS = [
    cell
    for route in ROUTES
    if isinstance(rule := ACCESS.get((route.method, route.path)), Page | PublicForm)
    for cell in cells_of_page(route, rule)
]


def test_every_route_has_an_access_rule() -> None:
    missing = [f"{r.method} {r.path}" for r in ROUTES if (r.method, r.path) not in ACCESS]
    assert missing == [], "add these routes to ACCESS in tests/e2e/test_isolation_matrix.py"


@pytest.fixture(scope="module")
def world(firestore_emulator: gcloud.RunningEmulator, mail_capture: str) -> Iterator[World]:
    gcloud.reset_firestore(firestore_emulator.host_port, os.environ["GOOGLE_CLOUD_PROJECT"])
    bootstrap.reset()
    victim, other = seed_tenant("Victim"), seed_tenant("Other")
    revoked = seed_tenant("Revoked").keys[Role.ADMIN]
    from identity.api_keys import find_by_prefix
    from identity.records import api_key_key

    ctx = service_context()
    for record in find_by_prefix(ctx.store, revoked[:16]):
        ctx.store.update(api_key_key(record.key_id), {"revoked_at": ctx.now()})
    stripe_port = gcloud.free_port()
    with (
        stripe_emulator(stripe_port) as stripe,
        auth_server(mail_capture, **stripe_env(stripe_port)) as stack,
    ):
        connect_tenant(stripe.url, victim.tenant_id)
        yield World(stack, victim, other, revoked)
    bootstrap.reset()


@pytest.fixture(autouse=True)
def no_rate_limits(world: World) -> None:
    """Each cell starts with fresh limiter counters (the matrix makes many failed calls)."""
    db = bootstrap.firestore_client()
    for snapshot in db.collection("rate_limits").stream():
        snapshot.reference.delete()


def _path(route: Route, world: World, cell: Cell | PageCell) -> str:
    rule = ACCESS[(route.method, route.path)]
    params: Params = {}
    if isinstance(rule, Protected | Page) and "<" in route.path:
        if rule.resource is not None and (cell.expect == rule.ok or cell.foreign):
            params = rule.resource(world.victim)
        path = route.path
        for segment in path.split("/"):
            if segment.startswith("<"):
                name = segment.strip("<>").split(":")[-1]
                path = path.replace(segment, params.get(name, f"matrix_missing_{name}"))
        return path
    return route.path


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_cell(world: World, cell: Cell) -> None:
    rule = ACCESS[(cell.route.method, cell.route.path)]
    body = rule.body() if isinstance(rule, Protected) and rule.body else {}
    response = api_client.request(
        cell.route.method,
        world.stack.url,
        _path(cell.route, world, cell),
        headers=cell.headers(world),
        json=body if cell.route.method != "GET" else None,
    )
    if cell.expect is None:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
    elif cell.expect == LET_THROUGH:
        assert response.status_code not in (401, 403), response.text
    elif cell.expect == REFUSED:
        assert response.status_code >= 400, response.text
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == cell.expect, response.text
    if cell.foreign or "another tenant" in cell.caller:
        assert world.victim.tenant_id not in response.text


@pytest.mark.parametrize("cell", PAGE_CELLS, ids=[cell.id for cell in PAGE_CELLS])
def test_page_cell(world: World, cell: PageCell) -> None:
    rule = ACCESS[(cell.route.method, cell.route.path)]
    assert isinstance(rule, Page | PublicForm)
    form = rule.form(world) if rule.form is not None else {}
    response = send(cell, world, world.stack.url, _path(cell.route, world, cell), form)
    check(cell, response, world.victim.tenant_id)
