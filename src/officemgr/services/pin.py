"""The PIN that locks the app: an argon2id hash in the settings table, and the wait after wrong PINs.

The hash is written only here, never through settings.put (which would audit the value): the audit trail says
that the PIN was set or changed, nothing more.
"""

from __future__ import annotations

import re
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from officemgr.models import Setting
from officemgr.services.common import ServiceError, record

PIN_KEY = "pin_hash"
MIN_DIGITS, MAX_DIGITS = 4, 12

_hasher = PasswordHasher()  # argon2id with the library's recommended cost (tens of ms per check)


def check_format(pin: str) -> None:
    """Refuse anything but 4 to 12 digits, with a message that says what a PIN is."""
    if not re.fullmatch(r"[0-9]+", pin or ""):
        raise ServiceError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits (0-9), nothing else")
    if not MIN_DIGITS <= len(pin) <= MAX_DIGITS:
        raise ServiceError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits; this one has {len(pin)}")


def pin_is_set(session: Session) -> bool:
    row = session.get(Setting, PIN_KEY)
    return row is not None and row.value not in ("", "null")


def set_pin(session: Session, pin: str, *, actor: str, now: datetime) -> None:
    """Store the hash of a new PIN (replacing any old one) and audit that it was set or changed."""
    check_format(pin)
    row = session.get(Setting, PIN_KEY)
    action = "changed" if row is not None else "set"
    if row is None:
        row = Setting(key=PIN_KEY)
        session.add(row)
    else:
        row.version += 1
    row.value = _hasher.hash(pin)
    session.flush()
    record(session, actor=actor, entity="setting", entity_id=0, action="pin", changes={"pin": action}, now=now)
    session.commit()


def check_pin(session: Session, pin: str) -> bool:
    """Whether `pin` is the stored PIN; False when no PIN is set (there is nothing to unlock with)."""
    row = session.get(Setting, PIN_KEY)
    if row is None or not pin:
        return False
    try:
        return _hasher.verify(row.value, pin)
    except (VerificationError, InvalidHashError):
        return False


class PinGate:
    """Wrong PINs in a row: the first few are free, then a wait that doubles with each one, up to a cap.

    Pure: every method takes the monotonic clock (seconds), so tests drive it with a fake one.
    """

    FREE_TRIES = 3
    FIRST_WAIT = 30.0
    MAX_WAIT = 15 * 60.0

    def __init__(self) -> None:
        self.failures = 0
        self.until = 0.0

    def wait_left(self, clock: float) -> float:
        """Seconds before the next try is accepted (0 when it may be tried now)."""
        return max(0.0, self.until - clock)

    def failed(self, clock: float) -> float:
        """Count a wrong PIN; return the wait it starts (0 while tries are still free)."""
        self.failures += 1
        if self.failures < self.FREE_TRIES:
            return 0.0
        wait = min(self.FIRST_WAIT * 2.0 ** (self.failures - self.FREE_TRIES), self.MAX_WAIT)
        self.until = clock + wait
        return wait

    def succeeded(self) -> None:
        self.failures = 0
        self.until = 0.0
