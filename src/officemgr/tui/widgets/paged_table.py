"""A DataTable that holds one page of a big result; PgUp/PgDn ask its owner for the next page. It draws its cells
as FastTable does."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message

from officemgr.tui.widgets.fast_table import FastTable


class PagedTable(FastTable):
    BINDINGS = [
        Binding("pagedown", "page(1)", "Next page", id="page_next"),
        Binding("pageup", "page(-1)", "Prev page", id="page_prev"),
    ]

    class PageRequested(Message):
        def __init__(self, table: PagedTable, delta: int) -> None:
            super().__init__()
            self.table = table
            self.delta = delta

    def action_page(self, delta: int) -> None:
        self.post_message(self.PageRequested(self, delta))


def page_status(offset: int, shown: int, total: int) -> str:
    if not total:
        return "no rows"
    return f"rows {offset + 1:,}–{offset + shown:,} of {total:,}"
