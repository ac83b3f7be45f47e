"""`officemgr set-pin`: set or change the PIN that locks the app (asked twice; the current one first if set).

Refused (exit 1) on a wrong current PIN, PINs that differ, or not 4 to 12 digits.
"""

from __future__ import annotations

import argparse
import getpass

from officemgr.cli.options import DONE, SubParsers, add_command, fail, now_on, open_database


def register(subparsers: SubParsers) -> None:
    cmd = add_command(subparsers, "set-pin", "set or change the PIN that locks the app (ctrl+l, and when left idle)")
    cmd.set_defaults(handler=set_pin)


def set_pin(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from officemgr import store
    from officemgr.services import pin
    from officemgr.services.common import ServiceError, database_refusal

    engine = open_database(args)
    try:
        with store.read_session(engine) as session:
            change = pin.pin_is_set(session)
        if change:
            # Counted like a try at the lock screen: the command line is no way around the wrong-PIN wait.
            now = now_on(args.today)
            with store.write_session(engine) as session:
                tried = pin.try_pin(session, getpass.getpass("Current PIN: "), actor=getpass.getuser(), now=now)
            if not tried.checked:
                return fail(f"too many wrong PINs: try again in {tried.wait.seconds_left(now):.0f} s; nothing was "
                            "changed")
            if not tried.right:
                return fail("that is not the current PIN; nothing was changed")
        new = getpass.getpass(f"New PIN ({pin.MIN_DIGITS} to {pin.MAX_DIGITS} digits): ")
        pin.check_format(new)
        if getpass.getpass("New PIN again: ") != new:
            return fail("the two PINs differ; nothing was changed")
        with store.write_session(engine) as session:
            pin.set_pin(session, new, actor=getpass.getuser(), now=now_on(args.today))
    except ServiceError as exc:
        return fail(f"{exc}; nothing was changed")
    except SQLAlchemyError as exc:
        return fail(database_refusal(exc))
    except EOFError:
        return fail("no PIN was typed; nothing was changed")
    finally:
        engine.dispose()
    print("PIN changed." if change else "PIN set: officemgr now locks with ctrl+l and when left idle.")
    return DONE
