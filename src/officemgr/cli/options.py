"""What every command shares: the global options (--db, --url, --today, --encrypt, --user), opening the database
and its key, who is acting (`acting_user`), the exit codes, and `fail`, the one way a command refuses.

Loaded before any command runs, so it imports the standard library only: SQLAlchemy and the store load inside
the functions that open the database.

Who is acting: every command that reads or writes patient data or changes the practice names a person
(`acting_user`), whom the audit log records and whose roles the services check:
  export (payroll, ics, inventory, count-sheet, queue), report (audit, compliance), huddle, import (appointments,
  items, era, fees, claims), backup --to, restore, copy (checked on the --from database), users, set-pin.
These ask nothing, as they read no record of the practice: run (the app signs people in itself), demo, check,
check-list, bench, backup into the backups folder, encrypt (the file as a whole, logged as the OS account).
"""

from __future__ import annotations

import argparse
import getpass
import os
import socket
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeAlias, TypeVar

from officemgr.errors import StoreError
from officemgr.plaintext import clipped

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from officemgr.services.access import Area

DONE = 0
REFUSED = 1  # the message says why; nothing was changed
BAD_USAGE = 2
INTERRUPTED = 130  # ctrl+c, as a shell reports it

# The commands that hold kinds (`import items`, `export ics`, `report audit`), with their help.
GROUPS = {
    "import": "import records from a file (all or nothing)",
    "export": "export records to a file",
    "report": "write a report for a period",
}

# A message line longer than this is cut (a header of a million columns, a pasted file): the start says what is wrong.
# Room for a restore hint's command with two long paths in it, which must stay whole to be copied.
LINE_CAP = 1000

# Dates near the calendar's ends overflow the date arithmetic every service does (a week on, a year back).
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


class Parser(argparse.ArgumentParser):
    """Every parser of the command line; `kinds` holds the subcommands of a group command (`import`...)."""

    kinds: SubParsers | None = None

    def error(self, message: str) -> NoReturn:
        # One clear line, never a usage dump: the office manager reads this.
        self.exit(BAD_USAGE, f"officemgr: {shown(message)} (see officemgr --help)\n")


SubParsers: TypeAlias = "argparse._SubParsersAction[Parser]"


def fail(message: str, code: int = REFUSED) -> int:
    """Say why on standard error (`shown`); return the exit code (REFUSED: nothing was changed)."""
    print(f"officemgr: {shown(message)}", file=sys.stderr)
    return code


def say(message: str) -> None:
    """Print a line for the user on standard output, `shown` (it may name a file)."""
    print(shown(message))


def shown(message: str) -> str:
    """A message as it may reach the terminal: a file name or a file's cell in it may hold an ESC or a direction
    override, so control characters are spelled out (line breaks between lines kept) and each line is cut to
    LINE_CAP characters."""
    return "\n".join(clipped(line, LINE_CAP) for line in message.split("\n"))


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def now_on(today: date) -> datetime:
    """Now, on the day the command treats as today (so a demo dated --today stays consistent)."""
    return datetime.combine(today, datetime.now().time().replace(microsecond=0))


def _in_range(day: date, text: str) -> date:
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise argparse.ArgumentTypeError(f"give a date between {_FIRST_DAY} and {_LAST_DAY}, not '{text}'")
    return day


def _today(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--today must be a date like 2026-11-23, not '{text}'") from None
    return _in_range(day, text)


def date_arg(text: str) -> date:
    """An option's date (argparse `type=`): YYYY-MM-DD, within the years the services can count in."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date looks like 2026-11-23, not '{text}'") from None
    return _in_range(day, text)


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--db | --url, --today and --encrypt; every subcommand's parser gets them too (suppress=True)."""
    # In subparsers the defaults are suppressed so a value given before the subcommand survives.
    default = argparse.SUPPRESS if suppress else None
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--db", metavar="PATH", default=default, help="SQLite database file")
    where.add_argument("--url", metavar="URL", default=default, help="SQLAlchemy URL (or OFFICEMGR_URL)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", type=_today, default=default,
                        help="the date the app treats as today (default: the real date)")
    parser.add_argument("--encrypt", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="the SQLite file is encrypted (SQLCipher): ask for its key (or set OFFICEMGR_KEY)")
    parser.add_argument("--user", metavar="LOGIN", default=default,
                        help="who you are, for commands that read patient data: your PIN is asked (or read from "
                             "OFFICEMGR_PIN)")


def add_command(subparsers: SubParsers, name: str, help: str) -> Parser:
    """A subcommand's parser, taking the global options after its own arguments as well as before."""
    parser = subparsers.add_parser(name, help=help)
    add_global_options(parser, suppress=True)
    return parser


def kinds(subparsers: SubParsers, group: str) -> SubParsers:
    """The kinds of a group command (GROUPS): the first module to ask adds the command, so the help lists the
    commands in the order the modules register."""
    parser = subparsers.choices.get(group)
    if parser is None:
        parser = add_command(subparsers, group, GROUPS[group])
        parser.kinds = parser.add_subparsers(dest="what", parser_class=Parser, required=True, metavar="WHAT")
    assert parser.kinds is not None, f"{group} is a command of its own, not a group"
    return parser.kinds


def add_period(parser: argparse.ArgumentParser) -> None:
    """--from and --to, the first and last day of a report's period (args.first, args.last)."""
    parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM-DD", type=date_arg,
                        help="the first day of the period")
    parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM-DD", type=date_arg,
                        help="the last day of the period")


def server_url(args: argparse.Namespace) -> str | None:
    """The --url (or OFFICEMGR_URL) the options name; None when they name a SQLite file."""
    url: str | None = args.url or (None if args.db else os.environ.get("OFFICEMGR_URL"))
    return url


def open_database(args: argparse.Namespace, *, notify: Callable[[str], None] | None = None) -> Engine:
    """The database the options name (migrated to the current schema); StoreError says why it cannot open.

    What the open had to repair (an audit log whose guards were removed) is said on stderr, so a script's output
    stays clean and its log shows it."""
    from officemgr import audit_chain, store

    engine = store.open_database(path=args.db, url=server_url(args), key=database_key(args), notify=notify)
    for notice in audit_chain.notices(engine):
        print(f"officemgr: {notice}", file=sys.stderr)
    return engine


def database_key(args: argparse.Namespace) -> str | None:
    """The SQLCipher key: OFFICEMGR_KEY, or asked once (with --encrypt); None for a plain database."""
    if not hasattr(args, "key"):
        key = os.environ.get("OFFICEMGR_KEY")
        if key is None and args.encrypt:
            key = getpass.getpass("Database key: ")
        if key is not None and not key.strip():
            raise StoreError("the database key is empty; type the key the database was encrypted with")
        args.key = key
    known: str | None = args.key
    return known


def sqlite_file(args: argparse.Namespace) -> Path | None:
    """The SQLite file the options name, or None when they name a server database."""
    from officemgr import dbfile

    url = server_url(args)
    if url is None:
        return Path(args.db) if args.db else dbfile.default_path()
    return Path(url.split("///", 1)[1]) if url.startswith("sqlite:///") and len(url) > len("sqlite:///") else None


def database_missing(args: argparse.Namespace) -> bool:
    """--db names no file: a command that only reads the practice refuses rather than create an empty one."""
    return bool(args.db) and not Path(args.db).is_file()


class NotSignedIn(Exception):
    """The command needs a person and none could be signed in; the message says why (main exits REFUSED)."""


def acting_user(args: argparse.Namespace, engine: Engine, what: str = "", *, reads: tuple[Area, ...] = (),
                writes: tuple[Area, ...] = ()) -> str:
    """The person this command acts as, signed in once per run; then refused (NotAllowed, a ServiceError) unless
    their roles may see `reads` and change `writes` (`what` says what in the refusal).

    In order: --user LOGIN with the PIN from OFFICEMGR_PIN or asked; the active user linked to this operating-system
    account; a demo database's manager (said once on stderr); a practice with no users yet, the program itself
    (said once on stderr, with how to add the manager). Anything else raises NotSignedIn, before any record is read.
    """
    from officemgr.services import access

    actor: str | None = getattr(args, "signed_in", None)
    if actor is None:
        actor = args.signed_in = _resolve(args, engine)
    for area in reads:
        access.require(actor, area, write=False, what=what)
    for area in writes:
        access.require(actor, area, what=what)
    return actor


def os_account() -> str:
    """The operating-system account running this process, as the system knows it: not getpass.getuser(), which
    believes $USER or $LOGNAME, so that setting one could not act as a linked user."""
    try:
        import pwd
    except ImportError:  # Windows: no password database; the logged-on account
        return getpass.getuser()
    return pwd.getpwuid(os.geteuid()).pw_name


def pin_of(args: argparse.Namespace, login: str) -> str:
    """The PIN `login` signs in with: OFFICEMGR_PIN, or asked once per run (NotSignedIn when none is typed)."""
    typed: str | None = getattr(args, "typed_pin", None) or os.environ.get("OFFICEMGR_PIN")
    if typed is None:
        try:
            typed = getpass.getpass(f"PIN for {clipped(login, 30)}: ")
        except EOFError:
            raise NotSignedIn("no PIN was typed; nothing was changed") from None
    args.typed_pin = typed
    return typed


def _resolve(args: argparse.Namespace, engine: Engine) -> str:
    from officemgr import store
    from officemgr.services import users

    workstation = socket.gethostname()
    if args.user:
        typed = pin_of(args, args.user)
        now = now_on(args.today)
        wall = datetime.now()  # one reading: the wait said is the wait this try started, however slow the check
        with store.write_session(engine) as session:
            tried = users.sign_in(session, args.user, typed, workstation=workstation, now=now, wall=wall)
        if tried.actor is not None:
            return tried.actor
        left = tried.wait.seconds_left(wall)
        if not tried.checked:
            raise NotSignedIn(f"too many wrong PINs for {clipped(args.user, 30)}: try again in {left:.0f} s; "
                              "nothing was changed")
        then = f"; wait {left:.0f} s before the next try" if left > 0 else ""
        raise NotSignedIn(f"the login {clipped(args.user, 30)} and that PIN do not match an active user{then}; "
                          "nothing was changed")
    with store.read_session(engine) as session:
        linked = users.os_user_actor(session, os_account(), workstation=workstation, today=args.today)
        demo = None if linked is not None else users.demo_manager(session, workstation=workstation)
        anyone = users.has_users(session)
    if linked is not None:
        return linked
    if demo is not None:
        print("officemgr: demo database: acting as the demo manager (manager); pass --user to act as another",
              file=sys.stderr)
        return demo
    if not anyone:
        print("officemgr: this practice has no users yet, so nobody is asked to sign in; add the manager first: "
              'officemgr users add LOGIN --staff "First Last" --role manager', file=sys.stderr)
        return os_account()
    raise NotSignedIn("this command reads patient data: say who you are with --user LOGIN (the PIN is asked, "
                      "or read from OFFICEMGR_PIN)")


T = TypeVar("T")
MAX_PROBLEMS = 50  # a refusal's listed problems


def refusal(exc: Exception) -> int:
    """The refusal's message, then any listed problem the message does not already carry."""
    message = str(exc)
    code = fail(message)
    extra = [p for p in getattr(exc, "problems", []) or [] if p not in message]
    if len(extra) > 1:  # one problem is the message itself, reworded
        for problem in extra[:MAX_PROBLEMS]:
            print(f"  {problem}", file=sys.stderr)
        if len(extra) > MAX_PROBLEMS:
            print(f"  ... and {len(extra) - MAX_PROBLEMS} more", file=sys.stderr)
    return code


def import_from(args: argparse.Namespace, work: Callable[[Session, Path, datetime, str], T], *, what: str,
                writes: Area, needs_database: bool = False) -> tuple[T | None, int]:
    """Run `work(session, path, now, actor)` for the file `args.file` in one write session, as the user allowed to
    write `writes`: (its result, DONE), or (None, the exit code) with the refusal said."""
    from sqlalchemy.exc import DBAPIError

    from officemgr import store
    from officemgr.services.common import ServiceError
    from officemgr.services.csv_files import echo

    path = Path(args.file)
    # Checked before opening the database, so a mistyped name does not create an empty database.
    if not path.is_file():
        return None, fail(f"there is no file {echo(str(path))}")
    if needs_database and database_missing(args):
        return None, fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        actor = acting_user(args, engine, what, writes=(writes,))
        with store.write_session(engine) as session:
            return work(session, path, now_on(args.today), actor), DONE
    except ServiceError as exc:
        return None, refusal(exc)
    except DBAPIError as exc:
        return None, fail(f"the database refused the import ({exc.orig}); nothing was imported")
    finally:
        engine.dispose()
