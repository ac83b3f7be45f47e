"""The one way tui code reaches the database: a read or a write runs in a thread worker, and its outcome comes back
to the widget that asked as a message (`Loaded`, `Saved` or `Refused`), handled on the UI thread.

A tab view, a list screen or a form mixes in `DatabaseWork` and calls `read(fetch, then)` or `write(change, done)`
with a function of a session; it never opens a session itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.widget import Widget
from textual.worker import get_current_worker

from officemgr.services import calendar, settings, users
from officemgr.services.access import Actor
from officemgr.services.common import ServiceError, database_refusal
from officemgr.store import after_writes, read_session, sqlite_file, write_session
from officemgr.tui.context import AppContext

__all__ = ["DatabaseWork", "Loaded", "Practice", "Refused", "Saved", "Session", "Unreadable", "after_writes",
           "database_file", "read_off_thread", "read_practice", "unreadable"]

T = TypeVar("T")


@dataclass(frozen=True)
class Practice:
    """What the app needs from the database before it shows any of it."""

    engine: Engine
    has_users: bool  # False: a new practice, whose first start creates the manager's account
    idle_minutes: float
    demo: bool
    demo_manager: Actor | None  # on a demo: who is signed in when it opens
    next_open_day: date  # today, or the next day the practice calendar has it open


def read_practice(engine: Engine, today: date, *, workstation: str) -> Practice:
    """Read before any view loads (in the opening worker, or by make_app for tests), so a secure start never paints
    a frame of data before the sign-in."""
    with read_session(engine) as session:
        return Practice(engine, has_users=users.has_users(session),
                        idle_minutes=settings.get(session, "lock_idle_minutes"),
                        demo=settings.get(session, "demo_data"),
                        demo_manager=users.demo_manager(session, workstation=workstation),
                        next_open_day=calendar.practice_calendar(session).next_business_day(today))


def idle_lock_minutes(engine: Engine) -> float:
    with read_session(engine) as session:
        return float(settings.get(session, "lock_idle_minutes"))


def database_file(ctx: AppContext) -> Path | None:
    """The SQLite file the app works on, or None on a server (files the app writes go beside it)."""
    return sqlite_file(ctx.engine)


def unreadable(exc: Exception) -> str:
    """What a failed read says: the database could not be read (not what the user did)."""
    return f"Could not read the database ({exc.__class__.__name__}); try again, or restart officemgr."


@dataclass(frozen=True)
class Unreadable:
    """A read that failed: what to tell the user."""

    message: str


async def read_off_thread(ctx: AppContext, fetch: Callable[[Session], T]) -> T | Unreadable:
    """For code that awaits rather than handles a message (a palette provider's search): `fetch` on a read session
    in a thread, its result, or Unreadable saying why the database could not be read."""

    def work() -> T | Unreadable:
        try:
            with read_session(ctx.engine) as session:
                return fetch(session)
        except SQLAlchemyError as exc:
            return Unreadable(unreadable(exc))

    return await asyncio.to_thread(work)


class Loaded(Message, Generic[T], bubble=False):
    """A read finished: `then(data)` runs on the UI thread."""

    def __init__(self, data: T, then: Callable[[T], object]) -> None:
        super().__init__()
        self.data = data
        self.then = then


class Saved(Message, Generic[T], bubble=False):
    """A write committed: `done` is what to tell the user (may be empty); `then(result)` runs after, if given."""

    def __init__(self, result: T, done: str, then: Callable[[T], object] | None) -> None:
        super().__init__()
        self.result = result
        self.done = done
        self.then = then


class Refused(Message, bubble=False):
    """A read or write did not happen: `message` says why in the user's words; nothing was saved. `by_database`:
    the database refused it (busy, unreadable, a constraint), not a rule of the practice."""

    def __init__(self, message: str, *, write: bool, by_database: bool = False) -> None:
        super().__init__()
        self.message = message
        self.write = write
        self.by_database = by_database


if TYPE_CHECKING:
    _Mixin = Widget
else:
    # A plain class at run time: a Widget base here would put a second copy of Widget's default CSS between a
    # screen and Screen's own, and change how screens look.
    _Mixin = object


class DatabaseWork(_Mixin):
    """Mixed in (first) by widgets and screens that read or write: they set `ctx` before mounting."""

    ctx: AppContext

    def read(self, fetch: Callable[[Session], T], then: Callable[[T], object], *, group: str = "load") -> None:
        """Run `fetch` on a read session in a worker; a newer read in the same `group` cancels this one."""

        def work() -> None:
            try:
                with read_session(self.ctx.engine) as session:
                    data = fetch(session)
            except ServiceError as exc:  # a record gone meanwhile: the service's words say so
                self.post_message(Refused(str(exc), write=False))
                return
            except SQLAlchemyError as exc:
                self.post_message(Refused(unreadable(exc), write=False, by_database=True))
                return
            if not get_current_worker().is_cancelled:
                self.post_message(Loaded(data, then))

        self.run_worker(work, thread=True, exclusive=True, group=group)

    def run_write(self, change: Callable[[Session], T], done: str = "", *, then: Callable[[T], object] | None = None,
              group: str = "write") -> None:
        """Run `change` in one write transaction in a worker; Saved when committed, Refused with the reason."""

        def work() -> None:
            try:
                with write_session(self.ctx.engine) as session:
                    result = change(session)
            except ServiceError as exc:
                self.post_message(Refused(str(exc), write=True))
            except SQLAlchemyError as exc:
                self.post_message(Refused(database_refusal(exc), write=True, by_database=True))
            else:
                self.post_message(Saved(result, done, then))

        self.run_worker(work, thread=True, group=group)

    def say(self, message: str, severity: SeverityLevel = "information") -> None:
        """A notification that may hold user text, so it is never parsed as markup."""
        self.app.notify(message, severity=severity, markup=False)

    # Textual runs an `on_` handler of every class in the MRO, so these three are the only ones: a subclass changes
    # what happens by overriding the `when_` methods, which Python's own overriding governs.
    def on_loaded(self, message: Loaded[Any]) -> None:
        if self.is_mounted:
            message.then(message.data)

    def on_saved(self, message: Saved[Any]) -> None:
        self.when_saved(message)

    def on_refused(self, message: Refused) -> None:
        self.when_refused(message)

    def when_saved(self, message: Saved[Any]) -> None:
        """A write committed: say so, then its `then`, or the `saved()` hook."""
        if message.done:
            self.say(message.done)
        if message.then is not None:
            message.then(message.result)
        else:
            self.saved()

    def when_refused(self, message: Refused) -> None:
        """A read or write did not happen: an error notification, then `write_refused()` for a write."""
        self.say(message.message, "error")
        if message.write:
            self.write_refused()

    def saved(self) -> None:
        """After a write without its own `then` committed (a view reloads here)."""

    def write_refused(self) -> None:
        """After a write was refused (a list screen reloads here: someone else may have changed the record)."""
