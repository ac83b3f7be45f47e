"""The PIN that locks the app: an argon2id hash in the settings table, and the wait after wrong PINs.

The hash is written only here, never through settings.put (which would audit the value): the audit trail says
that the PIN was set or changed, nothing more. So is the count of wrong PINs and the wait it started, stored so
that they survive a restart of the app (wall-clock time from the app's clock).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from officemgr.models import Setting
from officemgr.services.common import ServiceError
from officemgr.services.settings import store_raw

PIN_KEY = "pin_hash"
WAIT_KEY = "pin_wait"  # {"failures": wrong PINs in a row, "until": when the wait ends}: never the PIN
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
    action = "changed" if session.get(Setting, PIN_KEY) is not None else "set"
    store_raw(session, PIN_KEY, _hasher.hash(pin), actor=actor, now=now, action="pin", changes={"pin": action})
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
    """Wrong PINs in a row and when the wait they started ends (None: no wait), as stored in the database."""

    failures: int = 0
    until: datetime | None = None

    def seconds_left(self, now: datetime) -> float:
        """Seconds before the next try is accepted (0: now)."""
        if self.until is None:
            return 0.0
        left = (self.until - now).total_seconds()
        # More than the wait itself: the clock went back (a new day under a fixed --today), so its end is unknown.
        return 0.0 if left > wait_after(self.failures) else max(0.0, left)


@dataclass(frozen=True)
class PinTry:
    right: bool
    checked: bool  # False: not checked at all, because a wait was running
    wait: PinWait  # the state after this try


def pin_wait(session: Session) -> PinWait:
    """The stored wrong-PIN count and wait: they outlive the lock screen, the app and the computer's restart."""
    row = session.get(Setting, WAIT_KEY)
    if row is None:
        return PinWait()
    try:
        stored = json.loads(row.value)
        until = stored.get("until")
        return PinWait(int(stored.get("failures", 0)), datetime.fromisoformat(until) if until else None)
    except (ValueError, TypeError, AttributeError):
        # Unreadable: no free tries left, rather than a fresh count.
        return PinWait(FREE_TRIES)


def try_pin(session: Session, typed: str, *, actor: str, now: datetime) -> PinTry:
    """Check `typed` against the PIN, unless a wait runs; a wrong one is counted (and may start a wait), a right one
    clears the count. Both are stored and audited, never the PIN itself. Commits."""
    before = pin_wait(session)
    if before.seconds_left(now) > 0:
        return PinTry(right=False, checked=False, wait=before)
    if check_pin(session, typed):
        tried = PinTry(right=True, checked=True, wait=PinWait())
        if not before.failures:
            return tried
        _store_wait(session, tried.wait, actor=actor, now=now, changes={"pin": "right", "after_wrong": before.failures})
    else:
        failures = before.failures + 1
        wait = wait_after(failures)
        tried = PinTry(right=False, checked=True,
                       wait=PinWait(failures, now + timedelta(seconds=wait) if wait else None))
        _store_wait(session, tried.wait, actor=actor, now=now, changes={"pin": "wrong", "wrong_in_a_row": failures})
    session.commit()
    return tried


def _store_wait(session: Session, state: PinWait, *, actor: str, now: datetime, changes: dict[str, object]) -> None:
    stored = json.dumps({"failures": state.failures, "until": state.until.isoformat() if state.until else None})
    store_raw(session, WAIT_KEY, stored, actor=actor, now=now, action="pin", changes=changes)
