"""`officemgr set-pin`: set or change the PIN that locks the app (asked twice; the current one first if set).

Exit codes: 0 done, 1 refused (wrong current PIN, PINs that differ, not 4 to 12 digits), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import date, datetime

from officemgr.cli_common import fail


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from officemgr.cli import _global_options

    cmd = sub.add_parser("set-pin", help="set or change the PIN that locks the app (ctrl+l, and when left idle)")
    _global_options(cmd, suppress=True)



def run(args: argparse.Namespace, today: date) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from officemgr import store
    from officemgr.cli import _open
    from officemgr.services import pin
    from officemgr.services.common import ServiceError, database_refusal

    engine = _open(args)
    try:
        with store.read_session(engine) as session:
            change = pin.pin_is_set(session)
            if change and not pin.check_pin(session, getpass.getpass("Current PIN: ")):
                return fail("that is not the current PIN; nothing was changed")
        new = getpass.getpass(f"New PIN ({pin.MIN_DIGITS} to {pin.MAX_DIGITS} digits): ")
        pin.check_format(new)
        if getpass.getpass("New PIN again: ") != new:
            return fail("the two PINs differ; nothing was changed")
        now = datetime.combine(today, datetime.now().time().replace(microsecond=0))
        with store.write_session(engine) as session:
            pin.set_pin(session, new, actor=getpass.getuser(), now=now)
    except ServiceError as exc:
        return fail(f"{exc}; nothing was changed")
    except SQLAlchemyError as exc:
        return fail(database_refusal(exc))
    except EOFError:
        return fail("no PIN was typed; nothing was changed")
    finally:
        engine.dispose()
    print("PIN changed." if change else "PIN set: officemgr now locks with ctrl+l and when left idle.")
    return 0
