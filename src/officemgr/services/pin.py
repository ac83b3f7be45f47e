"""PINs: what one may be, how it is hashed (argon2id), and the wait after wrong ones.

Each person's PIN hash and wrong-PIN count live on their account (services.users); nothing here touches the
database. The audit trail says a PIN was set, changed or tried, never the PIN or its hash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher

from officemgr.services.common import ServiceError

MIN_DIGITS, MAX_DIGITS = 4, 12

_hasher = PasswordHasher()  # argon2id with the library's recommended cost (tens of ms per check)


def hasher() -> PasswordHasher:
    return _hasher


def check_format(pin: str) -> None:
    """Refuse anything but 4 to 12 digits, with a message that says what a PIN is."""
    if not re.fullmatch(r"[0-9]+", pin or ""):
        raise ServiceError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits (0-9), nothing else")
    if not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise ServiceError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits; this one has {len(pin)}")


FREE_TRIES = 3  # wrong PINs in a row before the first wait
FIRST_WAIT = 30.0  # seconds; each further wrong PIN doubles it
MAX_WAIT = 15 * 60.0


def wait_after(failures: int) -> float:
    """Seconds to wait after `failures` wrong PINs in a row: none for the first two, then 30 s doubling to 15 min."""
    if failures < FREE_TRIES:
        return 0.0
    return min(FIRST_WAIT * 2.0 ** (failures - FREE_TRIES), MAX_WAIT)


@dataclass(frozen=True)
class PinWait:
    """Wrong PINs in a row and when the wait they started ends (None: no wait), as stored on the account."""

    failures: int = 0
    until: datetime | None = None

    def seconds_left(self, wall: datetime) -> float:
        """Seconds before the next try is accepted (0: now), by the wall clock. Never more than the wait itself: a
        clock behind the one that started it (another workstation's) waits the whole wait, never none."""
        if self.until is None:
            return 0.0
        return min(max(0.0, (self.until - wall).total_seconds()), wait_after(self.failures))
