"""The printed table: the four sections of one run, ratios next to the figures they come from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["SECTION_TITLES", "format_report"]

SECTION_TITLES = (
    "1. Webhook ingest",
    "2. Floor: bare Firestore transactions",
    "3. Cold start",
    "4. API reads",
)


def format_report(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"Payment Event Processor benchmark ({results['config']}), {results['started_at']}",
        f"machine: {machine['cores']} cores, {machine['cpu_model']}, {machine['memory_gib']} GiB, "
        f"Python {machine['python']}; load average at start "
        f"{machine['load_average_at_start']}, at end {machine.get('load_average_at_end')}",
        "",
    ]
    if "ingest" in results:
        lines += _ingest(results)
        lines += _floor(results)
    if "cold_start" in results:
        lines += _cold_start(results["cold_start"])
    if "api_reads" in results:
        lines += _api_reads(results["api_reads"])
    lines.append(f"wall time: {results['wall_s']} s")
    return "\n".join(lines)


def _ingest(results: dict[str, Any]) -> list[str]:
    w = results["workload"]
    rows = []
    for run in results["ingest"]:
        hook = run["webhook"]
        d, rpc, lag = hook["deliveries"], hook["rpc"], hook["lag"]
        split = rpc["ack_time"]
        rows.append(
            [
                run["concurrency"],
                d["per_s"],
                d["p50_ms"],
                d["p99_ms"],
                hook["slow_deliveries"],
                f"{split.get('rpc_ms', '-')} + {split.get('other_ms', '-')}",
                f"{rpc['ack_per_unique_event']} + {rpc['apply_per_unique_event']}",
                hook["end_to_end"]["per_s"],
                f"{lag.get('p50_s', '-')} / {lag.get('p99_s', '-')}",
                hook["retries"]["events_retried"],
                hook["retries"]["contentions"],
                hook["resyncs"]["fetches"],
                "PASS" if hook["correctness"]["passed"] else "FAIL",
            ]
        )
    head = [
        "conc",
        "ack/s",
        "ack p50 ms",
        "ack p99 ms",
        ">= 1 s",
        "ack server ms: RPC + rest",
        "RPC/event: ack + apply",
        "e2e ev/s",
        "lag p50/p99 s",
        "retried",
        "contentions",
        "resync reads",
        "in-order check",
    ]
    title = (
        f"{SECTION_TITLES[0]}: {w['deliveries']} signed deliveries ({w['duplicates']} duplicates) "
        f"of {w['unique_events']} events, {w['payments']} payments, shuffled; POST /webhook, "
        "applied by the ordered apply queue"
    )
    lines = [title, *_table(head, rows)]
    for run in results["ingest"]:
        for problem in run["webhook"]["correctness"]["problems"]:
            lines.append(f"  c={run['concurrency']}: {problem}")
    return [*lines, ""]


def _floor(results: dict[str, Any]) -> list[str]:
    rows = []
    for run in results["ingest"]:
        f, r = run["floor"]["transactions"], run["ratios"]
        split = run["floor"]["rpc"]["time"]
        rows.append(
            [
                run["concurrency"],
                f["per_s"],
                f["p50_ms"],
                f["p95_ms"],
                f["p99_ms"],
                run["floor"]["rpc"]["per_transaction"],
                f"{split.get('rpc_ms', '-')} + {split.get('other_ms', '-')}",
                _x(r["ack_throughput"]),
                _x(r["ack_p50"]),
                _x(r["ack_p99"]),
                _x(r["ack_alone_throughput"]),
                _x(r["ack_alone_p99"]),
                _x(r["ack_floor_throughput"]),
                _x(r["ack_floor_p99"]),
                _x(r["end_to_end_throughput"]),
                _x(r["end_to_end_over_push_floor"]),
            ]
        )
    head = [
        "conc",
        "tx/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "RPC/tx",
        "ms: RPC + rest",
        "ack thr",
        "ack p50",
        "ack p99",
        "alone thr",
        "alone p99",
        "bare ack thr",
        "bare ack p99",
        "e2e thr",
        "e2e/push",
    ]
    title = (
        f"{SECTION_TITLES[1]} (read 1, write as many as each apply wrote), and webhook/floor "
        "ratios (throughput: >= 1 is at least the floor's; latency: <= 1 is as quick)"
    )
    lines = [title, *_table(head, rows)]
    ledger = results.get("ledger_floor")
    if ledger:
        t, r = ledger["transactions"], ledger["ratios"]
        lines.append(
            f"  ledger floor (the webhook path's Firestore work alone: claim create + apply "
            f"transaction with the ledger's documents), c=1, {t['count']} events: "
            f"{t['per_s']}/s, p50 {t['p50_ms']} ms, {ledger['rpc']['per_transaction']} RPC; "
            f"ledger/floor p50 {_x(r['ledger_over_floor_p50'])}, "
            f"webhook/ledger p50 {_x(r['webhook_over_ledger_p50'])}"
        )
    push = results.get("push_floor")
    if push:
        lines.append(
            f"  push floor (the emulator's ordered push to an endpoint that does nothing): "
            f"{push['pushed']} of {push['messages']} messages over {push['keys']} keys, "
            f"{push['per_s']}/s, at most {push['max_in_flight']} in flight"
        )
    collision = results.get("collision")
    if collision:
        lines.append(
            f"  two bare transactions on one document: {', '.join(collision['outcomes'])}; "
            f"{collision['fastest_s']} s and {collision['slowest_s']} s"
        )
    return [*lines, ""]


def _cold_start(cold: dict[str, Any]) -> list[str]:
    rows = []
    for name, row in cold.items():
        if not row.get("measured"):
            rows.append([name, "-", "-", "-", "-", row.get("why", ""), ""])
            continue
        beyond = row["importtime"]["beyond_hello_world"]
        top = f"{beyond['total_ms']:.0f}: " + ", ".join(
            f"{package} {ms:.0f}" for package, ms in list(beyond["top_packages_ms"].items())[:3]
        )
        rows.append(
            [
                name,
                row["first_200_ms"],
                row["first_request_ms"],
                row["hello_world_ms"],
                _x(row["ratio"]),
                row["probe"],
                top,
            ]
        )
    head = [
        "function",
        "first 2xx ms",
        "of which request",
        "hello ms",
        "ratio",
        "probe",
        "imports beyond hello-world (self ms)",
    ]
    title = (
        f"{SECTION_TITLES[2]}: process start to first success under functions-framework, vs a "
        "hello-world importing the same client libraries, started next to it (medians; ratio: "
        "median of the pairs)"
    )
    offenders = ["  python -X importtime, top offenders of the whole process (self ms):"]
    for name, row in cold.items():
        if row.get("measured"):
            packages = list(row["importtime"]["top_packages_ms"].items())[:5]
            offenders.append(f"    {name}: " + ", ".join(f"{pkg} {ms:.0f}" for pkg, ms in packages))
    return [title, *_table(head, rows), *offenders, ""]


def _api_reads(reads: dict[str, Any]) -> list[str]:
    title = SECTION_TITLES[3]
    if not reads.get("measured"):
        return [f"{title}: not measured ({reads.get('why')})", ""]
    page = reads["page"]
    deep = reads[f"page_{page}"]
    rows = [
        [1, reads["page_1"]["p50_ms"], reads["page_1"]["p95_ms"], reads["page_1"]["max_ms"]],
        [page, deep["p50_ms"], deep["p95_ms"], deep["max_ms"]],
    ]
    title = (
        f"{title}: GET /api/v1/payments?limit={reads['limit']}, {reads['tenant_payments']} "
        f"payments in the tenant, {reads['other_tenants_payments']} in others; "
        f"{reads['samples']} samples each"
    )
    lines = [title, *_table(["page", "p50 ms", "p95 ms", "max ms"], rows)]
    return [*lines, f"page {page} / page 1 (p50): {_x(reads['ratio_p50'])}", ""]


def _x(value: float) -> str:
    return f"{value:.2f}x"


def _table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    cells = [[str(c) for c in head], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    out = []
    for n, row in enumerate(cells):
        out.append(
            "  "
            + "  ".join(c.rjust(w) if n else c.ljust(w) for c, w in zip(row, widths, strict=True))
        )
        if n == 0:
            out.append("  " + "  ".join("-" * w for w in widths))
    return out
