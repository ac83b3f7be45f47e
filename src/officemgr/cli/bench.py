"""`officemgr bench [--scale small|large] [--runs N] [--json FILE [--force]]`: start, huddle, keys and memory against
their budgets, on a demo database built (once per scale) in the temporary folder. Exit 0 when it ran, even
with a figure over budget (the table says OVER); 1 when it could not run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from officemgr.cli.options import BAD_USAGE, DONE, SubParsers, add_command, fail


def register(subparsers: SubParsers) -> None:
    bench = add_command(subparsers, "bench", "measure start, huddle build, keys and memory against their budgets")
    bench.add_argument("--scale", choices=("small", "large"), default="small")
    bench.add_argument("--runs", type=int, default=5, metavar="N", help="measured runs after a warm-up (default 5)")
    bench.add_argument("--json", metavar="FILE", help="also write every figure as JSON here (not over a file)")
    bench.add_argument("--force", action="store_true", help="replace the --json file if it exists")
    bench.set_defaults(handler=measure)


def measure(args: argparse.Namespace) -> int:
    from officemgr.bench import report
    from officemgr.bench.runner import BenchError, run_bench
    from officemgr.outfiles import OutputRefused, refuse_existing, write_private

    if args.runs < 1:
        return fail("--runs must be 1 or more", BAD_USAGE)
    try:
        if args.json and not args.force:
            refuse_existing(Path(args.json))  # before minutes of measuring, not after
    except OutputRefused as exc:
        return fail(str(exc))
    print(f"Measuring on the {args.scale} demo ({args.runs} runs)…", file=sys.stderr)
    try:
        data = report.as_dict(run_bench(args.scale, runs=args.runs))
    except BenchError as exc:
        return fail(str(exc))
    print(report.table(data))
    if args.json:
        try:
            write_private(Path(args.json), json.dumps(data, indent=2).encode("utf-8"), force=args.force)
        except OutputRefused as exc:
            return fail(str(exc))
    return DONE
