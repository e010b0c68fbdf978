"""A Mailgun-compatible mail capture for local development and tests (never deployed).

`python -m emulators.mail --host 127.0.0.1 --port N` accepts Mailgun's send endpoint
(`POST /v3/{domain}/messages`, basic auth `api:KEY`), keeps the messages in memory, serves an
inbox page at `/` listing them with their links and codes, and answers
`GET /messages?to=ADDRESS` with the captured messages as JSON, newest first.
"""

from __future__ import annotations

from emulators.mail.app import MailCapture, create_app

__all__ = ["MailCapture", "create_app"]
