"""Command line: `officemgr` runs the app; subcommands do the rest.

Global options (--db, --url, --today) are accepted before or after a subcommand's own arguments.
Exit codes: 0 done, 1 refused (the message says why; nothing changed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date

from officemgr.store import StoreError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One clear line, never a usage dump: the office manager reads this.
        self.exit(2, f"officemgr: {message} (see officemgr --help)\n")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--today must be a date like 2026-11-23, not '{text}'") from None


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    # In subparsers the defaults are suppressed so a value given before the subcommand survives.
    default = argparse.SUPPRESS if suppress else None
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", default=default, help="SQLite database file")
    where.add_argument("--url", metavar="URL", default=default, help="SQLAlchemy URL (or OFFICEMGR_URL)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", type=_day, default=default,
                        help="the date the app treats as today (default: the real date)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="officemgr", description="The office manager's tool for a small medical practice.")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = sub.add_parser("run", help="open the app (the default)")
    _global_options(run, suppress=True)
    demo = sub.add_parser("demo", help="fill a new database with demo data")
    _global_options(demo, suppress=True)
    demo.add_argument("--scale", choices=("small", "large"), default="small")
    demo.add_argument("--seed", type=int, default=1)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    today = args.today or date.today()
    try:
        if args.command == "demo":
            return _demo(args, today)
        return _run(args, today)
    except StoreError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _open(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from officemgr import store

    url = args.url or (None if args.db else os.environ.get("OFFICEMGR_URL"))
    return store.open_database(path=args.db, url=url)


def _run(args: argparse.Namespace, today: date) -> int:
    engine = _open(args)
    from officemgr.tui.app import make_app

    make_app(engine, today=today, actor=getpass.getuser()).run()
    return 0


def _demo(args: argparse.Namespace, today: date) -> int:
    from officemgr import demo

    engine = _open(args)
    try:
        summary = demo.fill(engine, today=today, seed=args.seed, scale=args.scale)
    except ValueError as exc:
        print(f"officemgr: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in summary.as_dict().items())
    print(f"Demo practice for {today:%Y-%m-%d} (seed {args.seed}, {args.scale}) written to {engine.url.database}:")
    print(counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
