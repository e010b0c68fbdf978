"""A cold start of the `webhooks` function that serves Stripe does not import the user-auth
stack (JWT, API keys, sessions and their ledger modules): only its two inbox views need it, and
they import it on first use (bench/README.md, "Cold start"). That they still authenticate is
held by tests/e2e/test_isolation_matrix.py."""

from __future__ import annotations

import subprocess
import sys

from tests.support.stacks import ROOT

PROBE = (
    "import sys, main; main.webhooks; "
    "print(' '.join(sorted(m for m in sys.modules "
    "if m == 'jwt' or m.startswith(('functions._auth', 'identity.principals', 'auth.')))))"
)


def test_the_webhooks_entry_point_does_not_import_user_authentication() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert loaded == []
