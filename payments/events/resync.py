"""Settling what the events cannot: the objects of a payment the reducer marked `unsettled`,
and the change that applies them as Stripe holds them now. Pure: the apply path reads the
objects from Stripe (outside any transaction) and hands them here.

A resync is a change like any other, through the same reducer: its states carry the second
they were read and the event id of the state each one settles (`observed`). Read after that
state's event was created, a resync state replaces it; if another event changed the entry in
the meantime, the resync state is ordered against it like any event (`machines.order`).
"""

from __future__ import annotations

from typing import Any

from payments.events.model import PaymentChange, StripeEvent
from payments.events.objects import resync_update

__all__ = ["RESYNC_EVENT_TYPE", "Unsettled", "resync_change", "unsettled"]

RESYNC_EVENT_TYPE = "ledger.resync"
Doc = dict[str, Any]
Unsettled = tuple[str, str, str]  # (kind, object id, event id of the state shown)


def unsettled(document: Doc | None) -> list[Unsettled]:
    """The objects whose order of states only Stripe can settle."""
    if not document:
        return []
    return [
        (kind, object_id, str(entry["event_id"]))
        for kind, entries in sorted((document.get("sources") or {}).items())
        for object_id, entry in sorted(entries.items())
        if entry.get("unsettled")
    ]


def resync_change(
    payment_id: str,
    fetched: dict[Unsettled, dict[str, Any]],
    *,
    second: int,
    resync_id: str,
    account: str | None,
) -> tuple[StripeEvent, PaymentChange]:
    """The synthetic event and the change that apply `fetched` (Stripe's objects, by what
    each settles) to the payment; `second` is when they were read."""
    event = StripeEvent(
        id=resync_id,
        type=RESYNC_EVENT_TYPE,
        created=second,
        livemode=False,
        account=account,
        object={},
        previous_attributes=None,
        payload={},
    )
    sources = tuple(
        resync_update(kind, obj, second, observed=event_id)
        for (kind, _, event_id), obj in sorted(fetched.items())
    )
    names = ", ".join(f"{u.kind.rstrip('s')} {u.state.get('status')}" for u in sources)
    return event, PaymentChange(
        payment_id=payment_id,
        summary=f"{RESYNC_EVENT_TYPE}: read from Stripe to settle the order ({names})",
        sources=sources,
    )
