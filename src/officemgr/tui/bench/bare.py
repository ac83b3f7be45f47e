"""The yardstick: a bare Textual app with the same six tabs, empty (start) or holding 60-row tables (keys)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Label, TabbedContent, TabPane

TABS = ("Huddle", "Schedule", "Staff", "Inventory", "Billing", "Compliance")
ROWS = 60


class BareApp(App[None]):
    """Header, six tabs and a footer; with `rows`, each tab holds a DataTable of that many rows."""

    BINDINGS = [(str(n), f"show_tab('t{n}')", name) for n, name in enumerate(TABS, start=1)]

    def __init__(self, *, rows: int = 0, first_frame: Callable[[], object] | None = None) -> None:
        """`first_frame` is called once the first frame is painted."""
        super().__init__()
        self.rows = rows
        self.first_frame = first_frame

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="t1"):
            for n, name in enumerate(TABS, start=1):
                with TabPane(f"{n} {name}", id=f"t{n}"):
                    yield DataTable(cursor_type="row", id=f"table-t{n}") if self.rows else Label(name)
        yield Footer()

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns(*(f"Column {c}" for c in range(8)))
            table.add_rows([f"row {r} cell {c}" for c in range(8)] for r in range(self.rows))
        if self.rows:
            self.query_one("#table-t1", DataTable).focus()
        if self.first_frame is not None:
            self.call_after_refresh(self.first_frame)

    def action_show_tab(self, key: str) -> None:
        self.query_one(TabbedContent).active = key
        self.query_one(f"#table-{key}", DataTable).focus()
