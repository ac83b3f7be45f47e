"""`officemgr users list|add|disable|reset-pin`: the practice's sign-ins, kept by the manager (the auditor may list).

`users add LOGIN --staff "First Last" --role ROLE[,ROLE] [--os-user NAME]` gives a staff member a sign-in; its PIN
is read from OFFICEMGR_NEW_PIN or asked twice, as is the new PIN of `users reset-pin LOGIN`. On a practice with no
users yet, the first `users add` needs no sign-in and makes the manager (adding the staff record if there is none).
A disabled user signs in no more and keeps their history. Exit 0 done, 1 refused (nothing changed).
"""

from __future__ import annotations

import argparse
import getpass
import os
import socket
from typing import TYPE_CHECKING

from officemgr.cli.options import (
    DONE,
    REFUSED,
    NotSignedIn,
    SubParsers,
    acting_user,
    add_command,
    database_missing,
    fail,
    now_on,
    open_database,
    say,
    shown,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from officemgr.services.users import UserRow


def register(subparsers: SubParsers) -> None:
    cmd = add_command(subparsers, "users", "the practice's sign-ins: list, add, disable, reset a PIN, link an OS "
                                           "account (manager)")
    actions = cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = add_command(actions, "list", "every user: login, name, roles, active, linked OS account")
    listing.set_defaults(handler=list_users)
    add = add_command(actions, "add", "give a staff member a sign-in (PIN from OFFICEMGR_NEW_PIN or asked twice)")
    add.add_argument("login", metavar="LOGIN", help="a short name to sign in with, e.g. kim")
    add.add_argument("--staff", required=True, metavar='"First Last"', help="the staff member, as on the Staff tab")
    add.add_argument("--role", required=True, metavar="ROLE[,ROLE]",
                     help="manager, front_desk, biller, clinical or auditor; several with commas")
    add.add_argument("--os-user", metavar="NAME",
                     help="the operating-system account that may act as this user without a PIN (for scripts)")
    add.set_defaults(handler=add_user)
    disable = add_command(actions, "disable", "stop a user signing in (their history stays)")
    disable.add_argument("login", metavar="LOGIN")
    disable.set_defaults(handler=disable_user)
    reset = add_command(actions, "reset-pin", "set a new PIN for a user who forgot theirs or is waiting after "
                                              "wrong PINs (from OFFICEMGR_NEW_PIN or asked twice)")
    reset.add_argument("login", metavar="LOGIN")
    reset.set_defaults(handler=reset_pin)
    link = add_command(actions, "link", "let an operating-system account act as a user without a PIN (scripts), "
                                        "or end the link with --os-user ''")
    link.add_argument("login", metavar="LOGIN")
    link.add_argument("--os-user", required=True, metavar="NAME", help="the account, as `whoami` prints it")
    link.set_defaults(handler=link_user)
    emergency = add_command(actions, "emergency-access", "allow or stop emergency access (a person opening a part "
                                                         "their roles do not allow, with a reason, audited)")
    emergency.add_argument("allowed", choices=("on", "off"))
    emergency.set_defaults(handler=emergency_access)


def new_pin(whose: str) -> str:
    """A new PIN: OFFICEMGR_NEW_PIN, or asked twice. Raises NotSignedIn when the two differ or none is typed."""
    from officemgr.services import pin

    typed = os.environ.get("OFFICEMGR_NEW_PIN")
    if typed is not None:
        return typed
    try:
        typed = getpass.getpass(f"New PIN for {whose} ({pin.MIN_DIGITS} to {pin.MAX_DIGITS} digits): ")
        pin.check_format(typed)
        again = getpass.getpass("The same PIN again: ")
    except EOFError:
        raise NotSignedIn("no PIN was typed; nothing was changed") from None
    if again != typed:
        raise NotSignedIn("the two PINs differ; nothing was changed")
    return typed


def refused(exc: Exception) -> int:
    """A service's refusal, saying that nothing was changed (a role's refusal says so itself)."""
    message = str(exc)
    return fail(message if "nothing was changed" in message else f"{message}; nothing was changed")


def _open(args: argparse.Namespace) -> Engine | None:
    """The practice's database; None (refused on stderr) when --db names no file: users are never kept in a new,
    empty file by mistake."""
    if database_missing(args):
        fail(f"there is no database {args.db}")
        return None
    return open_database(args)


def list_users(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import users
    from officemgr.services.access import Area

    engine = _open(args)
    if engine is None:
        return REFUSED
    try:
        # Who may sign in, and with what roles, is the manager's business and the auditor's to check.
        actor = acting_user(args, engine, "the list of users", reads=(Area.audit,))
        with store.read_session(engine) as session:
            rows = users.list_users(session, actor)
    finally:
        engine.dispose()
    for line in table(rows):
        say(line)
    return DONE


def table(rows: list[UserRow]) -> list[str]:
    """The users as aligned lines under a header (never a PIN or its hash)."""
    cells = [("LOGIN", "NAME", "ROLES", "ACTIVE", "OS ACCOUNT")] + [
        (r.login, r.name, r.roles_label, "yes" if r.active else "no (disabled)", r.os_user or "-") for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)) + "  " + row[4]
             for row in cells]
    if not rows:
        lines.append('(no users yet: officemgr users add LOGIN --staff "First Last" --role manager)')
    return lines


def add_user(args: argparse.Namespace) -> int:
    from officemgr import store
    from officemgr.services import users
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    engine = _open(args)
    if engine is None:
        return REFUSED
    now = now_on(args.today)
    try:
        with store.read_session(engine) as session:
            first = not users.has_users(session)
        if first:
            # A new practice: its first user is its manager, who then signs in and adds the others.
            users.check_first_roles(args.role)
            if args.os_user:
                return fail("add the manager without --os-user: a practice's first user always signs in with a PIN; "
                            "nothing was changed")
            *given, last = args.staff.split() or [""]
            typed = new_pin(args.login)
            with store.write_session(engine) as session:
                manager = users.first_manager(session, first_name=" ".join(given), last_name=last, login=args.login,
                                              new_pin=typed, workstation=socket.gethostname(), now=now)
            row_login, roles_label = manager.login, "manager"
        else:
            actor = acting_user(args, engine, "adding a user", writes=(Area.settings,))
            typed = new_pin(args.login)
            with store.write_session(engine) as session:
                row = users.add_user(session, args.login, staff_name=args.staff, roles=args.role, new_pin=typed,
                                     os_user=args.os_user, actor=actor, now=now)
            row_login, roles_label = row.login, row.roles_label
    except ServiceError as exc:
        return refused(exc)
    finally:
        engine.dispose()
    say(f"Added {row_login} ({roles_label}): they sign in with that login and the PIN just set.")
    return DONE


def _manager_change(args: argparse.Namespace, what: str, change: Callable[[Session, str, str], object],
                    ask: Callable[[], str] | None = None) -> int | None:
    """Sign the manager in, then `ask` (a new PIN: typed before the write begins, never while it holds the
    database), then run `change(session, actor, asked)` in one write. None when it committed, else the exit code
    of the refusal (said on stderr)."""
    from officemgr import store
    from officemgr.services.access import Area
    from officemgr.services.common import ServiceError

    engine = _open(args)
    if engine is None:
        return REFUSED
    try:
        actor = acting_user(args, engine, what, writes=(Area.settings,))
        asked = ask() if ask is not None else ""
        with store.write_session(engine) as session:
            change(session, actor, asked)
    except ServiceError as exc:
        return refused(exc)
    finally:
        engine.dispose()
    return None


def disable_user(args: argparse.Namespace) -> int:
    from officemgr.services import users

    code = _manager_change(args, "disabling a user", lambda session, actor, _: users.disable_user(
        session, args.login, actor=actor, now=now_on(args.today)))
    if code is not None:
        return code
    say(f"Disabled {args.login.strip().lower()}: they can no longer sign in; their history stays in the audit log.")
    return DONE


def reset_pin(args: argparse.Namespace) -> int:
    from officemgr.services import users

    # The new PIN is asked once the manager is signed in: a refused one is never asked for someone else's PIN.
    code = _manager_change(args, "resetting a PIN", lambda session, actor, typed: users.reset_pin(
        session, args.login, typed, actor=actor, now=now_on(args.today)), ask=lambda: new_pin(args.login))
    if code is not None:
        return code
    say(f"New PIN set for {args.login.strip().lower()}; any wait after wrong PINs is over.")
    return DONE


def link_user(args: argparse.Namespace) -> int:
    from officemgr.services import users

    code = _manager_change(args, "linking an operating-system account", lambda session, actor, _: users.link_os_user(
        session, args.login, args.os_user, actor=actor, now=now_on(args.today)))
    if code is not None:
        return code
    login = args.login.strip().lower()
    if args.os_user.strip():
        say(f"{shown(args.os_user.strip())} now acts as {login} without a PIN on this practice's commands.")
    else:
        say(f"No operating-system account acts as {login} any more.")
    return DONE


def emergency_access(args: argparse.Namespace) -> int:
    from officemgr.services import settings

    allowed = args.allowed == "on"
    code = _manager_change(args, "changing emergency access", lambda session, actor, _: settings.put(
        session, "emergency_access", allowed, now=now_on(args.today), actor=actor))
    if code is not None:
        return code
    say("Emergency access is on: a person may open a part their roles do not allow after giving a reason (audited, "
        "listed on the next Huddle)." if allowed else "Emergency access is off: a refused part stays closed.")
    return DONE
