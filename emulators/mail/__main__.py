"""`python -m emulators.mail [--host H] [--port N] [--api-key KEY]`: the mail capture."""

from __future__ import annotations

import argparse
import sys

from werkzeug.serving import run_simple

from emulators.mail.app import MailCapture, create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulators.mail")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--api-key", default=None, help="accept only this key (default: any)")
    args = parser.parse_args(argv)
    app = create_app(MailCapture(api_key=args.api_key))
    print(f"mail capture on http://{args.host}:{args.port}", flush=True)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
