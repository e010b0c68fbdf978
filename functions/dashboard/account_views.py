"""Accounts in the dashboard: sign up, log in, log out. The same services as
`functions/auth.py`; a form with a mistake comes back with the message next to its field."""

from __future__ import annotations

from typing import Any

from flask import Request, Response

import bootstrap
from auth.passwords import MIN_LENGTH
from core.errors import Conflict, RateLimited, Unauthorized, ValidationError
from functions._auth import client_address
from functions.dashboard._session import (
    check_form_token,
    clear_session_cookie,
    safe_next,
    set_session_cookie,
    signed_in,
)
from functions.dashboard._web import (
    page,
    redirect,
    render_form,
    render_form_error,
    require_fields,
)
from identity.commands import LogOut, OpenSession, Signup

__all__ = ["log_in", "log_out", "login_page", "root", "sign_up", "signup_page"]

FORM_ERRORS = (ValidationError, Conflict, Unauthorized, RateLimited)
SIGNUP_FIELDS = {
    "business_name": "Enter your business name.",
    "email": "Enter your work email address.",
    "password": "Choose a password.",
}
LOGIN_FIELDS = {"email": "Enter your email address.", "password": "Enter your password."}


def root(request: Request) -> Response:
    return redirect("/dashboard")


@page
def signup_page(request: Request) -> Response:
    values = {"business_name": "", "email": ""}
    next_page = safe_next(request.args.get("next"))
    return _signup_form(request, values=values, next=next_page)


@page
def sign_up(request: Request) -> Response:
    """Create the account, then ask for the emailed code. No session yet, whether or not the
    address was new: logging straight in would tell a stranger which addresses have accounts."""
    check_form_token(request)
    form = dict(request.form)
    next_page = safe_next(form.get("next"))
    try:
        require_fields(form, SIGNUP_FIELDS)
        command = Signup.from_body(form)
        result = bootstrap.handle(command, client=client_address(request))
    except FORM_ERRORS as error:
        values = {"business_name": form.get("business_name", ""), "email": form.get("email", "")}
        return render_form_error(
            request,
            "signup.html",
            error,
            title="Sign up",
            values=values,
            next=next_page,
            min_password=MIN_LENGTH,
        )
    notice = "signed_up" if result.email_sent else "code_not_sent"
    return redirect("/dashboard/verify", notice=notice, email=result.email, next=next_page)


@page
def login_page(request: Request) -> Response:
    next_page, email = safe_next(request.args.get("next")), request.args.get("email", "")
    return render_form(request, "login.html", title="Log in", email=email, next=next_page)


@page
def log_in(request: Request) -> Response:
    check_form_token(request)
    form = dict(request.form)
    next_page = safe_next(form.get("next"))
    try:
        require_fields(form, LOGIN_FIELDS)
        command = OpenSession.from_body(form)
        session = bootstrap.handle(command, client=client_address(request))
    except FORM_ERRORS as error:
        email = form.get("email", "")
        return render_form_error(
            request, "login.html", error, title="Log in", email=email, next=next_page
        )
    response = redirect(next_page)
    set_session_cookie(response, session.cookie, max_age=session.max_age)
    return response


@page
def log_out(request: Request) -> Response:
    response = redirect("/dashboard/login", notice="logged_out")
    try:
        shell = signed_in(request)  # a live session: the form must carry its CSRF token
    except Unauthorized:
        clear_session_cookie(response)
        return response
    bootstrap.handle(LogOut(session_id=shell.principal.session_id))
    clear_session_cookie(response)
    return response


def _signup_form(request: Request, **context: Any) -> Response:
    return render_form(request, "signup.html", title="Sign up", min_password=MIN_LENGTH, **context)
