"""The routing table, `main.py` and `cloudbuild.yaml` name exactly the same functions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

import main
from functions.routes import FUNCTION_NAMES, ROUTES

ROOT = Path(__file__).resolve().parents[2]


def deploy_steps() -> dict[str, list[str]]:
    config = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text())
    steps = {}
    for step in config["steps"]:
        args = step.get("args", [])
        if args[:2] == ["functions", "deploy"]:
            steps[args[2]] = args
    return steps


def test_main_exports_every_function_of_the_table_and_nothing_else() -> None:
    assert sorted(main.__all__) == sorted(FUNCTION_NAMES)
    for name in FUNCTION_NAMES:
        entry = getattr(main, name)
        assert callable(entry)
        assert entry.__name__ == name
    assert not hasattr(main, "not_a_function")


def test_cloudbuild_deploys_every_function_of_the_table_and_nothing_else() -> None:
    steps = deploy_steps()
    assert sorted(steps) == sorted(FUNCTION_NAMES)
    for name, args in steps.items():
        assert f"--entry-point={name}" in args
        for flag in ("--gen2", "--runtime=python312", "--trigger-http", "--source=."):
            assert flag in args, (name, flag)
        assert any(a.startswith("--region=") for a in args)
        assert any(a.startswith("--service-account=") for a in args)


def test_cloudbuild_tests_before_deploying_and_deploys_rules_and_indexes() -> None:
    config = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text())
    test_step = config["steps"][0]
    assert "make test" in " ".join(test_step["args"])
    ids = [step["id"] for step in config["steps"]]
    for step in config["steps"][1:]:
        assert step["waitFor"], step["id"]
        for dependency in step["waitFor"]:  # everything runs after the tests, directly or not
            assert ids.index(dependency) < ids.index(step["id"])
        if step["id"].startswith("deploy-"):
            assert step["waitFor"] == [test_step["id"]]
    firestore = next(s for s in config["steps"] if s["id"] == "deploy-firestore")
    assert "--only=firestore:rules,firestore:indexes" in firestore["args"]
    firebase = json.loads((ROOT / "firebase.json").read_text())
    assert (ROOT / firebase["firestore"]["rules"]).is_file()
    json.loads((ROOT / firebase["firestore"]["indexes"]).read_text())


def test_every_route_has_a_view_in_its_function_module() -> None:
    import importlib

    for route in ROUTES:
        module = importlib.import_module(f"functions.{route.function}")
        assert callable(getattr(module, route.view)), route
        assert route.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}
        assert route.path.startswith("/")


def test_firestore_rules_deny_all_client_access() -> None:
    rules = (ROOT / "firestore.rules").read_text()
    assert "allow read, write: if false;" in rules
    assert "if true" not in rules


def test_importing_main_loads_no_function_and_no_client_library() -> None:
    code = (
        "import sys, main\n"
        "heavy = [m for m in ('stripe', 'google.cloud.firestore', 'google.cloud.pubsub_v1',"
        " 'google.cloud.secretmanager', 'flask', 'functions.discovery') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == ""


def _flag(args: list[str], name: str) -> str:
    return next((a.split("=", 1)[1] for a in args if a.startswith(f"{name}=")), "")


def _secrets(args: list[str]) -> list[str]:
    pairs = [pair for pair in _flag(args, "--set-secrets").split(",") if pair]
    return [pair.split("=", 1)[1].split(":", 1)[0] for pair in pairs]


def _readme_accounts() -> dict[str, tuple[str, list[str]]]:
    """The README's Deploy table: function → (service account, secrets)."""
    text = (ROOT / "README.md").read_text()
    table = text[text.index("| function | service account | secrets |") :].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines()[2:]:
        function, account, secrets, _ = (cell.strip(" `") for cell in line.strip("|").split("|"))
        names = [] if secrets == "—" else [name.strip(" `") for name in secrets.split(",")]
        rows[function] = (account, names)
    return rows


def test_each_function_runs_as_its_own_account_with_the_secrets_the_readme_lists() -> None:
    """Issue 14: one service account for every function held every secret."""
    steps = deploy_steps()
    accounts = {
        name: _flag(args, "--service-account").split("@", 1)[0] for name, args in steps.items()
    }
    assert len(set(accounts.values())) == len(steps)
    for name, args in steps.items():
        expected = f"pep-{name.replace('_', '-')}@${{PROJECT_ID}}.iam.gserviceaccount.com"
        assert _flag(args, "--service-account") == expected
    listed = {name: (accounts[name], _secrets(args)) for name, args in steps.items()}
    assert listed == _readme_accounts()


def test_the_internal_functions_check_tokens_the_queues_and_the_scheduler_send() -> None:
    """Issue 14, item 10: the internal functions verify the caller's ID token themselves, for
    the audience and service account their callers are configured with."""
    config = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text())
    queues = " ".join(next(s for s in config["steps"] if s["id"] == "queues")["args"])
    for name, args in deploy_steps().items():
        env = dict(pair.split("=", 1) for pair in _flag(args, "--set-env-vars").split(","))
        internal = "--no-allow-unauthenticated" in args
        assert internal == (name in ("process_event", "jobs")), name
        if internal:
            assert env["INTERNAL_AUDIENCE"] == f"${{_FUNCTIONS_URL}}/{name}"
            assert env["INTERNAL_INVOKERS"] == "${_INVOKER}"
        else:
            assert "INTERNAL_AUDIENCE" not in env, name
    assert queues.count("--push-auth-token-audience=${_FUNCTIONS_URL}/process_event") == 2
    assert queues.count("--push-auth-service-account=${_INVOKER}") == 2
    assert queues.count("--oidc-token-audience=${_FUNCTIONS_URL}/jobs") == 2
    assert queues.count("--oidc-service-account-email=${_INVOKER}") == 2
