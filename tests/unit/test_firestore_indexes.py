"""Every query the product makes is served by an index declared in firestore.indexes.json.

The emulator answers any query, so a missing composite index would only fail in production;
this test replays the service functions against a recording fake and checks each query.
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

from core.errors import NotFound
from ledger.memory import MemoryStore
from ledger.store import Query
from payments import disputes, idempotency, payment_queries, refunds
from payments.webhooks import operations
from payments.webhooks.policy import RetryPolicy
from payments.webhooks.routing import TenantDirectory
from payments.webhooks.service import WebhookDeps
from tests.support.webhooks import FakeQueue

ROOT = Path(__file__).resolve().parents[2]


class RecordingStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.queries: list[Query] = []

    def query(self, query: Query) -> list[tuple[str, dict[str, object]]]:
        self.queries.append(query)
        return super().query(query)


def declared() -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    config = json.loads((ROOT / "firestore.indexes.json").read_text())
    return {
        (index["collectionGroup"], tuple((f["fieldPath"], f["order"]) for f in index["fields"]))
        for index in config["indexes"]
    }


def exempted() -> set[tuple[str, str]]:
    """Fields declared with no index (big maps and payloads nobody queries; not TTL fields)."""
    config = json.loads((ROOT / "firestore.indexes.json").read_text())
    return {
        (o["collectionGroup"], o["fieldPath"])
        for o in config["fieldOverrides"]
        if not o["indexes"] and not o.get("ttl")
    }


def uses_exempted(query: Query) -> bool:
    fields = [name for name, _, _ in query.where] + [name for name, _ in query.order_by]
    return any((query.collection, name.split(".")[0]) in exempted() for name in fields)


def needs_composite(query: Query) -> bool:
    fields = {name for name, _, _ in query.where} | {name for name, _ in query.order_by}
    return len(fields) > 1


def served(query: Query, indexes: set[tuple[str, tuple[tuple[str, str], ...]]]) -> bool:
    equality = {name for name, op, _ in query.where if op == "=="}
    ranged = [name for name, op, _ in query.where if op != "=="]
    order = [(name, "DESCENDING" if d == "desc" else "ASCENDING") for name, d in query.order_by]
    if not order and ranged:
        order = [(ranged[0], "ASCENDING")]
    for collection, fields in indexes:
        if collection != query.collection or len(fields) != len(equality) + len(order):
            continue
        head, tail = fields[: len(equality)], list(fields[len(equality) :])
        if {name for name, _ in head} == equality and tail == order:
            return True
    return False


def test_the_webhook_inbox_queries_are_indexed() -> None:
    store = RecordingStore()
    deps = WebhookDeps(
        store=store,
        queue=FakeQueue(),
        tenants=TenantDirectory(store),
        signing_secrets=lambda: (),
        livemode=False,
        policy=RetryPolicy(),
        clock=lambda: datetime(2026, 11, 25, tzinfo=UTC),
        jitter=lambda: 1.0,
    )
    for status in (None, "failed"):
        for tenant_id in (None, "t_1"):
            operations.list_events(deps, tenant_id=tenant_id, status=status)
    operations.sweep(deps)
    deps.tenants.tenant_of_account("acct_1")
    assert ("webhook_events", "payload") in exempted()
    assert [q for q in store.queries if uses_exempted(q)] == []
    composite = [q for q in store.queries if needs_composite(q)]
    assert len(composite) >= 5
    indexes = declared()
    missing = [q for q in composite if not served(q, indexes)]
    assert missing == []


def _subsets(names: tuple[str, ...]) -> list[dict[str, str]]:
    return [
        {name: "x" for i, name in enumerate(names) if mask >> i & 1}
        for mask in range(2 ** len(names))
    ]


def test_the_payments_api_queries_are_indexed() -> None:
    """Every filter combination of the payments, refunds and disputes lists, the session-id
    lookup, the timeline (its event log and its events still in the inbox), the in-flight
    refunds and the idempotency expiry."""
    store = RecordingStore()
    store.docs[("payments", "pi_1")] = {"tenant_id": "t_1", "ledger": {}}
    for args in _subsets(payment_queries.EQUALITY_FILTERS):
        args = {**args, "status": "succeeded"} if "status" in args else args
        for bounds in ({}, {"created_gte": "1"}, {"created_gte": "1", "created_lte": "9"}):
            payment_queries.list_payments(store, "t_1", {**args, **bounds})
    payment_queries.list_payments(store, "t_1", {"cursor": "WzEsImlkIl0"})
    with contextlib.suppress(NotFound):
        payment_queries.load_payment(store, "t_1", "cs_test_unknown")
    payment_queries.payment_timeline(store, "t_1", "pi_1")
    refunds.in_flight(store, "t_1", "pi_1", {"ledger": {}})
    for args in _subsets(("status", "payment_id")):
        status = {"status": "succeeded"} if "status" in args else {}
        refunds.list_refunds(store, "t_1", {**args, **status})
        status = {"status": "lost"} if "status" in args else {}
        disputes.list_disputes(store, "t_1", {**args, **status})
    idempotency.expire_records(store, now=datetime(2026, 11, 25, tzinfo=UTC))
    assert [q for q in store.queries if uses_exempted(q)] == []
    composite = [q for q in store.queries if needs_composite(q)]
    assert len(composite) >= 16 * 3 + 3 + 9
    indexes = declared()
    missing = [q for q in composite if not served(q, indexes)]
    assert missing == []
