"""The webhook service against the Firestore emulator."""

from __future__ import annotations

from ledger.collections import EVENT_LOGS, PAYMENT_TRANSACTIONS, WEBHOOK_EVENTS
from tests.support import stripe_events as se
from tests.support import webhooks as ws


def test_a_lifecycle_in_order_builds_the_ledger(firestore: object) -> None:
    store = ws.firestore_store()
    ws.create_tenant(store)
    deps = ws.make_deps(store)
    for payload in se.payment_lifecycle():
        receipt = ws.receive_and_apply(*ws.signed(payload), deps)
        assert receipt.status == "processed", receipt
    payments, transactions = ws.ledger_state(store)
    assert list(payments) == ["pi_1"]
    payment = payments["pi_1"]
    assert payment["status"] == "disputed"
    assert payment["amount_refunded"] == 1500
    assert payment["tenant_id"] == ws.TENANT
    assert sorted(transactions) == [
        "ch_1:application_fee",
        "ch_1:capture",
        "ch_1:charge",
        "dp_1:dispute",
        "re_1:refund",
        "re_2:refund",
    ]
    assert all(
        t["tenant_id"] == ws.TENANT and t["payment_id"] == "pi_1" for t in transactions.values()
    )
    assert len(ws.all_docs(store, EVENT_LOGS)) == 8
    inboxes = ws.all_docs(store, WEBHOOK_EVENTS)
    assert {doc["status"] for doc in inboxes.values()} == {"processed"}
    assert ws.all_docs(store, PAYMENT_TRANSACTIONS)["re_1:refund"]["amount"] == 1000
