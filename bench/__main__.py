"""`python -m bench [--quick] [--only SECTION] [--deliveries N] [--output PATH]`: run the four
sections, print the table, write the results as JSON (`bench/results.json` by default;
`--quick`: `bench/results-quick.json`; `--only` or `--deliveries`: `bench/results-partial.json`).
See bench/README.md for what each figure means."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from bench.config import FULL, QUICK
from bench.report import format_report
from bench.run import SECTIONS, run_bench

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run (under 60 s)")
    parser.add_argument("--output", type=Path, help="where to write the JSON results")
    parser.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        help="run only this section (repeatable; the floor runs with the ingest)",
    )
    parser.add_argument(
        "--deliveries",
        type=int,
        help=f"webhook deliveries per concurrency (default {FULL.deliveries}; the issue's 2000 "
        "takes about 6 minutes on 2 cores, see bench/README.md)",
    )
    args = parser.parse_args(argv)
    config = QUICK if args.quick else FULL
    if args.deliveries:
        config = replace(config, deliveries=args.deliveries)
    partial = bool(args.only) or (bool(args.deliveries) and not args.quick)
    output = args.output or HERE / _default_output(quick=args.quick, partial=partial)

    def say(line: str) -> None:
        print(f"  … {line}", file=sys.stderr, flush=True)

    results = run_bench(config, sections=args.only or SECTIONS, say=say)
    output.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    print(format_report(results))
    print(f"results: {output}")
    failed = [
        r["concurrency"]
        for r in results.get("ingest", [])
        if not r["webhook"]["correctness"]["passed"]
    ]
    if failed:
        print(
            f"the ledger differs from the in-order result at concurrency {failed}", file=sys.stderr
        )
        return 1
    return 0


def _default_output(*, quick: bool, partial: bool) -> str:
    """Only a default run of every section replaces the recorded `results.json`."""
    if quick:
        return "results-quick.json"
    return "results-partial.json" if partial else "results.json"


if __name__ == "__main__":
    sys.exit(main())
