"""`python -m functions serve [--host H] [--port N]`: every function on one port, for local
development and end-to-end tests. Configured only by environment variables (SPEC §7)."""

from __future__ import annotations

import argparse
import sys

from functions.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve every function on one port")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=None, help="default: $PORT or 8080")
    args = parser.parse_args(argv)
    try:
        serve(host=args.host, port=args.port)
    except ValueError as setting:  # a setting that cannot be used: refuse to start, saying why
        print(f"python -m functions: {setting}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
