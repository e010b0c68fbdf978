"""One benchmark run: the four sections side by side, against one set of emulators.

Order: webhook ingest and its floor, concurrency by concurrency (each pair back to back, so a
burst of load from elsewhere on the machine hits both sides of a ratio alike); then cold
start; then API reads. Firestore is emptied between sections.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from bench import api_reads, cold_start, stats
from bench.config import BenchConfig
from bench.environment import PROJECT, Emulators, running_emulators, running_stripe_emulator
from bench.events import (
    CONNECT_SECRET,
    INTERNAL_TOKEN,
    PLATFORM_SECRET,
    TENANTS,
    Workload,
    build_workload,
)
from bench.floor import measure_collision, run_ack_floor, run_floor
from bench.ingest import ordering_keys, run_ack_alone, run_ingest, seed_tenants
from bench.ledger_floor import PAYMENTS_COLLECTION as LEDGER_PAYMENTS
from bench.ledger_floor import run_ledger_floor
from bench.machine import describe_machine
from bench.push_floor import run_push_floor
from bench.reference import Ledger, in_order_ledger
from bench.rest_seed import commit_documents
from bench.seed import create_api_key, create_connected_tenant
from bench.server import BenchServer, running_server
from emulators import pubsub
from emulators.gcloud import free_port
from functions.routes import FUNCTION_NAMES
from payments.events.model import StripeEvent
from payments.webhooks import queues
from payments.webhooks.records import inbox_record
from payments.webhooks.routing import EventRoute, ordering_key

__all__ = ["SECTIONS", "run_bench"]

Say = Callable[[str], None]
STRIPE_KEY = "sk_test_bench"
COLD_TENANT = "tenant_bench_cold"  # its account is at the Stripe emulator
ACK_FLOOR_TOPIC = "bench-ack-floor"  # no subscription: what is published there is dropped


SECTIONS = ("ingest", "cold_start", "api_reads")  # the floor runs with the ingest


def run_bench(
    config: BenchConfig, *, sections: Sequence[str] = SECTIONS, say: Say = print
) -> dict[str, Any]:
    """The sections asked for (all by default), in the order of `SECTIONS`."""
    started = time.perf_counter()
    results: dict[str, Any] = {
        "config": config.name,
        "machine": describe_machine(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    workload = build_workload(config.deliveries)
    expected = in_order_ledger(workload.events_by_payment, TENANTS, secret=CONNECT_SECRET)
    results["workload"] = {
        "deliveries": len(workload.deliveries),
        "unique_events": workload.unique_events,
        "duplicates": sum(d.duplicate for d in workload.deliveries),
        "payments": workload.payments,
        "tenants": len(TENANTS),
        "types": workload.type_counts(),
    }
    say(
        f"workload: {len(workload.deliveries)} deliveries, {workload.unique_events} unique "
        f"events, {workload.payments} payments over {len(TENANTS)} tenants"
    )
    clock = _SectionClock()
    with running_emulators() as emulators, running_stripe_emulator() as stripe_url:
        env = server_env(emulators, stripe_url)
        with running_server(env, port=free_port(), webhook_port=free_port()) as server:
            _wire_queues(emulators, server)
            clock.lap("start")
            if "ingest" in sections:
                say(f"warm-up: {config.warmup_deliveries} deliveries through both paths")
                _warm_up(emulators, server, config.warmup_deliveries)
                results["collision"] = _collision(emulators, say)
                results["push_floor"] = _push_floor(emulators, workload, say)
                clock.lap("warm_up")
                results["ingest"] = []
                for concurrency in config.concurrencies:
                    run, sizes = _ingest_and_floor(
                        emulators, server, workload, expected, concurrency, say
                    )
                    push = results["push_floor"]["per_s"]
                    run["ratios"]["end_to_end_over_push_floor"] = stats.ratio(
                        run["webhook"]["end_to_end"]["per_s"], push
                    )
                    results["ingest"].append(run)
                    clock.lap(f"ingest_and_floor_c{concurrency}")
                    if len(results["ingest"]) == 1:  # right after the pair it splits
                        results["ledger_floor"] = _ledger_floor(
                            emulators, workload, expected, run, sizes, config, say
                        )
                        clock.lap("ledger_floor")
            if "cold_start" in sections:
                results["cold_start"] = _cold_start(emulators, env, stripe_url, config, say)
                clock.lap("cold_start")
            if "api_reads" in sections:
                results["api_reads"] = _api_reads(emulators, server, expected, config, say)
                clock.lap("api_reads")
    results["section_s"] = clock.laps
    results["machine"]["load_average_at_end"] = _load_average()
    results["wall_s"] = round(time.perf_counter() - started, 1)
    return results


def _wire_queues(emulators: Emulators, server: BenchServer) -> None:
    host = emulators.pubsub.host_port
    pubsub.ensure_queues(host, PROJECT, functions_url=server.url, internal_token=INTERNAL_TOKEN)


def server_env(emulators: Emulators, stripe_url: str) -> dict[str, str]:
    """The functions' settings: the emulators, the bench's signing secrets, a Stripe that is
    the local emulator, and a short retry base (a refund before its payment waits 0.2 s)."""
    return {
        **emulators.server_env(),
        "STRIPE_WEBHOOK_SECRET": PLATFORM_SECRET,
        "STRIPE_CONNECT_WEBHOOK_SECRET": CONNECT_SECRET,
        "STRIPE_SECRET_KEY": STRIPE_KEY,
        "STRIPE_API_BASE": stripe_url,
        "STRIPE_MAX_NETWORK_RETRIES": "0",
        "AUTH_SIGNING_KEY": secrets.token_urlsafe(32),
        "INTERNAL_TOKEN": INTERNAL_TOKEN,
        "WEBHOOK_RETRY_BASE_SECONDS": "0.2",
    }


def _warm_up(emulators: Emulators, server: BenchServer, deliveries: int) -> None:
    """A first, unrecorded pass through the webhook path and the floor: the emulator's JVM
    compiles its hot paths, the server builds its clients and fills its caches."""
    workload = build_workload(deliveries, seed=1, prefix="w")
    expected = in_order_ledger(workload.events_by_payment, TENANTS, secret=CONNECT_SECRET)
    emulators.reset()
    seed_tenants(emulators.store)
    run_ingest(server, emulators.store, workload, expected, concurrency=1, db=emulators.client)
    run_floor(
        emulators.store,
        emulators.counter,
        transactions=deliveries,
        writes_per_transaction=[5],
        concurrency=4,
        tag="warm",
    )


def _push_floor(emulators: Emulators, workload: Workload, say: Say) -> dict[str, Any]:
    """The emulator's ordered push with an endpoint that does nothing: the apply queue's
    ceiling on this machine (`bench.push_floor`)."""
    result = run_push_floor(emulators.pubsub.host_port, PROJECT, ordering_keys(workload))
    say(f"push floor (the emulator's ordered push, bare endpoint): {result}")
    return result


def _collision(emulators: Emulators, say: Say) -> dict[str, Any]:
    """Two bare transactions that read, then write, one document — what two events of one
    payment do — once each: how the emulator settles the collision, and how long it takes."""
    emulators.reset()
    result = measure_collision(emulators.store)
    say(f"collision of two bare transactions: {result}")
    return result


def _ingest_and_floor(
    emulators: Emulators,
    server: BenchServer,
    workload: Workload,
    expected: Ledger,
    concurrency: int,
    say: Say,
) -> tuple[dict[str, Any], list[int]]:
    """The webhook run and the floor at one concurrency, their ratios; and the number of
    documents each apply commit wrote (the floors write as many)."""
    emulators.reset()
    seed_tenants(emulators.store)
    webhook = run_ingest(
        server, emulators.store, workload, expected, concurrency=concurrency, db=emulators.client
    )
    sizes = webhook.pop("apply_writes") or [1]
    webhook["apply_writes_mean"] = round(sum(sizes) / len(sizes), 2)
    emulators.reset()
    seed_tenants(emulators.store)
    with _apply_queue_detached(emulators, server):
        alone = run_ack_alone(server, workload, concurrency=concurrency)
    floor = run_floor(
        emulators.store,
        emulators.counter,
        transactions=len(workload.deliveries),
        writes_per_transaction=sizes,
        concurrency=concurrency,
        tag=f"c{concurrency}",
    )
    emulators.reset()
    ack_floor = _ack_floor(emulators, workload, concurrency)
    w, f, a = webhook["deliveries"], floor["transactions"], alone["deliveries"]
    bare = ack_floor["acks"]
    ratios = {
        # the webhook path's figure over the floor's: throughput ≥ 1 is faster than the floor,
        # latency ≤ 1 is quicker (bench/README.md has the targets)
        "ack_throughput": stats.ratio(w["per_s"], f["per_s"]),
        "end_to_end_throughput": stats.ratio(webhook["end_to_end"]["per_s"], f["per_s"]),
        "ack_p50": stats.ratio(w["p50_ms"], f["p50_ms"]),
        "ack_p99": stats.ratio(w["p99_ms"], f["p99_ms"]),
        # with nothing applying at the same time (the apply queue detached)
        "ack_alone_throughput": stats.ratio(a["per_s"], f["per_s"]),
        "ack_alone_p99": stats.ratio(a["p99_ms"], f["p99_ms"]),
        # the ack's bare mechanism (create + publish from the driver, no HTTP) over the floor
        "ack_floor_throughput": stats.ratio(bare["per_s"], f["per_s"]),
        "ack_floor_p99": stats.ratio(bare["p99_ms"], f["p99_ms"]),
    }
    say(
        f"ingest c={concurrency}: ack {w['per_s']} events/s p50 {w['p50_ms']} ms p99 "
        f"{w['p99_ms']} ms; end to end {webhook['end_to_end']['per_s']}/s, lag {webhook['lag']}; "
        f"floor {f['per_s']}/s p50 {f['p50_ms']} ms; ratios {ratios}; "
        f"correct: {webhook['correctness']['passed']}"
    )
    run = {
        "concurrency": concurrency,
        "webhook": webhook,
        "ack_alone": alone,
        "ack_floor": ack_floor,
        "floor": floor,
    }
    return {**run, "ratios": ratios}, sizes


def _ack_floor(emulators: Emulators, workload: Workload, concurrency: int) -> dict[str, Any]:
    """Each delivery's real inbox record created, and its payload published with its ordering
    key to a topic nobody reads, from the driver (`floor.run_ack_floor`)."""
    now = datetime.now(UTC)
    route_of = {account: EventRoute(tenant_id) for tenant_id, account in TENANTS.items()}
    records = []
    for i, delivery in enumerate(workload.deliveries):
        event = StripeEvent.from_payload(delivery.payload)
        raw = json.dumps(delivery.payload)
        claim = {"token": f"{i:032x}", "until": now}
        record = inbox_record(
            event, raw, route_of[str(event.account)], now=now, claim=claim, ordering_key="k"
        )
        records.append((f"ack_{concurrency}_{i}", record, ordering_key(event), raw.encode()))
    pubsub.ensure_topic(emulators.pubsub.host_port, PROJECT, ACK_FLOOR_TOPIC)
    return run_ack_floor(
        emulators.store,
        emulators.counter,
        records,
        concurrency=concurrency,
        publisher=queues.publisher(),
        topic=f"projects/{PROJECT}/topics/{ACK_FLOOR_TOPIC}",
    )


@contextmanager
def _apply_queue_detached(emulators: Emulators, server: BenchServer) -> Iterator[None]:
    """No apply subscription while the block runs (what is published meanwhile is dropped),
    then the queues as before."""
    pubsub.delete_subscription(emulators.pubsub.host_port, PROJECT, pubsub.APPLY_SUBSCRIPTION)
    try:
        yield
    finally:
        _wire_queues(emulators, server)


def _ledger_floor(
    emulators: Emulators,
    workload: Workload,
    expected: Ledger,
    first: dict[str, Any],
    sizes: list[int],
    config: BenchConfig,
    say: Say,
) -> dict[str, Any]:
    """The webhook path's own Firestore work, at concurrency 1 (`bench.ledger_floor`), next to
    the bare floor and the webhook of the same concurrency."""
    emulators.reset()
    result = run_ledger_floor(
        emulators.store,
        emulators.counter,
        workload,
        expected,
        transactions=config.ledger_floor_transactions,
        writes_per_transaction=sizes,
        tag="ledger",
        seed_payments=lambda rows: commit_documents(
            emulators.firestore.host_port, PROJECT, LEDGER_PAYMENTS, rows
        ),
    )
    ledger = result["transactions"]
    floor = first["floor"]["transactions"]
    webhook = first["webhook"]["deliveries"]
    result["vs"] = {"concurrency": first["concurrency"]}
    result["ratios"] = {
        # the design's Firestore work over a bare transaction
        "ledger_over_floor_p50": stats.ratio(ledger["p50_ms"], floor["p50_ms"]),
        # everything else on the webhook path: HTTP, signature, routing, reducer, process hop
        "webhook_over_ledger_p50": stats.ratio(webhook["p50_ms"], ledger["p50_ms"]),
    }
    say(f"ledger floor c=1: p50 {ledger['p50_ms']} ms; ratios {result['ratios']}")
    return result


def _cold_start(
    emulators: Emulators,
    env: dict[str, str],
    stripe_url: str,
    config: BenchConfig,
    say: Say,
) -> dict[str, Any]:
    """Each function's first answer from a fresh process; the API calls use an owner key of a
    tenant whose account is at the Stripe emulator (connect and checkout call it)."""
    emulators.reset()
    seed_tenants(emulators.store)
    create_connected_tenant(emulators.store, stripe_url, COLD_TENANT, stripe_key=STRIPE_KEY)
    owner_key = create_api_key(emulators.store, COLD_TENANT, role="owner")
    probes = cold_start.probes(
        emulators.store, webhook_tenant=next(iter(TENANTS)), owner_key=owner_key
    )
    results = cold_start.run_cold_start(
        env,
        probes,
        runs=config.cold_start_runs,
        functions=config.cold_start_functions or FUNCTION_NAMES,
    )
    for name, row in results.items():
        if row.get("measured"):
            say(
                f"cold start {name}: {row['first_200_ms']} ms vs hello-world "
                f"{row['hello_world_ms']} ms = {row['ratio']}x"
            )
        else:
            say(f"cold start {name}: not measured ({row.get('why')})")
    return results


def _api_reads(
    emulators: Emulators, server: BenchServer, expected: Ledger, config: BenchConfig, say: Say
) -> dict[str, Any]:
    if not api_reads.route_present():
        return {"measured": False, "why": f"no GET {api_reads.PATH} route"}
    emulators.reset()
    tenants = list(TENANTS.items())
    caller = tenants[0][0]
    counts = {caller: (TENANTS[caller], config.tenant_payments)}
    others = tenants[1:]
    for i, (tenant_id, account) in enumerate(others):
        share = config.other_payments // len(others) + (
            1 if i < config.other_payments % len(others) else 0
        )
        counts[tenant_id] = (account, share)
    templates = list(expected["payments"].values())
    seed_s = api_reads.seed_payments(
        emulators.firestore.host_port,
        PROJECT,
        templates,
        tenant_counts=counts,
        created_from=1_700_000_000,
    )
    key = create_api_key(emulators.store, caller, role="viewer")
    result = api_reads.run_api_reads(
        server, key, limit=config.page_limit, depth=config.page_depth, samples=config.page_samples
    )
    result["tenant_payments"] = config.tenant_payments
    result["other_tenants_payments"] = config.other_payments
    result["seed_s"] = round(seed_s, 1)
    deep = result[f"page_{config.page_depth}"]
    say(
        f"api reads: page 1 p50 {result['page_1']['p50_ms']} ms, page {config.page_depth} "
        f"p50 {deep['p50_ms']} ms, ratio {result['ratio_p50']}"
    )
    return result


class _SectionClock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 1)
        self._last = now


def _load_average() -> list[float]:
    import os

    return [round(x, 2) for x in os.getloadavg()]
