"""One payment whose events stand at each stage of the inbox, delivered through the real webhook
service onto the API's fake store at known times (Stripe's `created` + the lag):

- `payment_intent.created`: received 0.4 s after Stripe's `created`, applied 0.3 s later;
- `payment_intent.succeeded`: received 1.5 s after, acknowledged and not applied yet (its
  hand-off is still in the fake queue: `apply` delivers it);
- `refund.created`: received 0.2 s after; its apply failed (a refund before the capture it
  refunds), so it waits for a retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ledger.memory import MemoryStore
from payments.webhooks import service
from payments.webhooks.service import Receipt, WebhookDeps
from tests.support import stripe_events as se
from tests.support import webhooks as ws

TENANT = "t_1"
CREATED, SUCCEEDED, REFUND = "evt_created", "evt_succeeded", "evt_refund"
SUCCEEDED_AT = se.T0 + 4


@dataclass
class World:
    store: MemoryStore
    deps: WebhookDeps
    clock: list[datetime]  # what `deps.clock` answers

    def at(self, unix_seconds: float) -> None:
        self.clock[0] = datetime.fromtimestamp(unix_seconds, UTC)

    def deliver(self, payload: se.Obj) -> Receipt:
        """Stripe's delivery, acknowledged; the apply queue has not applied it yet."""
        signed = ws.signed(payload, timestamp=int(self.clock[0].timestamp()))
        return service.receive(*signed, self.deps)

    def apply(self, event_id: str) -> Receipt:
        """The apply queue's message for a delivered event."""
        queue = self.deps.queue
        assert isinstance(queue, ws.FakeQueue)
        (handoff,) = [h for h in queue.handoffs if h.event_id == event_id]
        queue.handoffs.remove(handoff)
        return service.apply_handed_off(handoff, self.deps)


def build() -> World:
    store = MemoryStore()
    store.docs[("tenants", TENANT)] = {"name": "Shop", "merchant_account_id": se.ACCOUNT}
    clock = [datetime.fromtimestamp(se.T0, UTC)]
    world = World(store, ws.make_deps(store, clock=lambda: clock[0]), clock)
    succeeded = se.payment_intent(status="succeeded", amount_received=5000, latest_charge="ch_1")

    world.at(se.T0 + 0.4)
    world.deliver(
        se.event("payment_intent.created", se.payment_intent(), created=se.T0, event_id=CREATED)
    )
    world.at(se.T0 + 0.7)
    assert world.apply(CREATED).status == "processed"

    world.at(SUCCEEDED_AT + 1.5)
    payload = se.event(
        "payment_intent.succeeded", succeeded, created=SUCCEEDED_AT, event_id=SUCCEEDED
    )
    assert world.deliver(payload).status == "received"

    world.at(se.T0 + 100.2)
    refund = se.event(
        "refund.created", se.refund("re_1", 1000), created=se.T0 + 100, event_id=REFUND
    )
    world.deliver(refund)
    assert world.apply(REFUND).status == "failed"
    return world
