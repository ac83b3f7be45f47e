"""What every view, screen and form is handed when it is made: the database, the day, the clock and who acts.

`make_app` builds one `AppContext` when the practice's database is open; views pass it on to the screens and forms
they open. Nothing under tui/ reads these from the App.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from officemgr.services.access import Actor

Clock = Callable[[], datetime]


def wall_clock(today: date) -> Clock:
    """The wall-clock time on `today` (a demo dated --today keeps its times on that day)."""
    return lambda: datetime.combine(today, datetime.now().time().replace(microsecond=0))


class WriteCount:
    """Moves on every write, this app's or another workstation's: a tab loaded at an older count reloads when
    opened. Written from worker threads, read on the UI thread."""

    def __init__(self) -> None:
        self._value = 0
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        return self._value

    def bump(self) -> None:
        with self._lock:
            self._value += 1


class Desk:
    """Who is signed in at this workstation now: another person may sign in at the lock screen ("switch user"),
    and emergency access opens an area for the one signed in. Set on the UI thread only."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor


@dataclass(frozen=True)
class AppContext:
    engine: Engine
    today: date
    clock: Clock
    desk: Desk
    writes: WriteCount = field(default_factory=WriteCount)
    # The real time, for the wait after wrong PINs: a --today (which moves `clock`) must not move it.
    wall: Clock = datetime.now

    @property
    def actor(self) -> Actor:
        """The person signed in now: read it when acting, not once when a view is made."""
        return self.desk.actor

    def now(self) -> datetime:
        return self.clock()
