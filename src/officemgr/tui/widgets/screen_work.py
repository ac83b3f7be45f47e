"""A modal list screen's database work: load with fetch() and write one change, each in a worker."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import work
from textual.worker import get_current_worker

from officemgr.services.common import ServiceError, database_refusal
from officemgr.store import read_session, write_session
from officemgr.tui.widgets.base import unreadable


class ScreenWork:
    """Mixed into a ModalScreen that has fetch(session), _deliver(data) and a `changed` flag."""

    changed: bool

    @property
    def today(self) -> date:
        return self.app.today  # type: ignore[attr-defined, no-any-return]

    def say(self, message: str, severity: str = "information") -> None:
        self.app.notify(message, severity=severity, markup=False)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="screen-load")
    def reload(self) -> None:
        app = self.app  # type: ignore[attr-defined]
        try:
            with read_session(app.engine) as session:
                data = self.fetch(session)  # type: ignore[attr-defined]
        except SQLAlchemyError as exc:
            app.call_from_thread(self.say, unreadable(exc), "error")  # type: ignore[attr-defined]
            return
        if not get_current_worker().is_cancelled:
            app.call_from_thread(self._deliver, data)  # type: ignore[attr-defined]

    @work(thread=True, group="screen-write")
    def _write(self, change: Callable[[Session], object], done: str) -> None:
        app = self.app  # type: ignore[attr-defined]
        try:
            with write_session(app.engine) as session:
                change(session)
        except ServiceError as exc:
            app.call_from_thread(self.say, str(exc), "error")  # type: ignore[attr-defined]
        except SQLAlchemyError as exc:
            app.call_from_thread(self.say, database_refusal(exc), "error")  # type: ignore[attr-defined]
        else:
            app.call_from_thread(self._saved, done)
            return
        app.call_from_thread(self.reload)  # type: ignore[attr-defined]

    def _saved(self, message: str) -> None:
        self.changed = True
        self.say(message)  # type: ignore[attr-defined]
        self.reload()  # type: ignore[attr-defined]
