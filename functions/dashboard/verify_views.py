"""Verifying the email address: the 6-digit code (with a re-send) and the emailed link."""

from __future__ import annotations

from flask import Request, Response

import bootstrap
from core.errors import AppError, RateLimited, ValidationError
from functions._auth import client_address
from functions.dashboard._session import check_form_token, safe_next, signed_in
from functions.dashboard._web import page, redirect, render, render_form, render_form_error
from functions.dashboard.account_views import FORM_ERRORS
from identity.commands import ResendVerification, VerifyCode, VerifyEmailLink

__all__ = ["resend_code", "verify_code", "verify_link", "verify_page"]


@page
def verify_page(request: Request) -> Response:
    email, is_signed_in = request.args.get("email", ""), False
    if request.cookies.get("session"):
        try:
            shell = signed_in(request)
        except AppError:
            pass
        else:
            if shell.verified:
                return redirect("/dashboard")
            email, is_signed_in = shell.email, True
    return render_form(
        request,
        "verify.html",
        title="Verify your email",
        email=email,
        signed_in=is_signed_in,
        next=safe_next(request.args.get("next")),
    )


@page
def verify_code(request: Request) -> Response:
    check_form_token(request)
    form = dict(request.form)
    next_page = safe_next(form.get("next"))
    try:
        command = VerifyCode.from_body(form)
        bootstrap.handle(command, client=client_address(request))
    except FORM_ERRORS as error:
        return _verify_error(request, error, form.get("email", ""), next_page)
    if request.cookies.get("session"):
        return redirect(next_page, notice="verified")
    return redirect("/dashboard/login", notice="verified", email=command.email, next=next_page)


@page
def resend_code(request: Request) -> Response:
    check_form_token(request)
    form = dict(request.form)
    next_page = safe_next(form.get("next"))
    try:
        resend = ResendVerification.from_body(form)
        bootstrap.handle(resend)
    except AppError as error:
        return _verify_error(request, error, form.get("email", ""), next_page)
    return redirect("/dashboard/verify", notice="code_sent", email=resend.email, next=next_page)


@page
def verify_link(request: Request) -> Response:
    """The link of the verification email (`/verify-email?token=…`) verifies on arrival."""
    try:
        command = VerifyEmailLink.from_body(dict(request.args))
        bootstrap.handle(command, client=client_address(request))
    except (ValidationError, RateLimited) as error:
        return render(request, "verify_link.html", status=error.status, title="Verify", error=error)
    return render(request, "verify_link.html", title="Email verified")


def _verify_error(request: Request, error: AppError, email: str, next_page: str) -> Response:
    return render_form_error(
        request,
        "verify.html",
        error,
        title="Verify your email",
        email=email,
        signed_in=bool(request.cookies.get("session")),
        next=next_page,
    )
