"""How big a run is: the defaults (`make bench`, under 5 minutes on 2 cores) and `--quick`
(under 60 s, what the test runs so the benchmark never rots).

The issue asked for 2,000 deliveries per concurrency. On the Firestore emulator, two events of
one payment in flight together wait out its ~2 s lock timeout (bench/README.md, "Stalls"),
which makes the runs at concurrency 8 and 32 last ~100 s each at that size: about 6 minutes in
all on this machine. 1,200 keeps every section and fits the 5 minutes; `--deliveries 2000`
runs the issue's size (its results land in `results-partial.json`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FULL", "QUICK", "BenchConfig"]


@dataclass(frozen=True)
class BenchConfig:
    name: str
    deliveries: int  # webhook deliveries per concurrency (10% duplicates)
    warmup_deliveries: int  # through both paths first, not recorded (JIT, caches, channels)
    concurrencies: tuple[int, ...]
    ledger_floor_transactions: int  # the floor's second rung, at concurrency 1 only
    cold_start_runs: int
    cold_start_functions: tuple[str, ...] | None  # None: every deployed function
    tenant_payments: int  # section 4: payments in the caller's tenant ...
    other_payments: int  # ... and in the other tenants
    page_limit: int
    page_depth: int
    page_samples: int


FULL = BenchConfig(
    name="full",
    deliveries=1200,
    warmup_deliveries=50,
    concurrencies=(1, 8, 32),
    ledger_floor_transactions=250,
    cold_start_runs=3,
    cold_start_functions=None,
    tenant_payments=10_000,
    other_payments=10_000,
    page_limit=100,
    page_depth=50,
    page_samples=10,
)

QUICK = BenchConfig(
    name="quick",
    deliveries=80,
    warmup_deliveries=20,
    concurrencies=(1, 8),
    ledger_floor_transactions=30,
    cold_start_runs=1,
    cold_start_functions=("webhooks", "payments"),
    tenant_payments=500,
    other_payments=500,
    page_limit=10,
    page_depth=50,
    page_samples=3,
)
