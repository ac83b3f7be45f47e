"""Purchase orders: what to order today (reorder suggestions grouped by vendor), `g` to turn them into draft
orders, and the orders themselves (open ones, or `h` the latest of all); `enter` opens one.

`OrdersScreen(ctx)` is pushed by the Inventory tab (key o); it dismisses with True when it saved anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import OrderStatus
from officemgr.services import purchasing
from officemgr.services.common import ServiceError
from officemgr.services.format import money, plural
from officemgr.services.purchasing import OrderRow, SuggestedLine, VendorGroup
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.views.order_detail import STATUS_STYLE, OrderScreen
from officemgr.tui.widgets.base import ListScreen, plain, select_key, selected_key

SUGGESTION_COLUMNS = ("Item", "On hand", "On order", "Reorder pt", "Par", "Suggested", "Unit cost", "Line cost",
                      "Days left")
ORDER_COLUMNS = ("#", "Vendor", "Status", "Created", "Ordered", "Lines", "Total")
ALL_LIMIT = 200
NO_VENDOR_STYLE = "yellow"


@dataclass(frozen=True)
class OrdersData:
    groups: list[VendorGroup]
    orders: list[OrderRow]
    show_all: bool


def _day(value: date | None) -> Text:
    return Text(f"{value:%m/%d/%Y}") if value else Text("—", style="dim")


def _days_left(line: SuggestedLine) -> Text:
    return Text("—", style="dim") if line.days_left is None else Text(f"{line.days_left:.0f}")


class OrdersScreen(ListScreen):
    DEFAULT_CSS = """
    OrdersScreen > .orders {
        width: 95%;
        max-width: 150;
        height: 95%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    OrdersScreen #po-suggestions {
        height: auto;
        max-height: 45%;
    }
    OrdersScreen #po-orders {
        height: 1fr;
    }
    OrdersScreen .orders-line {
        height: auto;
    }
    OrdersScreen .orders-head {
        height: auto;
        text-style: bold;
        margin-top: 1;
    }
    OrdersScreen #po-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="orders_close"),
        Binding("g", "draft", "Make draft orders", id="orders_draft"),
        Binding("h", "toggle_all", "Open/all orders", id="orders_toggle_all"),
        Binding("enter", "open_order", "Open order", id="orders_open"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.show_all = False
        self.data: OrdersData | None = None
        self.focus_order: int | None = None  # put the cursor on this order once loaded

    # -- layout

    def compose(self) -> ComposeResult:
        with Vertical(classes="orders"):
            yield Label(Text("Purchase orders"), classes="form-title")
            yield Static(Text("To order today: loading…"), id="po-suggest-head", classes="orders-head")
            yield DataTable(id="po-suggestions", cursor_type="row", zebra_stripes=True)
            yield Static("", id="po-no-vendor", classes="orders-line")
            yield Static(Text("Orders"), id="po-orders-head", classes="orders-head")
            yield DataTable(id="po-orders", cursor_type="row", zebra_stripes=True)
            yield Static(Text("g make draft orders from the suggestions · enter open the selected order · "
                              "h open/all orders · tab switch table · escape close"), id="po-hint",
                         classes="orders-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#po-suggestions", DataTable).add_columns(*SUGGESTION_COLUMNS)
        self.orders_table.add_columns(*ORDER_COLUMNS)
        self.orders_table.focus()
        self.reload()

    @property
    def orders_table(self) -> DataTable[Any]:
        return self.query_one("#po-orders", DataTable)

    # -- loading

    def fetch(self, session: Session) -> OrdersData:
        return OrdersData(purchasing.reorder(session, self.ctx.today),
                          purchasing.orders(session, open_only=not self.show_all, limit=ALL_LIMIT), self.show_all)

    def show(self, data: OrdersData) -> None:
        self.data = data
        self._show_suggestions(data.groups)
        table = self.orders_table
        keep = selected_key(table)
        table.clear()
        for row in data.orders:
            table.add_row(*_order_cells(row), key=str(row.order_id))
        wanted = self.focus_order if self.focus_order is not None else keep
        self.focus_order = None
        if not select_key(table, wanted) and table.row_count:
            table.move_cursor(row=0)
        self.query_one("#po-orders-head", Static).update(self._orders_head(data))

    def _show_suggestions(self, groups: list[VendorGroup]) -> None:
        table = self.query_one("#po-suggestions", DataTable)
        table.clear()
        head = self.query_one("#po-suggest-head", Static)
        orderable = [g for g in groups if g.vendor_id is not None]
        if not groups:
            head.update(Text("To order today: nothing — every item is above its reorder point or already on an "
                             "order."))
        else:
            items = sum(len(g.lines) for g in orderable)
            total = sum(g.total_cents for g in orderable)
            head.update(Text(f"To order today: {plural(items, 'item')} from {plural(len(orderable), 'vendor')}, "
                             f"{money(total)} (g makes them draft orders)"))
        table.display = bool(groups)
        for group in groups:
            no_vendor = group.vendor_id is None
            style = NO_VENDOR_STYLE if no_vendor else "bold"
            name = plain(group.vendor, style)
            table.add_row(name, *[Text("")] * 6, Text(money(group.total_cents), style=style), Text(""),
                          key=f"v{group.vendor_id}")
            for line in group.lines:
                table.add_row(*_suggestion_cells(line), key=f"i{line.item_id}")
        stranded = next((g for g in groups if g.vendor_id is None), None)
        note = self.query_one("#po-no-vendor", Static)
        note.display = stranded is not None
        if stranded is not None:
            note.update(Text(f"{plural(len(stranded.lines), 'item')} under \"No vendor set\" cannot be ordered: "
                             "give each a vendor with e on the Inventory tab.", style=NO_VENDOR_STYLE))

    def _orders_head(self, data: OrdersData) -> Text:
        if data.show_all:
            shown = f"All orders, newest first ({plural(len(data.orders), 'order')}"
            shown += f", the latest {ALL_LIMIT})" if len(data.orders) >= ALL_LIMIT else ")"
            return Text(shown + " · h shows open ones only")
        return Text(f"Open orders: {plural(len(data.orders), 'order')} draft, ordered or partly received · "
                    "h shows all")

    # -- keys

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.reload()

    def action_draft(self) -> None:
        if self.data is None:
            return
        groups = [g for g in self.data.groups if g.vendor_id is not None]
        if not groups:
            self.say("Nothing to order from a vendor today.", "warning")
            return
        ctx = self.ctx

        def change(session: Session) -> int:
            made = purchasing.draft_orders(session, ctx.today, now=ctx.now(), actor=ctx.actor)
            if not made:
                raise ServiceError("nothing left to order: the suggestions were drafted meanwhile")
            return made[0]

        self.run_write(change, f"Draft orders made for {plural(len(groups), 'vendor')}: open one with enter, "
                               "check it and place it with p", then=self._drafted)

    def _drafted(self, first: int) -> None:
        self.focus_order = first
        self.saved()

    def action_open_order(self) -> None:
        key = selected_key(self.orders_table)
        if key is None:
            self.say("No order to open: press g to make draft orders from the suggestions.", "warning")
            return
        order_id = int(key)
        self.app.push_screen(OrderScreen(self.ctx, order_id), lambda saved: self._after_order(saved, order_id))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table is self.orders_table:
            self.action_open_order()
        else:
            self.say("These are suggestions: press g to make them draft orders, then open one below.")

    def _after_order(self, saved: bool | None, order_id: int) -> None:
        if saved:
            self.changed = True
        self.focus_order = order_id
        self.reload()


def _suggestion_cells(line: SuggestedLine) -> list[Text]:
    return [plain(f"  {line.name} ({line.unit})"), Text(str(line.on_hand)), Text(str(line.on_order)),
            Text(str(line.reorder_point)), Text(str(line.par)), Text(str(line.quantity), style="bold"),
            Text(money(line.unit_cost_cents)), Text(money(line.cost_cents)), _days_left(line)]


def _order_cells(row: OrderRow) -> list[Text]:
    status = Text(row.status.label, style=STATUS_STYLE[row.status])
    if row.status is OrderStatus.cancelled and row.note:
        status.append(" · ")
        status.append(row.note[:30])
    return [Text(str(row.order_id)), plain(row.vendor), status, _day(row.created_on), _day(row.ordered_on),
            Text(str(row.lines)), Text(money(row.total_cents))]
