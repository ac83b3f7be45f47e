"""Inventory tab: stock on hand against par and reorder point, and lots that expire."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Label

from officemgr.models import Item
from officemgr.services import inventory
from officemgr.services.inventory import LotRow, StockRow
from officemgr.store import read_session
from officemgr.tui.forms.item import ItemForm
from officemgr.tui.widgets.base import TabView, plain, select_key, selected_key


@dataclass(frozen=True)
class InventoryData:
    stock: list[StockRow]
    expiring: list[LotRow]


class InventoryView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("a", "add", "Add item", id="inventory_add"),
        Binding("e", "edit", "Edit item", id="inventory_edit"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="inventory-title")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="stock")
        yield Label("Lots expired or expiring within 90 days (use first: FEFO)", classes="subtitle")
        yield DataTable(cursor_type="row", classes="short", id="lots")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.query_one("#stock", DataTable).add_columns(
            "Item", "Category", "On hand", "Reorder at", "Par", "Order", "Vendor", "Next expiry")
        self.query_one("#lots", DataTable).add_columns("Item", "Lot", "Expires", "Qty", "Status")
        super().on_mount()

    def fetch(self, session: Session) -> InventoryData:
        return InventoryData(inventory.stock(session, self.today), inventory.lots_expiring(session, self.today))

    def show(self, data: InventoryData) -> None:
        stock = self.query_one("#stock", DataTable)
        keep = stock.cursor_row
        stock.clear()
        for row in data.stock:
            if not self.matches(row.name, row.category.value, row.vendor):
                continue
            style = "bold red" if row.on_hand == 0 else ("yellow" if row.low else "")
            stock.add_row(
                plain(row.name, style),
                plain(row.category.value),
                Text(f"{row.on_hand} {row.unit}", style=style),
                Text(str(row.reorder_point)),
                Text(str(row.par)),
                Text(f"LOW: order {row.suggested_order}" if row.low else "", style=style),
                plain(row.vendor),
                Text(f"{row.next_expiry:%m/%d/%Y}" if row.next_expiry else ""),
                key=str(row.item_id),
            )
        stock.move_cursor(row=min(keep, max(0, stock.row_count - 1)))
        lots = self.query_one("#lots", DataTable)
        lots.clear()
        for lot in data.expiring:
            if not self.matches(lot.item_name, lot.lot_number):
                continue
            status = "EXPIRED" if lot.days_left < 0 else f"{lot.days_left} days left"
            style = "bold red" if lot.days_left < 0 else ("yellow" if lot.days_left <= 30 else "")
            lots.add_row(plain(lot.item_name), plain(lot.lot_number), Text(f"{lot.expires:%m/%d/%Y}"),
                         Text(str(lot.quantity)), Text(status, style=style), key=str(lot.lot_id))
        low = sum(1 for r in data.stock if r.low)
        self.query_one("#inventory-title", Label).update(
            Text(f"{len(data.stock)} items · {low} at or below reorder point · "
                 f"{sum(1 for lot in data.expiring if lot.days_left < 0)} expired lots on hand")
        )
        self.set_status("a add item · e edit item · / filter")

    def focus_record(self, record_id: int | None) -> None:
        select_key(self.query_one("#stock", DataTable), record_id)

    def action_add(self) -> None:
        self.app.push_screen(ItemForm(), self._after_form)

    def action_edit(self) -> None:
        key = selected_key(self.query_one("#stock", DataTable))
        if key is None:
            return
        with read_session(self.engine) as session:
            item = session.get(Item, int(key))
        if item is not None:
            self.app.push_screen(ItemForm(item), self._after_form)

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self.say("Item saved")
            self.reload()
