"""What every subcommand module shares: the refusal line and the wall-clock time on the app's `today`.

(Kept apart from cli.py, which imports the subcommand modules, so they can import this at the top.)
"""

from __future__ import annotations

import sys
from datetime import date, datetime


def fail(message: str, code: int = 1) -> int:
    """Say why on standard error, in one line; return the exit code (1: refused, nothing changed)."""
    print(f"officemgr: {message}", file=sys.stderr)
    return code


def now_on(today: date) -> datetime:
    """Now, on the day the command treats as today (so a demo dated --today stays consistent)."""
    return datetime.combine(today, datetime.now().time().replace(microsecond=0))
