"""`officemgr settings list|get|set|reset`: the practice's settings for scripts, as the Settings screen (key ,)
shows them. Anyone signed in may list and get them; set and reset are the manager's, checked and audited. VALUE is
typed as in the screen's form: a number, yes/no, a list with commas ("Mon, Tue"), or JSON for the structured ones.
Exit 0 done, 1 refused (the message says why; nothing was changed).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TypeVar

from officemgr.cli.options import (
    DONE,
    SubParsers,
    acting_user,
    add_command,
    database_missing,
    fail,
    now_on,
    open_database,
    say,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlmodel import Session

    from officemgr.services.settings_catalog import SettingRow

T = TypeVar("T")
CELL = 40  # a value's width in the list: a long JSON value would push the defaults off the screen


def register(subparsers: SubParsers) -> None:
    cmd = add_command(subparsers, "settings", "the practice's settings: list, get, set, reset (set and reset: "
                                              "manager)")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = add_command(actions, "list", "every setting: area, key, value, default")
    listing.add_argument("--json", action="store_true", help="one JSON object per setting, for scripts")
    listing.set_defaults(handler=list_settings)
    get = add_command(actions, "get", "print one setting's value as JSON")
    get.add_argument("setting", metavar="KEY")
    get.set_defaults(handler=get_setting)
    put = add_command(actions, "set", "change a setting (VALUE as the Settings screen takes it)")
    put.add_argument("setting", metavar="KEY")
    put.add_argument("value", metavar="VALUE")
    put.set_defaults(handler=set_setting)
    reset = add_command(actions, "reset", "put a setting back to its default")
    reset.add_argument("setting", metavar="KEY")
    reset.set_defaults(handler=reset_setting)


def _read(args: argparse.Namespace, work: Callable[[Session, str], T]) -> tuple[T | None, int]:
    """`work(session, actor)` in one read, as whoever is signed in: (its result, DONE), or (None, the exit code)
    with the refusal said."""
    from officemgr import store
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    if database_missing(args):
        return None, fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "seeing the practice's settings", reads=(Area.settings,))
        with store.read_session(engine) as session:
            return work(session, actor), DONE
    except ServiceError as exc:
        return None, fail(str(exc))
    finally:
        engine.dispose()


def list_settings(args: argparse.Namespace) -> int:
    from officemgr.services import settings_catalog

    rows, code = _read(args, lambda session, actor: settings_catalog.list_settings(session, actor=actor))
    if rows is None:
        return code
    if args.json:
        for r in rows:
            print(json.dumps({"area": r.area, "key": r.key, "label": r.label, "value": r.value,
                              "default": r.default, "changed": r.changed, "editable": r.editable}))
        return DONE
    cells = [("AREA", "KEY", "VALUE", "DEFAULT")] + [
        (r.area, r.key, _cut(r.value + ("" if r.editable else " (read-only)")), _cut(r.default) if r.changed else "=")
        for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    for row in cells:
        say("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3])
    if any(cell.endswith("…") for row in cells for cell in row[2:]):
        say(f"(values longer than {CELL} characters are cut: officemgr settings get KEY prints one whole)")
    return DONE


def _cut(text: str) -> str:
    return text if len(text) <= CELL else text[:CELL - 1] + "…"


def get_setting(args: argparse.Namespace) -> int:
    from officemgr.services import settings, settings_catalog

    def value(session: Session, actor: str) -> object:
        settings_catalog.setting_row(session, args.setting, actor=actor)  # the check: a known key, one they may see
        return settings.get(session, args.setting)

    got, code = _read(args, value)
    if code == DONE:
        print(json.dumps(got, ensure_ascii=False))
    return code


def _change(args: argparse.Namespace, change: Callable[[Session, str], SettingRow]) -> SettingRow | int:
    """Sign the manager in, then `change(session, actor)` in one write: its row, or the exit code of the refusal."""
    from officemgr import store
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, "changing the practice's settings", writes=(Area.settings,))
        with store.write_session(engine) as session:
            return change(session, actor)
    except ServiceError as exc:
        message = str(exc)
        return fail(message if "nothing was changed" in message else f"{args.setting}: {message}; nothing was changed")
    finally:
        engine.dispose()


def set_setting(args: argparse.Namespace) -> int:
    from officemgr.services import settings_catalog

    row = _change(args, lambda session, actor: settings_catalog.set_setting(
        session, args.setting, args.value, now=now_on(args.today), actor=actor))
    if isinstance(row, int):
        return row
    say(f"{row.label} ({row.key}) is now {row.value}" + ("" if row.changed else " (the default)"))
    return DONE


def reset_setting(args: argparse.Namespace) -> int:
    from officemgr.services import settings_catalog

    row = _change(args, lambda session, actor: settings_catalog.reset_setting(
        session, args.setting, now=now_on(args.today), actor=actor))
    if isinstance(row, int):
        return row
    say(f"{row.label} ({row.key}) is back to its default: {row.value}")
    return DONE

