"""Inventory tab: stock on hand against par and reorder point, the supplies budget, and lots that expire.

Keys move stock (r receive, u use, w waste, c count), open an item (enter), and open purchase orders (o)
and equipment (m). Whatever a form needs from the database is read in a worker before the form opens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from officemgr.models import ItemCreate
from officemgr.services import inventory, movements, purchasing
from officemgr.services.format import money, plural
from officemgr.services.inventory import ItemRecord, LotRow, StockRow
from officemgr.services.purchasing import BudgetSummary
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.base import RecordForm
from officemgr.tui.forms.item import ItemForm
from officemgr.tui.views.count import CountScreen
from officemgr.tui.views.equipment import EquipmentScreen
from officemgr.tui.views.item_detail import ItemDetailScreen, receive_form, use_form
from officemgr.tui.views.orders import OrdersScreen
from officemgr.tui.widgets.base import TabView, plain, select_key, selected_key
from officemgr.tui.widgets.fast_table import FastTable

WINDOWS = (30, 60, 90)  # days ahead the lots panel looks for expiring lots; `l` cycles through them
SHORT_DAYS = 7  # fewer days of stock left than this shows in red
NAME_WIDTH = 30  # the table shows this much of an item's name (enter shows it whole), so every column fits
# The vendor comes last: on a narrow terminal it is the column to lose.
COLUMNS = ("Item", "Category", "On hand", "Expired", "Reorder at", "Par", "On order", "Order", "Use/day",
           "Days left", "Next expiry", "Vendor")


@dataclass(frozen=True)
class InventoryData:
    stock: list[StockRow]
    expiring: list[LotRow]
    budget: BudgetSummary


def vendor_choices(session: Session) -> list[tuple[str, int]]:
    return [(v.name, v.vendor_id) for v in inventory.vendors(session)]


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def order_hint(row: StockRow) -> Text:
    if not row.low:
        return Text("")
    style = "bold red" if row.on_hand == 0 else "yellow"
    if row.suggested_order:
        return Text(f"LOW: order {row.suggested_order}" + (" · draft" if row.in_draft else ""), style=style)
    return Text("on order" if row.on_order else "LOW", style=style)


def stock_cells(row: StockRow) -> list[Text]:
    style = "bold red" if row.on_hand == 0 else ("yellow" if row.low else "")
    days = row.days_left
    short = "bold red" if days is not None and days < SHORT_DAYS else ""
    return [
        plain(clip(row.name, NAME_WIDTH), style),
        plain(row.category.value),
        plain(f"{row.on_hand} {row.unit}", style),
        Text(str(row.expired) if row.expired else "", style="bold red"),
        Text(str(row.reorder_point)),
        Text(str(row.par)),
        Text(str(row.on_order) if row.on_order else ""),
        order_hint(row),
        Text(f"{row.daily_use:.1f}" if row.daily_use else ""),
        Text("" if days is None else str(int(days)), style=short),
        Text(f"{row.next_expiry:%m/%d/%Y}" if row.next_expiry else ""),
        plain(row.vendor),
    ]


def budget_text(budget: BudgetSummary) -> Text:
    """'November supplies: $X of $Y · 2026: $A of $B', each part red when over; with no operating budget for the
    month, where to set one."""
    if not budget.planned:
        return Text(f"No budget for {budget.month:%B %Y} — set one in Practice money → Budget")
    parts = []
    periods = ((f"{budget.month:%B} supplies", budget.month_lines), (f"{budget.month:%Y}", budget.year_lines))
    for label, lines in periods:
        spent, planned = sum(x.spent_cents for x in lines), sum(x.budget_cents for x in lines)
        over = spent > planned
        parts.append(Text(f"{label}: {money(spent)} of {money(planned)}" + (" (over budget)" if over else ""),
                          style="bold red" if over else ""))
    # A category can be over while the total is not; name it: placing an order in it will warn.
    over_now = [x.category.value for x in budget.month_lines if x.budget_cents and x.spent_cents > x.budget_cents]
    if over_now:
        parts.append(Text(f"over this month: {', '.join(over_now)}", style="bold red"))
    return Text(" · ").join(parts)


class InventoryView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("a", "add", "Add item", id="inventory_add"),
        Binding("e", "edit", "Edit item", id="inventory_edit"),
        Binding("enter", "detail", "Item detail", id="inventory_detail"),
        Binding("r", "receive", "Receive", id="inventory_receive"),
        Binding("u", "use", "Use", id="inventory_use"),
        Binding("w", "waste", "Waste", id="inventory_waste"),
        Binding("c", "count", "Count", id="inventory_count"),
        Binding("l", "window", "Expiry window", id="inventory_window"),
        Binding("o", "orders", "Purchase orders", id="inventory_orders"),
        Binding("m", "equipment", "Equipment", id="inventory_equipment"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.window = WINDOWS[0]
        self.rows: dict[int, StockRow] = {}
        self.lot_items: dict[int, int] = {}  # lot id -> item id, for enter on the lots panel

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="inventory-title")
        yield Static("", id="inventory-budget", classes="status")
        yield FastTable(cursor_type="row", zebra_stripes=True, id="stock")
        yield Label("", classes="subtitle", id="lots-title")
        yield FastTable(cursor_type="row", classes="short", id="lots")
        yield from self.compose_filter()

    def fetch(self, session: Session) -> InventoryData:
        today = self.ctx.today
        return InventoryData(inventory.stock(session, today),
                             inventory.lots_expiring(session, today, within_days=self.window),
                             purchasing.budget(session, today))

    def show(self, data: InventoryData) -> None:
        self.rows = {row.item_id: row for row in data.stock}
        stock = self.query_one("#stock", DataTable)
        keep = stock.cursor_row
        stock.clear()
        if not stock.columns:  # added with the first rows: a header alone would be painted twice
            stock.add_columns(*COLUMNS)
        for row in data.stock:
            if self.matches(row.name, row.category.value, row.vendor, row.location):
                stock.add_row(*stock_cells(row), key=str(row.item_id))
        stock.move_cursor(row=min(keep, max(0, stock.row_count - 1)))
        self._show_lots(data.expiring)
        low = sum(1 for r in data.stock if r.low)
        expired = sum(1 for lot in data.expiring if lot.days_left < 0)
        self.query_one("#inventory-title", Label).update(
            Text(f"{plural(len(data.stock), 'item')} · {low} at or below reorder point · "
                 f"{plural(expired, 'expired lot')} on hand"))
        self.query_one("#inventory-budget", Static).update(budget_text(data.budget))
        self.set_status("r receive · u use · w waste · c count · enter item · l expiry window · o orders · "
                        "m equipment · a add · e edit · / filter")

    def _show_lots(self, expiring: list[LotRow]) -> None:
        self.query_one("#lots-title", Label).update(
            Text(f"Lots expired or expiring within {self.window} days (use first: FEFO) · l: 30/60/90 days"))
        lots = self.query_one("#lots", DataTable)
        lots.clear()
        if not lots.columns:
            lots.add_columns("Item", "Lot", "Expires", "Qty", "Status")
        self.lot_items = {lot.lot_id: lot.item_id for lot in expiring}
        for lot in expiring:
            if not self.matches(lot.item_name, lot.lot_number):
                continue
            status = "EXPIRED: waste it" if lot.days_left < 0 else f"{lot.days_left} days left"
            style = "bold red" if lot.days_left < 0 else ("yellow" if lot.days_left <= 30 else "")
            lots.add_row(plain(lot.item_name), plain(lot.lot_number), Text(f"{lot.expires:%m/%d/%Y}"),
                         Text(str(lot.quantity)), Text(status, style=style), key=str(lot.lot_id))

    def focus_record(self, record_id: int | None) -> None:
        select_key(self.query_one("#stock", DataTable), record_id)

    def selected(self) -> StockRow | None:
        key = selected_key(self.query_one("#stock", DataTable))
        return self.rows.get(int(key)) if key is not None else None

    # -- keys

    def action_add(self) -> None:
        self.open_after_read(vendor_choices, lambda vendors: ItemForm(self.ctx, self._add_item, vendors=vendors),
                             self._after_item)

    def _add_item(self, session: Session, model: ItemCreate) -> ItemRecord:
        return inventory.add_item(session, model, now=self.ctx.now(), actor=self.ctx.actor)

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_after_read(lambda session: (inventory.item(session, row.item_id), vendor_choices(session)),
                                 lambda read: self._edit_form(*read), self._after_item)

    def _edit_form(self, item: ItemRecord | None, vendors: list[tuple[str, int]]) -> ItemForm | None:
        if item is None:
            return None
        ctx = self.ctx

        def save(session: Session, model: ItemCreate) -> ItemRecord:
            return inventory.update_item(session, item.id, model, now=ctx.now(), actor=ctx.actor,
                                         expected_version=item.version)

        return ItemForm(ctx, save, item, vendors=vendors)

    def action_receive(self) -> None:
        row = self.selected()
        if row is not None:
            self.open(receive_form(self.ctx, row), self._after_stock_form)

    def action_use(self) -> None:
        self._take(waste=False)

    def action_waste(self) -> None:
        self._take(waste=True)

    def _take(self, *, waste: bool) -> None:
        row = self.selected()
        if row is None:
            return
        if not row.tracks_lots:
            self.open(use_form(self.ctx, row, [], waste=waste), self._after_stock_form)
            return
        self.open_after_read(lambda session: movements.lots(session, row.item_id),
                             lambda lots: use_form(self.ctx, row, lots, waste=waste), self._after_stock_form)

    def action_count(self) -> None:
        self.open(CountScreen(self.ctx), self._after_screen)

    def action_window(self) -> None:
        self.window = WINDOWS[(WINDOWS.index(self.window) + 1) % len(WINDOWS)]
        self.reload()

    def action_detail(self) -> None:
        row = self.selected()
        if row is not None:
            self.open(ItemDetailScreen(self.ctx, row), self._after_screen)

    @on(DataTable.RowSelected, "#stock")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    @on(DataTable.RowSelected, "#lots")
    def _lot_selected(self, event: DataTable.RowSelected) -> None:
        """enter on a lot opens its item."""
        event.stop()
        row = self.rows.get(self.lot_items.get(int(event.row_key.value or 0), 0))
        if row is not None:
            self.open(ItemDetailScreen(self.ctx, row), self._after_screen)

    def action_orders(self) -> None:
        self.open(OrdersScreen(self.ctx), self._after_screen)

    def action_equipment(self) -> None:
        self.open(EquipmentScreen(self.ctx), self._after_screen)

    # -- opening screens

    def open(self, screen: Screen[bool], after: Callable[[Screen[bool], bool | None], None]) -> None:
        """Push `screen`; `after(screen, result)` runs when it closes (a form keeps what it did for the message)."""
        self.app.push_screen(screen, lambda result: after(screen, result))

    # -- after a form or screen

    def _after_item(self, form: Screen[bool], saved: bool | None) -> None:
        if saved:
            self.say("Item saved")
            self.reload()

    def _after_stock_form(self, form: Screen[bool], saved: bool | None) -> None:
        """A stock form's save call returned what it did: say it."""
        if saved and isinstance(form, RecordForm):
            self.say(str(form.result))
            self.reload()

    def _after_screen(self, screen: Screen[bool], changed: bool | None) -> None:
        if changed:
            self.reload()
