"""The Mailgun adapter against the Mailgun-compatible capture (`emulators.mail`)."""

from __future__ import annotations

import pytest
import requests

from core.errors import MailSendFailed
from core.settings import Secret
from identity.mail import EmailMessage, MailgunMailer

MESSAGE = EmailMessage(
    to="someone@example.test", subject="Hello", text="code 123456", html="<p>hi</p>"
)


def mailer(base: str, *, key: str = "key-1", domain: str = "mg.test") -> MailgunMailer:
    return MailgunMailer(api_base=base, domain=domain, api_key=Secret(key, project="p"))


def test_sends_through_mailguns_http_api(mail_capture: str) -> None:
    requests.delete(f"{mail_capture}/messages", timeout=5)
    mailer(mail_capture).send(MESSAGE)
    [captured] = requests.get(
        f"{mail_capture}/messages", params={"to": MESSAGE.to}, timeout=5
    ).json()["items"]
    assert captured["subject"] == "Hello"
    assert captured["text"] == "code 123456"
    assert captured["html"] == "<p>hi</p>"
    assert captured["from"].endswith("@mg.test>")
    assert captured["codes"] == ["123456"]
    assert "key-1" not in repr(mailer(mail_capture))


def test_every_failure_raises(mail_capture: str) -> None:
    requests.post(f"{mail_capture}/control/fail-next", json={"count": 1}, timeout=5)
    with pytest.raises(MailSendFailed) as server_error:
        mailer(mail_capture).send(MESSAGE)
    assert server_error.value.status == 502
    with pytest.raises(MailSendFailed):
        mailer("http://127.0.0.1:9").send(MESSAGE)  # nothing listens there
    with pytest.raises(MailSendFailed):
        mailer(mail_capture, key="").send(MESSAGE)  # not configured
