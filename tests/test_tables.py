"""Textual's DataTable, as the app mends it: rows drawn before their columns were measured are drawn again."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from officemgr.tui.widgets.tables import mend_datatable


class TableApp(App[None]):
    CSS = "DataTable { height: 1fr; }"  # as the app's tables: their height does not follow their rows

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("Claim", "Patient")


async def test_rows_drawn_before_they_were_measured_are_drawn_again_at_full_width() -> None:
    mend_datatable()
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(DataTable)
        for n in range(8):
            table.add_row(Text(f"C2026-00050{n}"), Text("Herrera, Charlotte"), key=str(n))
        app.screen._compositor.render_update(full=True)  # a frame lands before the rows are measured
        assert table.render_line(2).text.split() == ["C2026", "Herrera"]  # cut to the headers' widths
        await pilot.pause()
        await pilot.pause()
        assert table.render_line(2).text.split() == ["C2026-000501", "Herrera,", "Charlotte"]
