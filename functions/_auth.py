"""The authentication edge every function uses: who is calling, for which tenant, allowed to?

    from functions._auth import require

    def list_payments(request: Request) -> Response:
        principal = require(request, "payments:read")
        ...  # every read and query filters by principal.tenant_id

`require(request, permission) -> auth.Principal` (`authenticate(request)` is the same without
the permission check, for routes open to any member):

1. reads the credential — `Authorization: Bearer sk_test_…`/`sk_live_…` or `X-API-Key` (an API
   key), `Authorization: Bearer <access JWT>`, or the dashboard's `session` cookie — and
   resolves it against Firestore (a revoked key, an ended session or a removed user fail);
2. applies `X-Tenant-Id`: it must be one of the user's memberships (or the key's tenant), else
   403; without it the token's (or session's) default tenant is in effect;
3. for a session cookie on a state-changing method, checks the CSRF token (`X-CSRF-Token`
   header or `csrf_token` form field);
4. checks `permission` against the role matrix (`auth.rbac`), including the verified-email rule.

It raises `Unauthorized` (401: no, malformed, bad, expired or revoked credential), `Forbidden`
(403: not a member of that tenant, role too weak, email not verified, CSRF) or `RateLimited`
(429: too many API-key failures from this client). A resource of another tenant must answer 404
(look it up with the principal's tenant), never 403.

The internal routes (`/tasks/*`, `/jobs/*`) take no merchant credential: see
`functions._internal`.
"""

from __future__ import annotations

from flask import Request

import bootstrap
from auth.credentials import read_credential
from auth.principal import Principal
from auth.rbac import authorize
from core.settings import get_settings
from identity.principals import authenticate as resolve

__all__ = ["authenticate", "client_address", "is_cross_site", "require"]


def authenticate(request: Request) -> Principal:
    """The caller as a `Principal` for the tenant in effect (see the module docstring)."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    credential = read_credential(headers, request.cookies)  # none: 401 before any lookup
    csrf = headers.get("x-csrf-token") or _form_field(request, "csrf_token")
    return resolve(
        bootstrap.auth_context(),
        credential,
        tenant_id=headers.get("x-tenant-id", "").strip() or None,
        method=request.method,
        csrf_token=csrf,
        client=client_address(request),
        cross_site=is_cross_site(request),
    )


def require(request: Request, permission: str) -> Principal:
    """`authenticate`, then check that the principal's role holds `permission`."""
    principal = authenticate(request)
    authorize(principal, permission)
    return principal


def client_address(request: Request) -> str:
    """The caller's address, for rate limits. With `TRUSTED_PROXY_HOPS` = N proxies in front
    (Google's front end of a deployed function: 1), the address the first of them saw: the Nth
    `X-Forwarded-For` entry from the right (the ones before it are whatever the client sent).
    With none (locally: 0, the default), or a header shorter than the proxies that should have
    written it, the socket's peer: a client cannot pick its own bucket."""
    trusted = get_settings().trusted_proxy_hops
    forwarded = request.headers.get("X-Forwarded-For", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if trusted and len(hops) >= trusted:
        return hops[-trusted]
    return request.remote_addr or "unknown"


def is_cross_site(request: Request) -> bool:
    """Did another site make the browser send this? `Sec-Fetch-Site` when the browser sends it
    (only `same-origin` and `none`, a typed URL, are this site), else an `Origin` that is not
    this request's own. A client that is not a browser sends neither: not cross-site."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is not None and origin.rstrip("/") != request.host_url.rstrip("/")


def _form_field(request: Request, name: str) -> str | None:
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    return request.form.get(name) or None
