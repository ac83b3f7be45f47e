"""`officemgr bench [--scale small|large] [--runs N] [--json FILE]`: start, huddle, keys and memory against
their budgets, on a demo database built (once per scale) in the temporary folder. Exit 0 when it ran, even
with a figure over budget (the table says OVER); 1 when it could not run."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options

    bench = sub.add_parser("bench", help="measure start, huddle build, keys and memory against their budgets")
    _global_options(bench, suppress=True)
    bench.add_argument("--scale", choices=("small", "large"), default="small")
    bench.add_argument("--runs", type=int, default=5, metavar="N", help="measured runs after a warm-up (default 5)")
    bench.add_argument("--json", metavar="FILE", help="also write every figure as JSON here")


def run(args: argparse.Namespace) -> int:
    from officemgr.bench import report
    from officemgr.bench.runner import BenchError, run_bench

    if args.runs < 1:
        print("officemgr: --runs must be 1 or more", file=sys.stderr)
        return 2
    print(f"Measuring on the {args.scale} demo ({args.runs} runs)…", file=sys.stderr)
    try:
        data = report.as_dict(run_bench(args.scale, runs=args.runs))
    except BenchError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 1
    print(report.table(data))
    if args.json:
        try:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2)
        except OSError as exc:
            print(f"officemgr: cannot write {args.json}: {exc.strerror}", file=sys.stderr)
            return 1
    return 0
