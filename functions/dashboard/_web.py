"""Rendering the dashboard: the Jinja environment (autoescaped), pages, redirects, error pages,
and the headers every page carries.

    @page
    def payments_page(request: Request) -> Response:
        shell = signed_in(request, "payments:read")
        return render(request, "payments.html", shell=shell, payments=...)

`page` turns what a view raises into what a browser should see: no session → a redirect to
the login page; an `AppError` → an HTML page with the error's status and a readable message;
anything else → a logged 500 page that says nothing about the cause.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Request, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core import logs
from core.errors import AppError, FormErrors, Unauthorized
from functions.dashboard import _format
from functions.dashboard._session import (
    Shell,
    clear_session_cookie,
    current_shell,
    form_nonce,
    set_form_cookie,
)

__all__ = [
    "asset_url",
    "error_page",
    "page",
    "redirect",
    "render",
    "render_form",
    "render_form_error",
    "require_fields",
    "secured",
]

HERE = Path(__file__).parent
STATIC = HERE / "static"
View = Callable[..., Response]

NOTICES = {
    "verified": "Your email address is verified.",
    "logged_out": "You are logged out.",
    "session_ended": "Your session has ended. Log in again to continue.",
    "signed_up": "We sent a 6-digit code to your email. It may take a minute to arrive.",
    "code_sent": "We sent a new code. It may take a minute to arrive.",
    "code_not_sent": "We couldn't send the email just now. Ask for a new code below.",
    "onboarded": "Your Stripe account is connected.",
    "onboarding_pending": "Stripe still needs some details. Continue onboarding when ready.",
    "refund_requested": "Refund requested. Stripe confirms it in the timeline below.",
    "capture_requested": "Capture requested. Stripe confirms it in the timeline below.",
    "cancel_requested": "Cancellation requested. Stripe confirms it in the timeline below.",
    "key_created": "API key created.",
    "key_revoked": "The API key is revoked. Requests made with it now fail.",
    "event_replayed": "The event was applied again.",
    "invited": "Invitation sent.",
    "invitation_resent": "A new invitation link was sent. The old one no longer works.",
    "invitation_revoked": "Invitation withdrawn. Its link no longer works.",
    "role_changed": "Role updated.",
    "member_removed": "Member removed.",
    "switched": "Switched business.",
    "joined": "You joined the team.",
}
TITLES = {
    400: "Check what you entered",
    401: "Log in to continue",
    403: "You don't have access to this",
    404: "We couldn't find that",
    405: "That isn't possible here",
    409: "That can't be done right now",
    413: "That request is too large",
    422: "That can't be done",
    429: "Too many attempts",
    502: "Stripe didn't answer",
    503: "Temporarily unavailable",
}
FRIENDLY = {
    "csrf_failed": "This form has expired. Go back, reload the page and try again.",
    "email_not_verified": "Verify your email address first: we sent you a 6-digit code.",
}


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        money=_format.format_money,
        amount_input=_format.format_amount_input,
        when=_format.format_time,
        short=_format.format_short,
        fact=_format.fact_label,
        signed=_format.signed_amount,
        day=_format.format_day,
        status_label=_format.status_label,
        event_status=_format.event_status_label,
        seconds=_format.format_seconds,
        tone=_format.status_tone,
        failure_reason=_format.failure_reason,
    )
    env.globals.update(asset=asset_url)
    return env


@functools.cache
def asset_url(name: str) -> str:
    """`/dashboard/static/NAME?v=HASH`: cacheable for a long time, new with every change."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/dashboard/static/{name}?v={digest}"


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    shell: Shell | None = None,
    **context: Any,
) -> Response:
    """The template as an HTML response; `notice` comes from `?notice=` (fixed messages only)."""
    values: dict[str, Any] = {
        "shell": shell,
        "path": request.path,
        "notice": NOTICES.get(request.args.get("notice", "")),
        "error": None,
        "form_token": None,
        "title": "",
    }
    values.update(context)
    html = environment().get_template(template).render(values)
    return secured(Response(html, status=status, mimetype="text/html"))


def render_form(request: Request, template: str, *, status: int = 200, **context: Any) -> Response:
    """A page with a pre-login form: it carries the browser's form token (see `_session`)."""
    nonce, token, new = form_nonce(request)
    response = render(request, template, status=status, form_token=token, **context)
    if new:
        set_form_cookie(response, nonce)
    return response


def require_fields(form: Mapping[str, str], messages: Mapping[str, str]) -> None:
    """`FormErrors` naming every field of `messages` left empty, in plain words (the API's
    messages name the parameter; a person filling a form needs the sentence)."""
    missing = {name: text for name, text in messages.items() if not form.get(name, "").strip()}
    if missing:
        raise FormErrors(missing)


def render_form_error(request: Request, template: str, error: AppError, **context: Any) -> Response:
    """The form again, with the error next to its field (or above the form)."""
    response = render_form(request, template, status=error.status, error=error, **context)
    response.headers.update(error.headers())
    return response


def redirect(path: str, *, notice: str | None = None, **params: str) -> Response:
    """A 303 to a page of the dashboard (after a form post: the browser then GETs it). `path`
    may carry a query of its own (a `next` such as `/invitations/accept?token=…`): `params` and
    `notice` are merged into it, never appended after it."""
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(params)
    if notice:
        query["notice"] = notice
    location = urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))
    return secured(Response(status=303, headers={"Location": location}))


def page(view: View) -> View:
    """Wrap a view so every outcome is a page (see the module docstring)."""

    @functools.wraps(view)
    def wrapped(request: Request, **params: Any) -> Response:
        try:
            return view(request, **params)
        except Unauthorized:
            return _to_login(request)
        except AppError as error:
            return error_page(request, error)
        except Exception:
            logs.log_unhandled_error(function="dashboard", path=request.path)
            return error_page(request, AppError("Something went wrong on our side"))

    return wrapped


def error_page(request: Request, error: AppError) -> Response:
    shell = current_shell(request)
    title = TITLES.get(error.status, "Something went wrong")
    message, detail = FRIENDLY.get(error.code, error.message if error.status < 500 else ""), ""
    if error.code == "insufficient_role" and shell is not None:
        message = (
            f"Your role at {shell.tenant_name} ({shell.role.value}) doesn't allow this. "
            "An owner or admin can give you another role on the Team page."
        )
        detail = error.message
    if error.status >= 500 and error.status != 502:
        message = "It has been logged. Try again in a moment."
    return render(
        request,
        "error.html",
        status=error.status,
        shell=shell,
        title=title,
        message=message,
        detail=detail,
        code=error.code,
    )


def _to_login(request: Request) -> Response:
    if request.method == "GET":
        target = request.full_path.rstrip("?")
        response = redirect("/dashboard/login", next=target)
    else:
        response = redirect("/dashboard/login", notice="session_ended")
    if request.cookies.get("session"):
        clear_session_cookie(response)
    return response


def secured(response: Response) -> Response:
    """Headers of every dashboard response: no caching of private pages, no framing, a
    content security policy that allows only this origin's scripts and styles."""
    headers = response.headers
    headers.setdefault("Cache-Control", "no-store")
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "base-uri 'self'; frame-ancestors 'none'; object-src 'none'"
    )
    return response
