"""The webhook workload: realistic event sequences for M payments, delivered with 10%
duplicates in a shuffled order, signed as Stripe signs them.

Each payment is paid through Checkout, as Stripe reports it: `payment_intent.created`, then in a
burst `payment_intent.succeeded`, `charge.succeeded` and `checkout.session.completed`; a share
are refunded (once or twice, in part) and a smaller share disputed (opened, then won or lost).
Payments start three seconds apart over four connected accounts (four tenants).

Delivery order: events are sorted by their Stripe time plus a random delay (most within ±10 s,
so the bursts of neighbouring payments interleave and collide; one in ten within ±120 s, so
some refunds and disputes arrive before the payment they belong to). Each duplicate is
delivered again within the next minute: some while the first delivery is still in flight.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from payments.webhooks.signature import sign
from tests.support import stripe_events as se

__all__ = [
    "CONNECT_SECRET",
    "INTERNAL_TOKEN",
    "PLATFORM_SECRET",
    "TENANTS",
    "Delivery",
    "Workload",
    "build_workload",
    "signed_bodies",
]

CONNECT_SECRET = "whsec_bench_connect"
PLATFORM_SECRET = "whsec_bench_platform"
INTERNAL_TOKEN = "bench-internal-token-" + "0" * 32  # who may call /tasks/* and /jobs/*
TENANTS = {f"tenant_bench_{i}": f"acct_bench{i}" for i in range(4)}  # tenant → account
PAYMENT_SPACING_S = 3
REFUND_SHARE = 0.20
SECOND_REFUND_SHARE = 0.30  # of the refunded ones
DISPUTE_SHARE = 0.06
LATE_SHARE = 0.10
DUPLICATE_SHARE = 0.10  # of all deliveries

Payload = dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    payload: Payload
    duplicate: bool


@dataclass(frozen=True)
class Workload:
    deliveries: list[Delivery]  # in delivery order
    events_by_payment: dict[str, list[Payload]]  # each payment's unique events, in Stripe order

    @property
    def unique_events(self) -> int:
        return sum(len(events) for events in self.events_by_payment.values())

    @property
    def payments(self) -> int:
        return len(self.events_by_payment)

    def type_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for events in self.events_by_payment.values():
            for event in events:
                counts[event["type"]] = counts.get(event["type"], 0) + 1
        return dict(sorted(counts.items()))


def build_workload(deliveries: int, *, seed: int = 7, prefix: str = "b") -> Workload:
    """`deliveries` deliveries: 90% unique events, 10% duplicates of them."""
    rng = random.Random(seed)
    duplicates = round(deliveries * DUPLICATE_SHARE)
    unique_target = deliveries - duplicates
    by_payment: dict[str, list[Payload]] = {}
    total = 0
    index = 0
    while total < unique_target:
        pi_id, events = _payment(index, rng, prefix)
        events = events[: unique_target - total]
        by_payment[pi_id] = events
        total += len(events)
        index += 1
    keyed: list[tuple[float, int, Delivery]] = []
    uniques = [event for events in by_payment.values() for event in events]
    for event in uniques:
        spread = 120.0 if rng.random() < LATE_SHARE else 10.0
        at = event["created"] + rng.uniform(-spread, spread)
        keyed.append((at, len(keyed), Delivery(event, duplicate=False)))
    originals = {event["id"]: at for at, _, delivery in keyed for event in [delivery.payload]}
    for event in rng.sample(uniques, duplicates):
        at = originals[event["id"]] + rng.uniform(0.0, 60.0)
        keyed.append((at, len(keyed), Delivery(event, duplicate=True)))
    keyed.sort(key=lambda item: (item[0], item[1]))
    return Workload([delivery for _, _, delivery in keyed], by_payment)


def _payment(index: int, rng: random.Random, prefix: str) -> tuple[str, list[Payload]]:
    pi_id, ch_id, cs_id = (
        f"pi_{prefix}{index:05d}",
        f"ch_{prefix}{index:05d}",
        f"cs_{prefix}{index:05d}",
    )
    account = list(TENANTS.values())[index % len(TENANTS)]
    amount = rng.randrange(500, 50_000, 25)
    fee = amount // 50
    t0 = se.T0 + index * PAYMENT_SPACING_S
    intent = {"amount": amount, "application_fee_amount": fee, "created": t0}
    succeeded = se.payment_intent(
        pi_id, status="succeeded", amount_received=amount, latest_charge=ch_id, **intent
    )
    charge = se.charge(
        ch_id,
        pi_id,
        amount=amount,
        amount_captured=amount,
        application_fee_amount=fee,
        created=t0 + 4,
    )
    session = se.checkout_session(
        cs_id, pi_id, amount_total=amount, client_reference_id=f"order_{index}", created=t0 - 10
    )
    timeline: list[tuple[str, Payload, int]] = [
        ("payment_intent.created", se.payment_intent(pi_id, **intent), t0),
        ("payment_intent.succeeded", succeeded, t0 + 4),
        ("charge.succeeded", charge, t0 + 4),
        ("checkout.session.completed", session, t0 + 5),
    ]
    roll = rng.random()
    if roll < REFUND_SHARE:
        first = rng.randrange(100, amount // 2 + 101, 25) if amount > 400 else amount
        timeline.append(_refund(f"re_{prefix}{index:05d}a", first, pi_id, ch_id, t0 + 60))
        if rng.random() < SECOND_REFUND_SHARE and amount - first >= 100:
            second = rng.randrange(100, amount - first + 1, 25)
            timeline.append(_refund(f"re_{prefix}{index:05d}b", second, pi_id, ch_id, t0 + 90))
    elif roll < REFUND_SHARE + DISPUTE_SHARE:
        dp_id = f"dp_{prefix}{index:05d}"
        disputed = {"charge": ch_id, "payment_intent": pi_id, "created": t0 + 300}
        outcome = "lost" if rng.random() < 0.5 else "won"
        timeline.append(("charge.dispute.created", se.dispute(dp_id, amount, **disputed), t0 + 300))
        closed = se.dispute(dp_id, amount, status=outcome, **disputed)
        timeline.append(("charge.dispute.closed", closed, t0 + 400))
    events = [
        se.event(kind, obj, created=at, event_id=f"evt_{prefix}{index:05d}_{n}", account=account)
        for n, (kind, obj, at) in enumerate(timeline)
    ]
    return pi_id, events


def _refund(re_id: str, amount: int, pi_id: str, ch_id: str, at: int) -> tuple[str, Payload, int]:
    refund = se.refund(re_id, amount, pi_id=pi_id, ch_id=ch_id, created=at)
    return ("refund.created", refund, at)


def signed_bodies(payloads: list[Payload], *, timestamp: int) -> Iterator[tuple[bytes, str]]:
    """(body, Stripe-Signature) for each payload, signed with the Connect endpoint's secret."""
    for payload in payloads:
        body = json.dumps(payload).encode()
        yield body, sign(body, CONNECT_SECRET, timestamp)
