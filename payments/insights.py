"""Reads behind the dashboard's numbers: the last 30 days of a tenant, a payment's transactions.

Both are tenant-scoped like every other read. The 30-day summary reads the tenant's payments
and refunds of the window with the same indexed queries as the lists (newest first), at most
`MAX_SCAN` of each; `complete` says whether it saw them all. Disputes count by open status.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.collections import PAYMENTS, REFUNDS
from ledger.store import AbstractStore, Doc, Query
from payments.disputes import list_disputes
from payments.payment_queries import load_payment

__all__ = [
    "OPEN_DISPUTE_STATUSES",
    "WINDOW_DAYS",
    "DailyVolume",
    "Summary",
    "last_30_days",
    "payment_transactions",
]

WINDOW_DAYS = 30
MAX_SCAN = 2000
OPEN_DISPUTE_STATUSES = (
    "needs_response",
    "warning_needs_response",
    "under_review",
    "warning_under_review",
)
FAILED_STATUSES = frozenset({"failed", "canceled", "requires_payment_method"})
SETTLED_AWAY = frozenset({"failed", "canceled"})
FACT_ORDER = {
    "charge": 0,
    "capture": 1,
    "application_fee": 2,
    "refund": 3,
    "dispute": 4,
}  # same second


@dataclass(frozen=True)
class DailyVolume:
    day: datetime  # midnight UTC
    amount: int


@dataclass(frozen=True)
class Summary:
    """What the tenant took in the window: money per currency, in minor units."""

    since: datetime
    volume: dict[str, int]  # captured, per currency
    payments: int  # payments started in the window
    successful: int  # captured or authorized
    failed: int  # an attempt that ended without money (declined, canceled)
    refunds: int
    refunded: dict[str, int]  # per currency
    open_disputes: int
    currency: str | None  # the currency of the chart: the one with the most volume
    daily: list[DailyVolume] = field(default_factory=list)
    complete: bool = True

    @property
    def success_rate(self) -> float | None:
        """Successful among payments that were attempted; None before the first attempt."""
        attempted = self.successful + self.failed
        return self.successful / attempted if attempted else None


def last_30_days(store: AbstractStore, tenant_id: str, *, now: datetime) -> Summary:
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=WINDOW_DAYS - 1)
    payments = _window(store, PAYMENTS, "payment_id", tenant_id, since)
    refunds = _window(store, REFUNDS, "refund_id", tenant_id, since)
    volume: Counter[str] = Counter()
    by_day: dict[str, Counter[int]] = defaultdict(Counter)
    successful = failed = 0
    for _, doc in payments:
        captured, currency = int(doc.get("amount_captured") or 0), str(doc.get("currency") or "")
        if captured > 0 or doc.get("status") == "requires_capture":
            successful += 1
        elif doc.get("status") in FAILED_STATUSES and doc.get("payment_intent_id"):
            failed += 1
        if captured > 0 and currency:
            volume[currency] += captured
            by_day[currency][(int(doc["created"]) - int(since.timestamp())) // 86400] += captured
    refunded: Counter[str] = Counter()
    counted = [doc for _, doc in refunds if doc.get("status") not in SETTLED_AWAY]
    for doc in counted:
        refunded[str(doc.get("currency") or "")] += int(doc.get("amount") or 0)
    chart_currency = volume.most_common(1)[0][0] if volume else None
    daily = [
        DailyVolume(since + timedelta(days=i), by_day[chart_currency][i] if chart_currency else 0)
        for i in range(WINDOW_DAYS)
    ]
    return Summary(
        since=since,
        volume=dict(volume),
        payments=len(payments),
        successful=successful,
        failed=failed,
        refunds=len(counted),
        refunded=dict(refunded),
        open_disputes=_open_disputes(store, tenant_id),
        currency=chart_currency,
        daily=daily,
        complete=len(payments) < MAX_SCAN and len(refunds) < MAX_SCAN,
    )


def payment_transactions(store: AbstractStore, tenant_id: str, payment_id: str) -> list[Doc]:
    """The payment's financial facts (charge, capture, refund, dispute, fee), oldest first:
    the same facts the webhooks write to `payment_transactions`, read from the payment."""
    _, doc = load_payment(store, tenant_id, payment_id)
    facts: dict[str, Any] = doc.get("ledger") or {}
    rows = [{"id": fact_id, **fact} for fact_id, fact in facts.items()]
    return sorted(
        rows,
        key=lambda row: (
            int(row.get("created") or 0),
            FACT_ORDER.get(str(row.get("type")), 9),
            row["id"],
        ),
    )


def _window(
    store: AbstractStore, collection: str, tiebreak: str, tenant_id: str, since: datetime
) -> list[tuple[str, Doc]]:
    return store.query(
        Query(
            collection,
            where=(("tenant_id", "==", tenant_id), ("created", ">=", int(since.timestamp()))),
            order_by=(("created", "desc"), (tiebreak, "desc")),
            limit=MAX_SCAN,
        )
    )


def _open_disputes(store: AbstractStore, tenant_id: str) -> int:
    return sum(
        len(list_disputes(store, tenant_id, {"status": status, "limit": "100"})["data"])
        for status in OPEN_DISPUTE_STATUSES
    )
