"""Sending email: the `AbstractMailer` port and its Mailgun adapter.

`MailgunMailer` posts to Mailgun's HTTP API (`POST {base}/v3/{domain}/messages`, basic auth
`api:KEY`); locally `MAILGUN_API_BASE` points it at the mail capture (`python -m emulators.mail`).
A failed send raises `MailSendFailed` (502): callers report it, never drop it.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

from core.errors import MailSendFailed
from core.settings import Secret

__all__ = ["AbstractMailer", "EmailMessage", "MailgunMailer"]


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str


class AbstractMailer(abc.ABC):
    @abc.abstractmethod
    def send(self, message: EmailMessage) -> None:
        """Hand the message to the mail service; `MailSendFailed` if it was not accepted."""


class MailgunMailer(AbstractMailer):
    def __init__(
        self, *, api_base: str, domain: str, api_key: Secret, timeout: float = 10.0
    ) -> None:
        self._api_base = api_base.rstrip("/")
        self._domain = domain
        self._api_key = api_key
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"MailgunMailer(api_base={self._api_base!r}, domain={self._domain!r})"

    def send(self, message: EmailMessage) -> None:
        import requests  # only a function that sends mail pays for the import

        if not self._domain or not self._api_key:
            raise MailSendFailed("Email is not configured (MAILGUN_DOMAIN, MAILGUN_API_KEY)")
        try:
            response = requests.post(
                f"{self._api_base}/v3/{self._domain}/messages",
                auth=("api", self._api_key.reveal()),
                data={
                    "from": f"Payment Event Processor <no-reply@{self._domain}>",
                    "to": message.to,
                    "subject": message.subject,
                    "text": message.text,
                    "html": message.html,
                },
                timeout=self._timeout,
            )
        except requests.RequestException:
            raise MailSendFailed("The email could not be sent; try again later") from None
        if not response.ok:
            raise MailSendFailed(
                f"The email could not be sent (mail service answered {response.status_code})"
            )
