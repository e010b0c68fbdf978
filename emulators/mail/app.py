"""The mail capture's store and its Flask app."""

from __future__ import annotations

import html
import itertools
import re
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, jsonify, request

__all__ = ["CapturedMessage", "MailCapture", "create_app"]

_LINK = re.compile(r"https?://[^\s\"'<>]+")
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


@dataclass(frozen=True)
class CapturedMessage:
    id: str
    domain: str
    sender: str
    to: str
    subject: str
    text: str
    html: str
    received_at: str
    links: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["from"] = body.pop("sender")
        return body


class MailCapture:
    """Captured messages, newest first; thread-safe. `fail_next` makes sends answer 500."""

    def __init__(self, *, api_key: str | None = None) -> None:
        self.api_key = api_key
        self._messages: list[CapturedMessage] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.fail_next = 0

    def add(self, domain: str, form: dict[str, str]) -> CapturedMessage:
        text = form.get("text", "")
        with self._lock:
            message = CapturedMessage(
                id=f"<{next(self._ids):06d}.capture@{domain}>",
                domain=domain,
                sender=form.get("from", ""),
                to=form.get("to", ""),
                subject=form.get("subject", ""),
                text=text,
                html=form.get("html", ""),
                received_at=datetime.now(UTC).isoformat(),
                links=list(dict.fromkeys(_LINK.findall(text))),
                codes=list(dict.fromkeys(_CODE.findall(text))),
            )
            self._messages.insert(0, message)
            return message

    def messages(self, to: str | None = None) -> list[CapturedMessage]:
        with self._lock:
            found = list(self._messages)
        if to:
            wanted = to.strip().lower()
            found = [m for m in found if wanted in _addresses(m.to)]
        return found

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


_ADDRESS = re.compile(r"[^\s<>,\"]+@[^\s<>,\"]+")


def _addresses(field_value: str) -> set[str]:
    return {address.lower() for address in _ADDRESS.findall(field_value)}


def create_app(capture: MailCapture | None = None) -> Flask:
    store = capture or MailCapture()
    app = Flask("mail-capture")

    @app.post("/v3/<domain>/messages")
    def send(domain: str) -> tuple[Response, int]:
        auth = request.authorization
        if auth is None or auth.username != "api" or not auth.password:
            return jsonify(message="Forbidden"), 401
        if store.api_key is not None and auth.password != store.api_key:
            return jsonify(message="Forbidden"), 401
        if store.fail_next > 0:
            store.fail_next -= 1
            return jsonify(message="Internal error (simulated by the mail capture)"), 500
        if not request.form.get("to") or not request.form.get("from"):
            return jsonify(message="'to' and 'from' parameters are missing"), 400
        message = store.add(domain, request.form.to_dict())
        return jsonify(id=message.id, message="Queued. Thank you."), 200

    @app.get("/messages")
    def list_messages() -> Response:
        found = store.messages(request.args.get("to"))
        return jsonify(items=[m.as_json() for m in found], total_count=len(found))

    @app.delete("/messages")
    def clear_messages() -> tuple[str, int]:
        store.clear()
        return "", 204

    @app.post("/control/fail-next")
    def fail_next() -> Response:
        store.fail_next = int((request.get_json(silent=True) or {}).get("count", 1))
        return jsonify(fail_next=store.fail_next)

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok")

    @app.get("/")
    def inbox() -> Response:
        return Response(_inbox_page(store.messages()), mimetype="text/html")

    return app


def _inbox_page(messages: list[CapturedMessage]) -> str:
    rows = "".join(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>".format(
            html.escape(m.received_at),
            html.escape(m.to),
            html.escape(m.subject),
            "<br>".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in m.links),
            "<br>".join(f"<strong>{c}</strong>" for c in m.codes),
        )
        for m in messages
    )
    empty = "" if messages else "<p>No messages yet.</p>"
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Mail capture</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.4em;text-align:left;"
        "vertical-align:top;border-bottom:1px solid #ddd}</style></head><body>"
        f"<h1>Mail capture</h1><p>{len(messages)} message(s), newest first. "
        "JSON: <code>/messages?to=ADDRESS</code></p>"
        "<table><tr><th>received</th><th>to</th><th>subject</th><th>links</th><th>codes</th>"
        f"</tr>{rows}</table>{empty}</body></html>"
    )
