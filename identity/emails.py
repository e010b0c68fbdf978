"""The identity flows' email messages (plain text and HTML)."""

from __future__ import annotations

import html

from identity.mail import EmailMessage

__all__ = ["invitation_email", "verification_email"]


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
