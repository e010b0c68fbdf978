"""Imports point one way (STYLE.md §1):

    functions → bootstrap → {payments, identity} → {ledger, auth} → core

Money and identity never import each other; neither reaches back up to the composition root or
the edge; the ledger and the auth primitives know nothing of the services above them; `core`
(errors, settings, the log format) imports nothing of ours. Only the ledger talks to Firestore,
only the gateway to Stripe, only the HTTP edge knows Flask, and the product never imports the
local emulators (nor they the product).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("main.py", "bootstrap.py", "functions", "payments", "identity", "ledger", "auth", "core")


def python_files(*roots: str) -> Iterator[Path]:
    for root in roots:
        path = ROOT / root
        yield from [path] if path.is_file() else sorted(path.rglob("*.py"))


def imported_modules(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# (imported package, where it may be imported)
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("stripe", ("payments/stripe_gateway", "emulators/", "tests/emulators/")),
    ("google.cloud.firestore", ("ledger/",)),
    ("flask", ("functions/", "main.py", "emulators/", "tests/")),
    ("functions_framework", ("functions/", "main.py", "tests/")),
    ("werkzeug", ("functions/", "emulators/", "tests/")),
]


def test_the_boundary_rules_see_the_real_tree() -> None:
    assert any(python_files("functions")), "the walk found no product code"
    assert any("flask" in m for f in python_files("functions") for m in imported_modules(f))


@pytest.mark.parametrize(("package", "allowed"), RULES, ids=[rule[0] for rule in RULES])
def test_library_is_imported_only_where_allowed(package: str, allowed: tuple[str, ...]) -> None:
    offenders = [
        f"{relative(path)} imports {module}"
        for path in python_files(*PRODUCT, "emulators", "tests")
        for module in imported_modules(path)
        if is_within(module, package) and not relative(path).startswith(allowed)
    ]
    assert offenders == []


# (importing package, packages it must not import): every arrow that must never exist
EDGE = ("functions", "main")
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", (*EDGE, "bootstrap", "payments", "identity", "ledger", "auth", "emulators")),
    ("auth", (*EDGE, "bootstrap", "payments", "identity", "ledger", "emulators")),
    ("ledger", (*EDGE, "bootstrap", "payments", "identity", "auth", "emulators")),
    ("payments", (*EDGE, "bootstrap", "identity", "emulators")),
    ("identity", (*EDGE, "bootstrap", "payments", "emulators")),
    ("bootstrap.py", (*EDGE, "emulators")),
    ("functions", ("main", "ledger", "emulators")),
    ("emulators", (*EDGE, "bootstrap", "payments", "identity", "ledger", "auth", "core")),
]


NOT_PRODUCT = {"tests", "bench", "emulators"}


def test_every_product_package_has_a_layer() -> None:
    tops = {
        path.name
        for path in ROOT.iterdir()
        if (path.is_dir() and (path / "__init__.py").exists()) or path.suffix == ".py"
    }
    layered = {layer for layer, _ in LAYERS} | set(EDGE) | {"main.py"}
    assert tops - NOT_PRODUCT - layered == set()


@pytest.mark.parametrize(("layer", "forbidden"), LAYERS, ids=[layer[0] for layer in LAYERS])
def test_layers_import_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    assert any(python_files(layer)), f"no code in layer {layer}"
    offenders = [
        f"{relative(path)} imports {module}"
        for path in python_files(layer)
        for module in imported_modules(path)
        if any(is_within(module, f) for f in forbidden)
    ]
    assert offenders == []


def test_the_ledger_raises_only_unavailable_and_contention() -> None:
    allowed = {"core.errors", "core.errors.Contention", "core.errors.Unavailable"}
    offenders = [
        f"{relative(path)} imports {module}"
        for path in python_files("ledger")
        for module in imported_modules(path)
        if is_within(module, "core") and module not in allowed
    ]
    assert offenders == []
