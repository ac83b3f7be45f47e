"""`officemgr set-pin --user LOGIN`: change your own PIN. The current PIN first (from OFFICEMGR_PIN, or asked),
counted like a sign-in, then the new one (from OFFICEMGR_NEW_PIN, or asked twice). Without --user, the user linked
to this operating-system account (still asked for the current PIN). A forgotten PIN is the manager's to reset:
`officemgr users reset-pin LOGIN`.

Refused (exit 1) on a wrong current PIN, a running wait after wrong PINs, new PINs that differ, or not 4 to 12
digits; nothing is changed then.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from officemgr.cli.options import (
    DONE,
    NotSignedIn,
    SubParsers,
    acting_user,
    add_command,
    database_missing,
    fail,
    now_on,
    open_database,
    pin_of,
    say,
)
from officemgr.cli.users import new_pin, refused


def register(subparsers: SubParsers) -> None:
    cmd = add_command(subparsers, "set-pin", "change your own PIN (with --user LOGIN; a manager resets a forgotten "
                                             "one with users reset-pin)")
    cmd.set_defaults(handler=set_pin)


def set_pin(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from officemgr import store
    from officemgr.services import users
    from officemgr.services.access import Actor
    from officemgr.services.common import ServiceError, database_refusal

    if database_missing(args):
        return fail(f"there is no database {args.db}")
    engine = open_database(args)
    try:
        try:
            person = acting_user(args, engine)
        except NotSignedIn:
            if args.user:
                raise
            return fail("say whose PIN to change with --user LOGIN (the current PIN is asked, or read from "
                        "OFFICEMGR_PIN)")
        if not isinstance(person, Actor):
            return fail("this practice has no users yet, so there is no PIN to change: officemgr users add LOGIN "
                        '--staff "First Last" --role manager')
        current = pin_of(args, person.login)  # already typed to sign in with --user; asked when the OS account is
        typed = new_pin(person.login)
        now = now_on(args.today)
        with store.write_session(engine) as session:
            tried = users.change_own_pin(session, person, current, typed, now=now, wall=datetime.now())
    except ServiceError as exc:
        return refused(exc)
    except SQLAlchemyError as exc:
        return fail(database_refusal(exc))
    finally:
        engine.dispose()
    if not tried.checked:
        left = tried.wait.seconds_left(datetime.now())
        return fail(f"too many wrong PINs: try again in {left:.0f} s; nothing was changed")
    if tried.actor is None:
        return fail(f"that is not the current PIN of {person.login}; nothing was changed")
    say(f"PIN changed for {person.login}: sign in with the new one from now on.")
    return DONE
