"""The identity flows' email messages (plain text and HTML)."""

from __future__ import annotations

import html

from identity.mail import EmailMessage

__all__ = ["account_exists_email", "invitation_email", "verification_email"]


def verification_email(*, to: str, link: str, code: str, hours: int) -> EmailMessage:
    text = (
        "Welcome to Payment Event Processor.\n\n"
        f"Verify your email address by opening this link:\n{link}\n\n"
        f"or by entering this code: {code}\n\n"
        f"Both expire in {hours} hours. If you did not sign up, ignore this message.\n"
    )
    body = (
        "<p>Welcome to Payment Event Processor.</p>"
        f'<p><a href="{html.escape(link)}">Verify your email address</a></p>'
        f"<p>or enter this code: <strong>{code}</strong></p>"
        f"<p>Both expire in {hours} hours. If you did not sign up, ignore this message.</p>"
    )
    return EmailMessage(to=to, subject=f"Your verification code: {code}", text=text, html=body)


def account_exists_email(*, to: str, login_link: str) -> EmailMessage:
    """To the owner of an address someone signed up with again: the sign-up answered as
    usual (it tells no one who has an account) and changed nothing."""
    text = (
        "Someone, perhaps you, tried to create a Payment Event Processor account with this "
        "address. It already has an account, so nothing was created or changed.\n\n"
        f"If it was you, log in instead:\n{login_link}\n\n"
        "If it was not you, you can ignore this message.\n"
    )
    body = (
        "<p>Someone, perhaps you, tried to create a Payment Event Processor account with this "
        "address. It already has an account, so nothing was created or changed.</p>"
        f'<p>If it was you, <a href="{html.escape(login_link)}">log in instead</a>.</p>'
        "<p>If it was not you, you can ignore this message.</p>"
    )
    subject = "This address already has an account"
    return EmailMessage(to=to, subject=subject, text=text, html=body)


def invitation_email(*, to: str, link: str, tenant_name: str, role: str) -> EmailMessage:
    name = tenant_name or "a team"
    text = (
        f"You have been invited to join {name} on Payment Event Processor as {role}.\n\n"
        f"Accept the invitation (sign up or log in first with this address):\n{link}\n"
    )
    body = (
        f"<p>You have been invited to join <strong>{html.escape(name)}</strong> "
        f"as {html.escape(role)}.</p>"
        f'<p><a href="{html.escape(link)}">Accept the invitation</a> '
        "(sign up or log in first with this address).</p>"
    )
    # the subject carries no text a user chose (a business name could be a phishing line)
    subject = "You have been invited to a team on Payment Event Processor"
    return EmailMessage(to=to, subject=subject, text=text, html=body)
