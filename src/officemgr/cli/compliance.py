"""Compliance from the command line (issue 5): `check-list --validate` checks a checklist file, `report compliance`
writes a period's report as Markdown (and CSV)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from officemgr.cli.exports import add_force, log_export, refused, save_all, shown, taken, to_stdout
from officemgr.cli.options import (
    BAD_USAGE,
    DONE,
    SubParsers,
    acting_user,
    add_command,
    add_period,
    count,
    database_missing,
    fail,
    kinds,
    open_database,
    say,
)


def register(subparsers: SubParsers) -> None:
    check = add_command(subparsers, "check-list", "validate a compliance checklist file (no database needed)")
    check.add_argument("--validate", action="store_true", help="check every line and report each problem")
    check.add_argument("file", nargs="?", metavar="FILE",
                       help="the checklist CSV (default: the one shipped with officemgr)")
    check.set_defaults(handler=check_list)
    comp = add_command(kinds(subparsers, "report"), "compliance",
                       "checklist occurrences and their completions, staff training, concerns and missing "
                       "temperature readings, as Markdown")
    add_period(comp)
    comp.add_argument("--out", metavar="FILE.md", help="write the Markdown here instead of standard output")
    comp.add_argument("--csv", metavar="FILE.csv", help="also write one row per occurrence as CSV")
    add_force(comp)
    comp.set_defaults(handler=report_compliance)


def check_list(args: argparse.Namespace) -> int:
    """Validate the checklist file; it never opens a database."""
    from officemgr.checklist import ChecklistError, checklist_path, load_checklist

    if not args.validate:
        return fail("check-list needs --validate: officemgr check-list --validate [FILE] (see officemgr --help)",
                    BAD_USAGE)
    path = args.file or checklist_path()
    try:
        rows = load_checklist(path)
    except ChecklistError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return fail(f"{count(len(exc.problems), 'problem')} in {path}; nothing was loaded")
    say(f"{path}: {count(len(rows), 'item')}, all valid")
    return DONE


def report_compliance(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.services import compliance_report
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    try:
        compliance_report.check_period(args.first, args.last)
    except ServiceError as exc:
        return fail(str(exc))
    if args.out and args.csv and Path(args.out) == Path(args.csv):
        return fail("--out and --csv name the same file; give each its own name", BAD_USAGE)
    code = taken(args, [Path(where) for where in (args.out, args.csv) if where])
    if code is not None:
        return code
    # Checked before opening, so a mistyped name does not create an empty database to report on.
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        acting_user(args, engine, "the compliance report", reads=(Area.compliance,))
        with store.read_session(engine) as session:
            report = compliance_report.compliance_report(session, args.first, args.last, args.today)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    markdown = compliance_report.to_markdown(report).encode("utf-8")
    outputs: list[tuple[str, bytes]] = []
    if args.csv:
        outputs.append((args.csv, compliance_report.to_csv(report).encode("utf-8")))
    if args.out:
        outputs.insert(0, (args.out, markdown))
    try:
        save_all(args, [(Path(where), data) for where, data in outputs])
    except OutputRefused as exc:
        return refused(exc)
    if args.out is None:
        to_stdout(markdown)
    # The Markdown owns standard output when it goes there; the summary goes to stderr then.
    written = " and ".join(shown(where) for where, _ in outputs) or "standard output"
    print(f"Compliance {args.first.isoformat()} to {args.last.isoformat()}: {report.summary.line}; "
          f"written to {written}.", file=sys.stderr if args.out is None else sys.stdout)
    return log_export(args, "compliance", {"file": written if outputs else "stdout", "rows": len(report.lines),
                                           "from": args.first, "to": args.last}, report=True)
