"""What every tab shares: loading its data in a worker thread and the `/` filter bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.worker import get_current_worker

from officemgr.services.common import ServiceError, database_refusal
from officemgr.store import read_session, write_session


def unreadable(exc: Exception) -> str:
    """What a failed read says: the database could not be read (not what the user did)."""
    return f"Could not read the database ({exc.__class__.__name__}); try again, or restart officemgr."


def plain(value: object, style: str = "") -> Text:
    """User text for a table cell: never parsed as Rich markup."""
    return Text("" if value is None else str(value), style=style)


def selected_key(table: DataTable) -> str | None:  # type: ignore[type-arg]
    """The row key under the cursor, or None for an empty table."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def select_key(table: DataTable, key: object) -> bool:  # type: ignore[type-arg]
    """Move the cursor to the row with `key` if the table holds it."""
    if key is None or str(key) not in {k.value for k in table.rows}:
        return False
    table.move_cursor(row=table.get_row_index(str(key)))
    return True


class TabView(Vertical):
    """A tab's content. Subclasses fetch() in a thread and show() the result on the UI thread."""

    BINDINGS = [
        Binding("slash", "start_filter", "Filter", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear_filter"),
    ]
    TITLE = ""

    def __init__(self, *, lazy: bool = False, **kwargs: Any) -> None:
        """`lazy`: load when first activated() rather than on mount (a tab not on show at start)."""
        super().__init__(**kwargs)
        self.lazy = lazy
        self.filter_text = ""
        self.started = False  # a load has been asked for
        self.shown = False  # a load has been shown
        self.loaded_at = -1  # the app's write count when the last load began
        self._after_load: list[Callable[[], object]] = []

    def compose_filter(self) -> ComposeResult:
        yield Input(placeholder="Filter: type and press Enter, Escape clears", id="filter", classes="filter")
        yield Static("", classes="status", id="status")

    @property
    def engine(self):  # type: ignore[no-untyped-def]
        return self.app.engine  # type: ignore[attr-defined]

    @property
    def today(self):  # type: ignore[no-untyped-def]
        return self.app.today  # type: ignore[attr-defined]

    @property
    def actor(self) -> str:
        return self.app.actor  # type: ignore[attr-defined]

    def now(self) -> datetime:
        return self.app.now()  # type: ignore[attr-defined, no-any-return]

    def say(self, message: str, severity: str = "information") -> None:
        """A notification that may hold user text, so it is never parsed as markup."""
        self.app.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]

    def fetch(self, session: Session) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        if not self.lazy:
            self.reload()

    def activated(self) -> None:
        """The tab was opened: load its data the first time, and again when anything was saved since."""
        if not self.started or self.loaded_at != self.app.generation:  # type: ignore[attr-defined]
            self.reload_after_frame()

    def after_load(self, callback: Callable[[], object]) -> None:
        """Run `callback` now if the data is on screen, else once the first load shows it (a jump to a record)."""
        if self.shown:
            callback()
        else:
            self._after_load.append(callback)
            self.activated()

    def reload(self) -> None:
        self.started = True
        self.loaded_at = self.app.generation  # type: ignore[attr-defined]
        self._load()

    def reload_after_frame(self) -> None:
        """Reload once the frame showing the key was heard (the tab, a status line) is on screen: the data
        takes a worker a few frames, and a worker started at once holds the interpreter while it paints."""
        self.started = True
        self.call_after_refresh(self.reload)

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        try:
            with read_session(self.engine) as session:
                data = self.fetch(session)
        except SQLAlchemyError as exc:
            self.app.call_from_thread(self._after_load.clear)
            self.app.call_from_thread(self.say, unreadable(exc), "error")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._deliver, data)

    @work(thread=True, exclusive=True, group="write")
    def run_write(self, action: Callable[[Session], object], done: str) -> None:
        """Run one service write in a worker; say `done` and reload, or say why it was refused."""
        try:
            with write_session(self.engine) as session:
                action(session)
        except ServiceError as exc:
            self.app.call_from_thread(self.say, str(exc), "error")
            return
        except SQLAlchemyError as exc:
            self.app.call_from_thread(self.say, database_refusal(exc), "error")
            return
        self.app.call_from_thread(self.say, done)
        self.app.call_from_thread(self.reload)

    @work(thread=True, exclusive=True, group="open")
    def open_after_read(self, read: Callable[[Session], Any], make: Callable[[Any], Screen[Any] | None],
                        after: Callable[[Any, Any], None]) -> None:
        """Read what a screen needs in this worker, then build it with `make` and push it on the UI thread;
        `after(screen, result)` runs when it closes. `make` gives None when the record has gone meanwhile."""
        try:
            with read_session(self.engine) as session:
                data = read(session)
        except SQLAlchemyError as exc:
            self.app.call_from_thread(self.say, unreadable(exc), "error")
            return
        if not get_current_worker().is_cancelled:  # a key pressed twice opens one screen
            self.app.call_from_thread(self._push_made, make, data, after)

    def _push_made(self, make: Callable[[Any], Screen[Any] | None], data: Any, after: Callable[[Any, Any], None]
                   ) -> None:
        screen = make(data)
        if screen is None:
            self.say("That record no longer exists — reloading", "warning")
            self.reload()
        else:
            self.app.push_screen(screen, lambda result: after(screen, result))

    def _deliver(self, data: Any) -> None:
        if self.is_mounted:
            self.show(data)
            self.shown = True
            pending, self._after_load = self._after_load, []
            for callback in pending:
                callback()

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

    def focus_record(self, record_id: int | None) -> None:
        """Select `record_id` in this tab when it is shown (from the huddle)."""

    def action_start_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        if self.filter_text:
            self.apply_filter("")
        self.focus_table()

    def focus_table(self) -> None:
        tables = self.query("DataTable")
        if tables:
            tables.first().focus()

    @on(Input.Submitted, "#filter")
    def _filter(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.display = False
        self.apply_filter(event.value.strip())
        # After the frame that shows the key was heard: focusing a table restyles and repaints all its rows.
        self.call_after_refresh(self.focus_table)

    def apply_filter(self, text: str) -> None:
        self.filter_text = text
        self.reload()

    def matches(self, *fields: object) -> bool:
        """In-memory filter for the bounded tables: every word must appear in some field."""
        if not self.filter_text:
            return True
        haystack = " ".join(str(f).lower() for f in fields if f is not None)
        return all(word in haystack for word in self.filter_text.lower().split())
