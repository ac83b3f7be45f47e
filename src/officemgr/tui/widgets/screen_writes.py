"""One-key writes from a modal list screen: run in a worker, say what happened, reload the lists."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import work

from officemgr.services.common import ServiceError
from officemgr.store import write_session


class ScreenWrites:
    """Mixed into a ModalScreen that has say(), reload() and a `changed` flag it dismisses with."""

    changed: bool

    @work(thread=True, group="screen-write")
    def _write(self, change: Callable[[Session], object], done: str) -> None:
        app = self.app  # type: ignore[attr-defined]
        try:
            with write_session(app.engine) as session:
                change(session)
        except ServiceError as exc:
            app.call_from_thread(self.say, str(exc), "error")  # type: ignore[attr-defined]
        except SQLAlchemyError as exc:
            app.call_from_thread(self.say, f"Not saved: the database refused it ({exc.__class__.__name__})",  # type: ignore[attr-defined]
                                 "error")
        else:
            app.call_from_thread(self._saved, done)
            return
        app.call_from_thread(self.reload)  # type: ignore[attr-defined]

    def _saved(self, message: str) -> None:
        self.changed = True
        self.say(message)  # type: ignore[attr-defined]
        self.reload()  # type: ignore[attr-defined]
