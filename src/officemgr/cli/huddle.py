"""`officemgr huddle [--out FILE] [--show-names]`: the day's huddle sheet as Markdown and/or printable HTML.

FILE.md writes Markdown, FILE.html (or .htm) HTML, a FILE without an extension both FILE.md and FILE.html;
without --out the Markdown goes to standard output. Patients are shown by initials unless --show-names.
Every sheet written is logged (audit entity "export").
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from officemgr.cli.exports import add_force, refused, save_all, shown, taken, to_stdout
from officemgr.cli.options import (
    BAD_USAGE,
    DONE,
    SubParsers,
    acting_user,
    add_command,
    database_missing,
    fail,
    now_on,
    open_database,
)

FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def register(subparsers: SubParsers) -> None:
    hud = add_command(subparsers, "huddle", "write the day's huddle sheet (Markdown and/or printable HTML)")
    hud.add_argument("--out", metavar="FILE",
                     help="FILE.md, FILE.html, or FILE without an extension for both (default: Markdown to "
                          "standard output)")
    hud.add_argument("--show-names", action="store_true",
                     help="print patients' full names (default: initials only)")
    add_force(hud)
    hud.set_defaults(handler=write_sheet)


def _targets(out: str | None) -> list[tuple[Path | None, str]] | None:
    """(path or None for stdout, format) pairs; None for an extension the sheet does not know."""
    if out is None:
        return [(None, "markdown")]
    path = Path(out)
    if not path.suffix:
        return [(path.with_name(path.name + ".md"), "markdown"), (path.with_name(path.name + ".html"), "html")]
    kind = FORMATS.get(path.suffix.lower())
    return None if kind is None else [(path, kind)]


def write_sheet(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.outfiles import OutputRefused
    from officemgr.services import huddle, huddle_actions, huddle_sheet
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError, record

    today: date = args.today
    targets = _targets(args.out)
    if targets is None:
        return fail(f"huddle writes .md or .html (or a name without an extension for both), not "
                    f"'{shown(Path(args.out).suffix)}' (see officemgr --help)", BAD_USAGE)
    # An export never creates a database: a mistyped --db is refused instead of printing an empty day.
    if database_missing(args):
        return fail(f"there is no database {args.db}")
    code = taken(args, [path for path, _ in targets if path is not None])
    if code is not None:
        return code
    now = now_on(today)
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "the huddle sheet", reads=(Area.huddle,))
        with store.write_session(engine) as session:
            h = huddle_sheet.for_paper(huddle.huddle(session, today, actor=actor,
                                                     privacy=not args.show_names))
            actions = huddle_actions.open_actions(session, today)
            finished = huddle_actions.finished_record(session, today)
            texts = {"markdown": huddle_sheet.markdown(h, actions, finished),
                     "html": huddle_sheet.html(h, actions, finished)}
            save_all(args, [(path, texts[kind].encode("utf-8")) for path, kind in targets if path is not None])
            files = " and ".join(shown(p) for p, _ in targets if p is not None) or "standard output"
            record(session, actor=actor, entity="export", entity_id=0, action="huddle",
                   changes={"file": files, "rows": h.total, "names": bool(args.show_names)}, now=now)
            session.commit()
    except OutputRefused as exc:
        return refused(exc)
    except ServiceError as exc:
        return fail(str(exc))
    except DBAPIError as exc:
        return fail(f"the database could not be read ({exc.orig})")
    finally:
        engine.dispose()
    summary = f"Huddle {today:%m/%d/%Y}: {h.total} items, {len(actions)} open actions"
    if targets[0][0] is None:
        to_stdout(texts["markdown"].encode("utf-8"))
        print(f"{summary}; written to standard output.", file=sys.stderr)
    else:
        print(f"{summary}; written to {files}.")
    return DONE
