"""Command line: `officemgr` runs the app; subcommands do the rest.

Each module of this package registers its command group's parsers (`register(subparsers)`), every one naming
its handler; `main` parses and calls `args.handler(args)`. Global options (--db, --url, --today, --encrypt,
--user) are accepted before or after a subcommand's own arguments. Exit codes: 0 done, 1 refused (the message says why;
nothing changed), 2 bad usage.

`officemgr` starts with this package: the modules import the standard library only, and SQLAlchemy, the
services and the app load inside the handlers.
"""

from __future__ import annotations

from datetime import date

from officemgr.cli import (
    app,
    audit,
    backup,
    bench,
    billing,
    budget,
    compliance,
    copy,
    desk,
    huddle,
    inventory,
    month,
    payables,
    pin,
    productivity,
    schedule,
    settings,
    staff,
    users,
)
from officemgr.cli.exports import writes_over_database
from officemgr.cli.options import (
    BAD_USAGE,
    INTERRUPTED,
    REFUSED,
    NotSignedIn,
    Parser,
    add_global_options,
    fail,
)
from officemgr.errors import StoreError

# In the order the help lists them (a group command, such as import, where its first kind is registered).
COMMANDS = (app, schedule, staff, inventory, billing, payables, budget, desk, compliance, month, productivity, settings,
            audit, huddle, users, pin, backup, bench, copy)


def build_parser() -> Parser:
    parser = Parser(prog="officemgr", description="The office manager's tool for a small medical practice.")
    add_global_options(parser, suppress=False)
    parser.set_defaults(handler=app.run)
    subparsers = parser.add_subparsers(dest="command", parser_class=Parser)
    for module in COMMANDS:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.today_given = args.today is not None
    args.today = args.today or date.today()
    target = writes_over_database(args)
    if target is not None:
        return fail(f"{target} is the database itself; write to another file (nothing was written)")
    try:
        code: int = args.handler(args)
    except StoreError as exc:
        return fail(str(exc), BAD_USAGE)
    except NotSignedIn as exc:
        return fail(str(exc), REFUSED)
    except OSError as exc:
        # A file named on the command line that the system refuses (name too long, no permission, a device...).
        return fail(f"cannot use {exc.filename or 'that file'}: {exc.strerror or exc}", REFUSED)
    except KeyboardInterrupt:
        return INTERRUPTED
    except Exception as exc:
        # A service's refusal (a role's NotAllowed) that a command did not catch itself: its message, never a
        # traceback. Imported here, where it costs nothing: the start of the app does not load the services.
        from officemgr.services.common import ServiceError

        if not isinstance(exc, ServiceError):
            raise
        return fail(str(exc), REFUSED)
    return code


__all__ = ["build_parser", "main"]
