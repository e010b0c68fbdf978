"""The composition root's command table: each command reaches its handler with the
dependencies that handler names, and nothing it does not name is built."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import bootstrap
from identity import commands as identity_commands
from ledger.collections import TENANTS
from ledger.memory import MemoryStore
from ledger.store import DocKey
from payments import commands
from payments.commands import CreateLoginLink, RefreshAccount
from tests.support.fakes import FakeStripeGateway


@pytest.mark.parametrize("command_type", sorted(bootstrap.COMMAND_HANDLERS))
def test_every_command_has_a_handler_that_takes_it_and_names_only_known_dependencies(
    command_type: str,
) -> None:
    _, parameters, takes_command = bootstrap._handler(command_type)
    given_by_views = {"idempotency_key", "principal", "client"}
    others = set(parameters) - {takes_command}
    assert others <= set(bootstrap.DEPENDENCIES) | given_by_views, parameters


def test_every_command_of_both_halves_is_in_the_table() -> None:
    money = {name for name in commands.__all__ if isinstance(getattr(commands, name), type)}
    people = {
        n for n in identity_commands.__all__ if isinstance(getattr(identity_commands, n), type)
    }
    parts = {"LineItem", "Credentials"}  # a part of a command; what two commands share
    assert (money | people) - parts == set(bootstrap.COMMAND_HANDLERS)


def test_a_command_gets_what_its_handler_names_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store, stripe = MemoryStore(), FakeStripeGateway()
    store.create(DocKey(TENANTS, "t_1"), {"merchant_account_id": "acct_1"})
    built: list[str] = []

    def dependency(name: str, value: object) -> None:
        def build() -> object:
            built.append(name)
            return value

        monkeypatch.setitem(bootstrap.DEPENDENCIES, name, build)

    dependency("store", store)
    dependency("stripe", stripe)
    dependency("now", datetime(2026, 12, 2, tzinfo=UTC))
    dependency("settings", None)
    link = bootstrap.handle(CreateLoginLink("t_1"))
    assert link["url"] == "https://stripe.test/express" and built == ["store", "stripe"]
    built.clear()
    stripe.account = {"id": "acct_1", "charges_enabled": True}
    status = bootstrap.handle(RefreshAccount("t_1"))
    assert status["charges_enabled"] is True and built == ["store", "stripe", "now"]
    assert store.get(DocKey(TENANTS, "t_1"))["charges_enabled"] is True  # type: ignore[index]
