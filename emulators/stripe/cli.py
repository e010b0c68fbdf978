"""The command line: serve (the default), or call a running emulator's `/_emulator` helpers.

python -m emulators.stripe --host 127.0.0.1 --port 12111
python -m emulators.stripe trigger payment_intent.succeeded [--url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import requests
from werkzeug.serving import make_server

from .app import create_app
from .config import EmulatorConfig, env_defaults

DEFAULT_URL = os.environ.get("STRIPE_EMULATOR_URL", "http://127.0.0.1:12111")


def build_parser() -> argparse.ArgumentParser:
    env = env_defaults()
    parser = argparse.ArgumentParser(
        prog="python -m emulators.stripe", description="Stripe API v1 emulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111)
    parser.add_argument(
        "--public-url",
        default=env["public_url"],
        help="base URL of the hosted pages (default http://HOST:PORT)",
    )
    parser.add_argument(
        "--webhook-url",
        default=env["webhook_url"],
        help="register webhook endpoints at this URL at startup",
    )
    parser.add_argument(
        "--webhook-secret",
        default=env["webhook_secret"],
        help="secret of the platform endpoint (all events)",
    )
    parser.add_argument(
        "--connect-webhook-secret",
        default=env["connect_webhook_secret"],
        help="secret of the connect=true endpoint (connected-account events)",
    )
    parser.add_argument(
        "--retry-scale",
        type=float,
        default=float(env["retry_scale"]),
        help="multiplier on the webhook retry schedule (e.g. 0.001 in tests)",
    )
    parser.add_argument(
        "--chaos",
        action="store_true",
        default=env["chaos"] in ("1", "true"),
        help="duplicate, delay and reorder webhook deliveries",
    )
    parser.add_argument(
        "--ach-delay",
        type=float,
        default=float(env["ach_delay"]),
        help="seconds a bank debit stays processing (0: only on request)",
    )
    commands = parser.add_subparsers(dest="command")
    _helper_commands(commands)
    return parser


def _helper_commands(commands: Any) -> None:
    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        command: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
        command.add_argument("--url", default=DEFAULT_URL, help="the running emulator")
        return command

    trigger = add("trigger", "run the flow that sends an event type")
    trigger.add_argument("type")
    trigger.add_argument("--account", help="a connected account to run it in")
    trigger.add_argument("--object", help="send the event for this existing object instead")
    add("reset", "forget all data")
    add("deliveries", "list webhook delivery attempts")
    onboard = add("complete-onboarding", "finish a connected account's onboarding")
    onboard.add_argument("account")
    pay = add("pay", "pay a checkout session")
    pay.add_argument("session")
    pay.add_argument("--card", default="4242424242424242")
    pay.add_argument("--bank", choices=["success", "failure"])
    ach = add("advance-ach", "settle processing bank debits now")
    ach.add_argument("--payment-intent")
    ach.add_argument("--outcome", choices=["succeeded", "failed"])
    fail = add("fail-refund", "fail a refund, as the card network sending it back")
    fail.add_argument("refund")
    fail.add_argument("--reason", default="expired_or_canceled_card")
    resolve = add("resolve-dispute", "close a dispute as won or lost")
    resolve.add_argument("dispute")
    resolve.add_argument("outcome", choices=["won", "lost"])


def _helper_request(args: argparse.Namespace) -> tuple[str, str, dict[str, Any]]:
    """The helper route and body for a command."""
    routes: dict[str, tuple[str, str, dict[str, Any]]] = {
        "trigger": (
            "POST",
            "/_emulator/trigger",
            {
                "type": getattr(args, "type", None),
                "account": getattr(args, "account", None),
                "object": getattr(args, "object", None),
            },
        ),
        "reset": ("POST", "/_emulator/reset", {}),
        "deliveries": ("GET", "/_emulator/deliveries", {}),
    }
    if args.command == "complete-onboarding":
        return "POST", f"/_emulator/accounts/{args.account}/complete_onboarding", {}
    if args.command == "pay":
        body = {"bank": args.bank} if args.bank else {"card": args.card}
        return "POST", f"/_emulator/checkout/sessions/{args.session}/pay", body
    if args.command == "advance-ach":
        return (
            "POST",
            "/_emulator/ach/advance",
            {"payment_intent": args.payment_intent, "outcome": args.outcome},
        )
    if args.command == "fail-refund":
        return "POST", f"/_emulator/refunds/{args.refund}/fail", {"failure_reason": args.reason}
    if args.command == "resolve-dispute":
        return "POST", f"/_emulator/disputes/{args.dispute}/resolve", {"outcome": args.outcome}
    return routes[args.command]


def run_helper(args: argparse.Namespace) -> int:
    method, path, body = _helper_request(args)
    payload = {k: v for k, v in body.items() if v is not None}
    response = requests.request(
        method, args.url.rstrip("/") + path, json=payload or None, timeout=30
    )
    print(json.dumps(response.json(), indent=2))
    return 0 if response.ok else 1


def serve(args: argparse.Namespace) -> int:
    config = EmulatorConfig(
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        connect_webhook_secret=args.connect_webhook_secret,
        retry_scale=args.retry_scale,
        chaos=args.chaos,
        ach_delay=args.ach_delay,
    )
    server = make_server(args.host, args.port, create_app(config), threaded=True)
    print(f"Stripe emulator listening on http://{args.host}:{server.server_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv if argv is not None else sys.argv[1:])
    if args.command:
        return run_helper(args)
    return serve(args)
