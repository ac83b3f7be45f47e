"""The yardstick: a bare Textual app with the same six tabs, empty (start) or holding 60-row tables (keys)."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Input, Label, TabbedContent, TabPane

TABS = ("Huddle", "Schedule", "Staff", "Inventory", "Billing", "Compliance")
ROWS = 60


class BareApp(App[None]):
    """Header, six tabs and a footer; with `rows`, each tab holds a DataTable of that many rows, and `/` opens a
    filter box whose text, on enter, refills the tab's table with the rows holding every typed word."""

    BINDINGS = [*((str(n), f"show_tab('t{n}')", name) for n, name in enumerate(TABS, start=1)),
                ("slash", "start_filter", "Filter"), ("escape", "clear_filter", "Clear filter")]

    def __init__(self, *, rows: int = 0, first_frame: Callable[[], object] | None = None) -> None:
        """`first_frame` is called once the first frame is painted."""
        super().__init__()
        self.rows = rows
        self.first_frame = first_frame
        self.cells = [[f"row {r} cell {c}" for c in range(8)] for r in range(rows)]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="t1"):
            for n, name in enumerate(TABS, start=1):
                with TabPane(f"{n} {name}", id=f"t{n}"):
                    yield DataTable(cursor_type="row", id=f"table-t{n}") if self.rows else Label(name)
        if self.rows:
            filter_box = Input(id="filter")
            filter_box.display = False
            yield filter_box
        yield Footer()

    def on_mount(self) -> None:
        for table in self.query(DataTable):
            table.add_columns(*(f"Column {c}" for c in range(8)))
            table.add_rows(self.cells)
        if self.rows:
            self.query_one("#table-t1", DataTable).focus()
        if self.first_frame is not None:
            self.call_after_refresh(self.first_frame)

    def table(self) -> DataTable[str]:
        return self.query_one(f"#table-{self.query_one(TabbedContent).active}", DataTable)

    def action_show_tab(self, key: str) -> None:
        self.query_one(TabbedContent).active = key
        self.table().focus()

    def action_start_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.display = False
        self.refill("")

    @on(Input.Submitted, "#filter")
    def _filter(self, event: Input.Submitted) -> None:
        self.refill(event.value)

    def refill(self, text: str) -> None:
        words = text.lower().split()
        table = self.table()
        table.clear()
        table.add_rows(cells for cells in self.cells if all(any(w in cell for cell in cells) for w in words))
        table.focus()
