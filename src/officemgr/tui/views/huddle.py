"""Huddle tab: every section of the morning stand-up with its count and top items."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label

from officemgr.services.huddle import Huddle, HuddleItem, huddle
from officemgr.tui.widgets.base import TabView, plain, selected_key

TOP_ITEMS = 8


class HuddleView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("enter", "open", "Open in its tab", id="huddle_open"),
        Binding("r", "refresh", "Refresh", id="huddle_refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="huddle-title")
        yield DataTable(cursor_type="row", id="huddle-table")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.items: dict[str, HuddleItem] = {}
        self.query_one(DataTable).add_columns("Item", "Why it is here")
        super().on_mount()

    def fetch(self, session: Session) -> Huddle:
        return huddle(session, self.today)

    def show(self, data: Huddle) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self.items = {}
        self.query_one("#huddle-title", Label).update(
            Text(f"Huddle for {data.today:%A %B %-d}: {data.total} items need a decision")
        )
        for section in data.sections:
            items = [i for i in section.items if self.matches(i.text, i.reason)]
            table.add_row(Text(f"{section.title} ({len(items)})", style="bold"), "", key=f"{section.key}")
            self.items[section.key] = HuddleItem(section.title, "", section.tab)
            if not items:
                table.add_row(Text(f"  {section.empty}", style="dim"), "")
            for n, item in enumerate(items[:TOP_ITEMS]):
                key = f"{section.key}:{n}"
                style = "bold red" if item.urgent else ""
                marker = "! " if item.urgent else "  "
                table.add_row(plain(marker + item.text, style), plain(item.reason, style), key=key)
                self.items[key] = item
            if len(items) > TOP_ITEMS:
                key = f"{section.key}:more"
                table.add_row(Text(f"  … {len(items) - TOP_ITEMS} more: enter opens {section.tab}", style="italic"),
                              "", key=key)
                self.items[key] = HuddleItem("", "", section.tab)
        self.set_status("enter opens the item in its tab · r refreshes · / filters")

    def action_refresh(self) -> None:
        self.reload()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.row_key.value)

    def action_open(self) -> None:
        self._open(selected_key(self.query_one(DataTable)))

    def _open(self, key: str | None) -> None:
        item = self.items.get(key or "")
        if item is not None:
            self.app.jump_to(item.tab, item.record_id)  # type: ignore[attr-defined]
