"""The Mailgun-compatible mail capture: Mailgun's send endpoint, the JSON API, the inbox page."""

from __future__ import annotations

import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from emulators.gcloud import free_port
from emulators.mail import MailCapture, create_app
from emulators.stack import mail_command
from tests.support.stacks import running


def send(client: FlaskClient, to: str, text: str, *, key: str = "key-1") -> TestResponse:
    return client.post(
        "/v3/mg.test/messages",
        data={"from": "App <no-reply@mg.test>", "to": to, "subject": "Hi", "text": text},
        auth=("api", key),
    )


def test_captures_sends_and_lists_them_newest_first_by_recipient() -> None:
    client = create_app(MailCapture()).test_client()
    first = send(client, "a@example.test", "open http://x.test/verify?token=abc.def or 123456")
    assert first.status_code == 200
    assert first.get_json()["message"] == "Queued. Thank you."
    send(client, "b@example.test", "other")
    send(client, "A@example.test", "second 654321")

    items = client.get("/messages", query_string={"to": "a@example.test"}).get_json()["items"]
    assert [m["text"] for m in items] == ["second 654321", items[1]["text"]]
    assert items[1]["links"] == ["http://x.test/verify?token=abc.def"]
    assert items[1]["codes"] == ["123456"]
    assert {"to", "subject", "text", "html", "received_at"} <= set(items[0])
    assert items[0]["received_at"] >= items[1]["received_at"]
    assert len(client.get("/messages").get_json()["items"]) == 3

    page = client.get("/").get_data(as_text=True)
    assert "http://x.test/verify?token=abc.def" in page and "654321" in page


def test_refuses_missing_auth_a_wrong_key_and_simulates_failures() -> None:
    client = create_app(MailCapture(api_key="key-1")).test_client()
    no_auth = client.post("/v3/mg.test/messages", data={"to": "a@x.test", "from": "f@x.test"})
    assert no_auth.status_code == 401
    assert send(client, "a@x.test", "t", key="wrong").status_code == 401
    client.post("/control/fail-next", json={"count": 1})
    assert send(client, "a@x.test", "t").status_code == 500
    assert send(client, "a@x.test", "t").status_code == 200
    assert client.delete("/messages").status_code == 204
    assert client.get("/messages").get_json()["items"] == []


def test_runs_as_a_module_on_the_given_port() -> None:
    port = free_port()
    env = {"PATH": "", "PYTHONPATH": "."}
    with running(mail_command(port), env=env, port=port) as server:
        sent = requests.post(
            f"{server.url}/v3/mg.test/messages",
            auth=("api", "key"),
            data={"from": "f@mg.test", "to": "c@example.test", "subject": "s", "text": "t"},
            timeout=5,
        )
        assert sent.status_code == 200
        listed = requests.get(f"{server.url}/messages?to=c@example.test", timeout=5).json()
        assert [m["to"] for m in listed["items"]] == ["c@example.test"]
