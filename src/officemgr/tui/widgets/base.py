"""What every tab shares: loading its data in a worker thread and the `/` filter bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Static

from officemgr.plaintext import visible
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Refused, Session

T = TypeVar("T")
SC = TypeVar("SC", bound=Screen[Any])


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, an ellipsis showing where (the whole shows elsewhere: a detail line)."""
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"


def plain(value: object, style: str = "") -> Text:
    """User text for a table cell: never parsed as Rich markup, and never a control character the terminal would act
    on (a file name, or text read another way than through the database's text columns, shows them spelled out)."""
    return Text("" if value is None else visible(str(value), free_text=True), style=style)


def selected_key(table: DataTable[Any]) -> str | None:
    """The row key under the cursor, or None for an empty table."""
    if not table.row_count:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def select_key(table: DataTable[Any], key: object) -> bool:
    """Move the cursor to the row with `key` if the table holds it."""
    if key is None or str(key) not in {k.value for k in table.rows}:
        return False
    table.move_cursor(row=table.get_row_index(str(key)))
    return True


class TabView(DatabaseWork, Vertical):
    """A tab's content, made with the app's context. Subclasses fetch() in a worker and show() the result."""

    BINDINGS = [
        Binding("slash", "start_filter", "Filter", id="filter"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear_filter"),
    ]
    TITLE = ""

    def __init__(self, *, ctx: AppContext, lazy: bool = False, **kwargs: Any) -> None:
        """`lazy`: load when first activated() rather than on mount (a tab not on show at start)."""
        super().__init__(**kwargs)
        self.ctx = ctx
        self.lazy = lazy
        self.filter_text = ""
        self.started = False  # a load has been asked for
        self.shown = False  # a load has been shown
        self.loaded_at = -1  # the write count when the last load began
        self._after_load: list[Callable[[], object]] = []

    def compose_filter(self) -> ComposeResult:
        yield Input(placeholder="Filter: type and press Enter, Escape clears", id="filter", classes="filter")
        yield Static("", classes="status", id="status")

    def fetch(self, session: Session) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def on_mount(self) -> None:
        if not self.lazy:
            self.reload()

    def activated(self) -> None:
        """The tab was opened: load its data the first time, and again when anything was saved since."""
        if not self.started or self.loaded_at != self.ctx.writes.value:
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
        self.loaded_at = self.ctx.writes.value
        self.read(self.fetch, self._deliver)

    def reload_after_frame(self) -> None:
        """Reload once the frame showing the key was heard (the tab, a status line) is on screen: the data
        takes a worker a few frames, and a worker started at once holds the interpreter while it paints."""
        self.started = True
        # As reload() will: a second activation before that frame then queues no second load, whose worker would
        # race this one's and could leave neither delivering.
        self.loaded_at = self.ctx.writes.value
        self.call_after_refresh(self.reload)

    def when_refused(self, message: Refused) -> None:
        if not message.write:
            self._after_load.clear()
        super().when_refused(message)

    def saved(self) -> None:
        self.reload()

    def open_after_read(self, read: Callable[[Session], T], make: Callable[[T], SC | None],
                        after: Callable[[SC, Any], None]) -> None:
        """Read what a screen needs in a worker, then build it with `make` and push it; `after(screen, result)`
        runs when it closes. `make` gives None when the record has gone meanwhile. A key pressed twice opens one."""

        def push(data: T) -> None:
            screen = make(data)
            if screen is None:
                self.say("That record no longer exists — reloading", "warning")
                self.reload()
            else:
                self.app.push_screen(screen, lambda result: after(screen, result))

        self.read(read, push, group="open")

    def _deliver(self, data: Any) -> None:
        self.show(data)
        self.shown = True
        pending, self._after_load = self._after_load, []
        for callback in pending:
            callback()

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

    def conceal(self) -> None:
        """Hide what the lock must not show (patients' names in the tabs that reveal them with `v`)."""

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


class ListScreen(DatabaseWork, ModalScreen[bool]):
    """A modal list (payers, orders, concerns…) that loads with fetch()/show() and writes one change at a time.
    Dismisses with `changed`: True when it saved anything."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.changed = False

    def fetch(self, session: Session) -> Any:
        raise NotImplementedError

    def show(self, data: Any) -> None:
        raise NotImplementedError

    def reload(self) -> None:
        self.read(self.fetch, self.show, group="screen-load")

    def saved(self) -> None:
        self.changed = True
        self.reload()

    def write_refused(self) -> None:
        self.reload()
