"""Month-end from the command line (issue 24): `report month` writes a month's report (Markdown or printable HTML),
`close month` closes an ended month for posting and `reopen month` reopens it with a reason (the manager)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from officemgr.cli.exports import add_force, log_export, refused, save, shown, taken, to_stdout
from officemgr.cli.options import (
    DONE,
    Parser,
    SubParsers,
    acting_user,
    add_command,
    database_missing,
    fail,
    kinds,
    now_on,
    open_database,
    say,
)


def month_arg(text: str) -> date:
    """--month (argparse `type=`): 2026-11 as its first day; anything else a bad usage with an example."""
    from officemgr.services.common import ServiceError
    from officemgr.services.month_close import parse_month

    try:
        return parse_month(text)
    except ServiceError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _month_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--month", required=True, metavar="YYYY-MM", type=month_arg,
                        help="the month, e.g. 2026-11 for November 2026")


def _group(subparsers: SubParsers, name: str, help: str) -> SubParsers:
    parser = add_command(subparsers, name, help)
    return parser.add_subparsers(dest="what", parser_class=Parser, required=True, metavar="WHAT")


def register(subparsers: SubParsers) -> None:
    report = add_command(kinds(subparsers, "report"), "month",
                         "the month-end report: charges, payments, adjustments, the A/R roll-forward and the KPIs")
    _month_option(report)
    report.add_argument("--format", choices=("md", "html"), default="md",
                        help="Markdown (the default) or a printable HTML page")
    report.add_argument("--out", metavar="FILE", help="write the report here instead of standard output")
    add_force(report)
    report.set_defaults(handler=report_month)
    close = add_command(_group(subparsers, "close", "close a month for posting (the manager)"), "month",
                        "close an ended month: postings dated in it are refused from then on")
    _month_option(close)
    close.add_argument("--force", action="store_true",
                       help="close although steps of the checklist are not ticked (the audit log names them)")
    close.set_defaults(handler=close_month)
    reopen = add_command(_group(subparsers, "reopen", "reopen a closed month (the manager, with a reason)"),
                         "month", "reopen a closed month; the latest closed month first")
    _month_option(reopen)
    reopen.add_argument("--reason", required=True, help="why it is reopened (kept in the audit log)")
    reopen.set_defaults(handler=reopen_month)


def report_month(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.services import month_report
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    out = Path(args.out) if args.out else None
    code = taken(args, [out] if out else [])
    if code is not None:
        return code
    # Checked before opening, so a mistyped name does not create an empty database to report on.
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "the month-end report", reads=(Area.finance,))
        with store.read_session(engine) as session:
            report = month_report.month_report(session, args.month, today=args.today, actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    render = month_report.report_html if args.format == "html" else month_report.report_markdown
    data = render(report).encode("utf-8")
    if out is None:
        to_stdout(data)
    else:
        try:
            save(args, out, data)
        except OutputRefused as exc:
            return refused(exc)
    where = shown(out) if out else "standard output"
    print(f"{report.month:%B %Y}: {report.roll_forward.line}; written to {where}.",
          file=sys.stderr if out is None else sys.stdout)
    return log_export(args, "month", {"file": where if out else "stdout", "month": args.month,
                                      "format": args.format}, report=True)


def close_month(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import month_close
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError
    from officemgr.services.format import money

    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "closing a month", writes=(Area.finance,))
        with store.write_session(engine) as session:
            status = month_close.close_month(session, args.month, today=args.today, now=now_on(args.today),
                                             actor=actor, force=args.force)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    say(f"{status.month:%B %Y} closed: insurance A/R {money(status.insurance_ar_cents)}, patient A/R "
        f"{money(status.patient_ar_cents)}; postings dated in it are refused from now on.")
    if status.unticked:
        say(f"Closed with steps not ticked: {', '.join(status.unticked)}.")
    return DONE


def reopen_month(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import month_close
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "reopening a month", writes=(Area.finance,))
        with store.write_session(engine) as session:
            month_close.reopen_month(session, args.month, args.reason, now=now_on(args.today), actor=actor)
    except ServiceError as exc:
        return fail(str(exc))
    finally:
        engine.dispose()
    say(f"{args.month:%B %Y} reopened; postings dated in it are taken again until it is closed.")
    return DONE
