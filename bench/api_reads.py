"""Section 4, API reads: `GET /api/v1/payments` with 10,000 payments in the caller's tenant and
10,000 in other tenants — the latency of the first page and of page 50, reached by following
`next_cursor`. Cursor pagination must not slow down with depth: the headline is page 50 / page 1.

The payments are seeded directly into the emulator (`bench.rest_seed`, commits of 500 documents),
shaped as the webhook path writes them: copies of the documents the in-order reference run
produced, each with its own id, tenant and Stripe `created` time, the tenants' payments
interleaved in time.
"""

from __future__ import annotations

import copy
import json
import random
import statistics
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

from bench import stats
from bench.load import Request, run_requests
from bench.rest_seed import commit_documents
from bench.server import BenchServer
from functions.routes import API_PREFIX, ROUTES
from ledger.collections import PAYMENTS
from ledger.store import Doc

__all__ = ["PATH", "route_present", "run_api_reads", "seed_payments"]

PATH = f"{API_PREFIX}/payments"
BATCH = 500
SEED_THREADS = 4


def route_present() -> bool:
    return any(route.method == "GET" and route.path == PATH for route in ROUTES)


def seed_payments(
    host_port: str,
    project: str,
    templates: list[Doc],
    *,
    tenant_counts: Mapping[str, tuple[str, int]],
    created_from: int,
    seed: int = 7,
) -> float:
    """`tenant_counts`: tenant → (its account, how many payments); the seconds it took."""
    owners = [
        (tenant_id, account)
        for tenant_id, (account, count) in tenant_counts.items()
        for _ in range(count)
    ]
    random.Random(seed).shuffle(owners)  # the tenants' payments interleave in time
    docs: list[tuple[str, Doc]] = []
    for index, (tenant_id, account) in enumerate(owners):
        template = templates[index % len(templates)]
        payment_id = f"pi_seed{index:06d}"
        doc = copy.deepcopy(template)
        created = created_from + index
        doc.update(
            payment_id=payment_id,
            payment_intent_id=payment_id,
            tenant_id=tenant_id,
            merchant_account_id=account,
            created=created,
            updated=created + 5,
        )
        docs.append((payment_id, doc))
    batches = [docs[i : i + BATCH] for i in range(0, len(docs), BATCH)]
    started = time.perf_counter()
    with ThreadPoolExecutor(SEED_THREADS) as pool:
        # list() re-raises a failed batch
        list(pool.map(lambda b: commit_documents(host_port, project, PAYMENTS, b), batches))
    return time.perf_counter() - started


def run_api_reads(
    server: BenchServer, api_key: str, *, limit: int, depth: int, samples: int
) -> dict[str, Any]:
    base_url = server.url
    headers = (("Authorization", f"Bearer {api_key}"),)
    first = f"{PATH}?limit={limit}"
    walk_started = time.perf_counter()
    path, cursor = first, None
    seen = 0
    walk_ms: list[float] = []
    for _ in range(depth - 1):  # follow the cursors to page `depth`
        body, latency_s = _get(base_url, path, headers)
        walk_ms.append(round(latency_s * 1000, 1))
        seen += len(body["data"])
        cursor = body.get("next_cursor")
        if not cursor:
            raise RuntimeError(f"the list ended after {seen} payments, before page {depth}")
        path = f"{first}&cursor={quote(cursor)}"
    walk_s = time.perf_counter() - walk_started
    deep = path
    page_deep, _ = _get(base_url, deep, headers)
    requests = [Request("GET", p, None, headers) for _ in range(samples) for p in (first, deep)]
    server.rpc(reset=True)
    responses, _ = run_requests(base_url, requests, concurrency=1)
    server_time = server.rpc(reset=True)["time"]
    if any(r.status != 200 for r in responses):
        raise RuntimeError(f"GET {PATH} answered {sorted({r.status for r in responses})}")
    first_ms = [r.latency_s * 1000 for r in responses if r.index % 2 == 0]
    deep_ms = [r.latency_s * 1000 for r in responses if r.index % 2 == 1]
    return {
        "measured": True,
        "limit": limit,
        "page": depth,
        "rows_before_page": seen,
        "rows_on_page": len(page_deep["data"]),
        "walk_to_page_s": round(walk_s, 2),
        "walk_ms": walk_ms,  # pages 1 .. depth-1, once each, on the way down
        "samples": samples,
        "page_1": _latency(first_ms),
        f"page_{depth}": _latency(deep_ms),
        "ratio_p50": stats.ratio(statistics.median(deep_ms), statistics.median(first_ms)),
        "server_time": server_time,  # per request: waiting on Firestore, and the rest
    }


def _latency(samples_ms: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(stats.percentile(samples_ms, 50), 2),
        "p95_ms": round(stats.percentile(samples_ms, 95), 2),
        "max_ms": round(max(samples_ms), 2),
    }


def _get(base_url: str, path: str, headers: tuple[tuple[str, str], ...]) -> tuple[Any, float]:
    """The page's body, and how long it took."""
    responses, _ = run_requests(base_url, [Request("GET", path, None, headers)], concurrency=1)
    response = responses[0]
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {response.body[:300]!r}")
    return json.loads(response.body), response.latency_s
