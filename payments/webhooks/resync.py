"""Resync: read a payment's unsettled objects from Stripe and apply them through the reducer.

The reducer marks an object `unsettled` when two of its states share a second and nothing they
carry orders them (`payments.events.machines`). Off the request path (the queue's push endpoint
or the sweeper), this reads each such object from Stripe — before and outside any transaction
— and applies what Stripe holds now in one transaction, as a change like any event's. A payment
that an event unsettled again meanwhile stays `resync_needed`, and the queue comes back.
"""

from __future__ import annotations

from core.errors import AppError, Unavailable
from ledger.collections import PAYMENTS
from ledger.store import DocKey, Query
from payments.events.resync import resync_change, unsettled
from payments.webhooks import logs
from payments.webhooks.apply import apply_resync
from payments.webhooks.service import Receipt, WebhookDeps

__all__ = ["resync_due", "resync_payment"]


def resync_payment(payment_id: str, deps: WebhookDeps) -> Receipt:
    """`processed` once the payment is settled; `scheduled` while it needs another read."""
    doc = deps.store.get(DocKey(PAYMENTS, payment_id))
    wanted = unsettled(doc)
    if doc is None or not wanted:
        return Receipt(payment_id, "processed", "nothing to settle")
    if deps.stripe is None:
        raise Unavailable("No Stripe gateway is configured for resyncs")
    gateway, account = deps.stripe(), str(doc.get("merchant_account_id") or "")
    now = deps.clock()  # before the read: an event of a later second may postdate what it sees
    fetched = {item: gateway.retrieve_object(account, item[0], item[1]) for item in wanted}
    event, change = resync_change(
        payment_id,
        fetched,
        second=int(now.timestamp()),
        resync_id=f"resync_{payment_id}_{int(now.timestamp() * 1000)}",
        account=account or None,
    )
    result = apply_resync(deps.store, event, change, tenant_id=doc.get("tenant_id"), now=now)
    logs.log_resync(payment_id=payment_id, objects=len(wanted), settled=not result.resync_needed)
    if result.resync_needed:
        return Receipt(payment_id, "scheduled", "an event unsettled it again: read it once more")
    return Receipt(payment_id, "processed", f"settled {len(wanted)} object(s) from Stripe")


def resync_due(deps: WebhookDeps, *, limit: int) -> list[Receipt]:
    """The sweeper's share: payments still waiting for a resync (a lost queue message)."""
    rows = deps.store.query(Query(PAYMENTS, where=(("resync_needed", "==", True),), limit=limit))
    receipts = []
    for payment_id, _ in rows:
        try:
            receipts.append(resync_payment(payment_id, deps))
        except AppError as error:  # Stripe or Firestore said no: the next sweep tries again
            receipts.append(Receipt(payment_id, "failed", f"{type(error).__name__}: {error}"))
    return receipts
