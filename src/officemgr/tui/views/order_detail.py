"""One purchase order: vendor contact, status, dates, total and its lines.

A draft is edited here (+/- and e change a line's quantity, a adds an item) and placed with p; when placing
would take a category over its monthly budget the warnings show in red and p must be pressed again.
An ordered or partly received order is received with r. x cancels (a draft, or what has not arrived).

`OrderScreen(ctx, order_id)` is pushed by OrdersScreen; it dismisses with True when it saved anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import OPEN_ORDER_STATUSES, OrderStatus
from officemgr.services import inventory, purchasing
from officemgr.services.common import ServiceError
from officemgr.services.format import money, plural
from officemgr.services.purchasing import LineReceipt, OrderDetail, OrderLineRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.orders import (
    AddLine,
    AddLineForm,
    CancelOrderForm,
    Quantity,
    QuantityForm,
    Reason,
    Receipts,
    ReceiveOrderForm,
)
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

STATUS_STYLE = {OrderStatus.draft: "yellow", OrderStatus.ordered: "cyan", OrderStatus.partly_received: "magenta",
                OrderStatus.received: "green", OrderStatus.cancelled: "dim"}
COLUMNS = ("Item", "Unit", "Qty", "Received", "Still expected", "Unit cost", "Line total")
DRAFT_ACTIONS = {"more", "less", "set_quantity", "add_line", "place"}
WARN_STYLE = "yellow"
CONFIRM_STYLE = "bold red"
HINTS = {
    OrderStatus.draft: "+/- quantity by one · e set quantity (0 removes) · a add an item · p place the order · "
                       "x cancel · escape close",
    OrderStatus.ordered: "r receive what arrived · x cancel the order · escape close",
    OrderStatus.partly_received: "r receive what arrived · x cancel what has not arrived · escape close",
}


@dataclass(frozen=True)
class OrderData:
    detail: OrderDetail
    warnings: list[str]  # a draft: what placing it today would take over budget
    items: list[tuple[Text, int]]  # a draft: the active items it can take, for the add form


class OrderScreen(ListScreen):
    DEFAULT_CSS = """
    OrderScreen > .order {
        width: 95%;
        max-width: 130;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    OrderScreen #order-lines {
        height: 1fr;
    }
    OrderScreen .order-line {
        height: auto;
    }
    OrderScreen #order-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="order_close"),
        Binding("plus,equals_sign", "more", "Qty +1", id="order_more"),
        Binding("minus", "less", "Qty -1", id="order_less"),
        Binding("e", "set_quantity", "Set quantity", id="order_set_quantity"),
        Binding("a", "add_line", "Add item", id="order_add_line"),
        Binding("p", "place", "Place order", id="order_place"),
        Binding("r", "receive", "Receive", id="order_receive"),
        Binding("x", "cancel_order", "Cancel order", id="order_cancel"),
    ]

    def __init__(self, ctx: AppContext, order_id: int) -> None:
        super().__init__(ctx)
        self.order_id = order_id
        self.data: OrderData | None = None
        self.lines: dict[int, OrderLineRow] = {}
        self.confirm_place = False  # the budget warnings are shown: p again places anyway

    # -- layout

    def compose(self) -> ComposeResult:
        with Vertical(classes="order"):
            yield Label(Text(f"Order #{self.order_id}"), classes="form-title", id="order-title")
            yield Static(Text("loading…"), id="order-head", classes="order-line")
            yield Static("", id="order-budget", classes="order-line")
            yield DataTable(id="order-lines", cursor_type="row", zebra_stripes=True)
            yield Static("", id="order-hint", classes="order-line")
        yield Footer()

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.table.focus()
        self.reload()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#order-lines", DataTable)

    @property
    def status(self) -> OrderStatus | None:
        return self.data.detail.order.status if self.data else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys that fit the order's status are live (and shown in the footer)."""
        status = self.status
        if action in DRAFT_ACTIONS:
            return status is OrderStatus.draft
        if action == "receive":
            return status in OPEN_ORDER_STATUSES
        if action == "cancel_order":
            return status is OrderStatus.draft or status in OPEN_ORDER_STATUSES
        return True

    # -- loading

    def fetch(self, session: Session) -> OrderData:
        detail = purchasing.order_detail(session, self.order_id)
        if detail.order.status is not OrderStatus.draft:
            return OrderData(detail, [], [])
        items = []
        for row in inventory.stock(session, self.ctx.today):
            label = Text(f"{row.name} ({row.unit}) · {money(row.unit_cost_cents)}")
            if row.vendor_id != detail.order.vendor_id:
                label.append(f" · vendor: {row.vendor or 'none set'}", style="dim")
            items.append((label, row.item_id))
        return OrderData(detail, purchasing.over_budget(session, self.order_id, self.ctx.today), items)

    def show(self, data: OrderData) -> None:
        self.data = data
        self.confirm_place = False
        table = self.table
        keep = table.cursor_row
        table.clear()
        self.lines = {}
        for line in data.detail.lines:
            self.lines[line.line_id] = line
            table.add_row(*_line_cells(line, data.detail.order.status), key=str(line.line_id))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        order = data.detail.order
        title = Text(f"Order #{order.order_id} · ")
        title.append_text(plain(order.vendor))
        self.query_one("#order-title", Label).update(title)
        self.query_one("#order-head", Static).update(_head(data.detail))
        self._show_budget()
        self.query_one("#order-hint", Static).update(Text(HINTS.get(order.status, "escape close")))
        self.refresh_bindings()

    def _show_budget(self) -> None:
        box = self.query_one("#order-budget", Static)
        warnings = self.data.warnings if self.data else []
        box.display = bool(warnings)
        if not warnings:
            box.update("")
            return
        text = Text()
        if self.confirm_place:
            text.append("Over budget — press p again to place it anyway, or change the order:\n",
                        style=CONFIRM_STYLE)
            style = CONFIRM_STYLE
        else:
            text.append("Placing it today would go over the monthly supplies budget:\n", style=WARN_STYLE)
            style = WARN_STYLE
        text.append("\n".join(f"  {w}" for w in warnings), style=style)
        box.update(text)

    # -- keys

    def selected_line(self) -> OrderLineRow | None:
        key = selected_key(self.table)
        line = self.lines.get(int(key)) if key else None
        if line is None:
            self.say("This order has no lines: press a to add an item.", "warning")
        return line

    def _end_confirm(self) -> None:
        if self.confirm_place:
            self.confirm_place = False
            self._show_budget()

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_more(self) -> None:
        self._step(1)

    def action_less(self) -> None:
        self._step(-1)

    def _step(self, delta: int) -> None:
        self._end_confirm()
        line = self.selected_line()
        if line is None:
            return
        if line.quantity + delta < 1:
            self.say(f"{line.name}: 1 is the least; to take it off the order press e and enter 0.", "warning")
            return
        order_id, ctx = self.order_id, self.ctx

        def change(session: Session) -> None:
            # The step is taken from the stored quantity, so quick presses each count once.
            current = next((x for x in purchasing.order_detail(session, order_id).lines
                            if x.line_id == line.line_id), None)
            if current is None:
                raise ServiceError("that line is no longer on the order — reload")
            if current.quantity + delta < 1:
                raise ServiceError(f"{line.name}: 1 is the least; to take it off the order press e and enter 0")
            purchasing.set_quantity(session, line.line_id, current.quantity + delta, now=ctx.now(), actor=ctx.actor)

        self.run_write(change, f"{line.name}: {'one more' if delta > 0 else 'one less'}")

    def action_set_quantity(self) -> None:
        self._end_confirm()
        line = self.selected_line()
        if line is None:
            return
        ctx = self.ctx

        def save(session: Session, model: Quantity) -> None:
            purchasing.set_quantity(session, line.line_id, model.quantity, now=ctx.now(), actor=ctx.actor,
                                    was=line.quantity)

        self.app.push_screen(QuantityForm(ctx, save, line),
                             lambda saved: self._after(saved, f"{line.name}: quantity set"))

    def action_add_line(self) -> None:
        self._end_confirm()
        if self.data is None:
            return
        order, ctx = self.data.detail.order, self.ctx

        def save(session: Session, model: AddLine) -> None:
            purchasing.add_line(session, order.order_id, model.item_id, model.quantity, now=ctx.now(),
                                actor=ctx.actor)

        form = AddLineForm(ctx, save, order, self.data.items)
        self.app.push_screen(form, lambda saved: self._after(saved, "Item added to the order"))

    def action_place(self) -> None:
        if self.data is None:
            return
        order = self.data.detail.order
        if self.data.warnings and not self.confirm_place:
            self.confirm_place = True
            self._show_budget()
            self.say("Over the monthly budget: press p again to place the order anyway.", "warning")
            return
        anyway, ctx = self.confirm_place, self.ctx
        self.confirm_place = False
        self.run_write(lambda s: purchasing.place(s, order.order_id, today=ctx.today, now=ctx.now(), actor=ctx.actor,
                                                  expected_version=order.version, over_budget_ok=anyway),
                       f"Order #{order.order_id} placed with {order.vendor}" + (" (over budget)" if anyway else ""))

    def action_receive(self) -> None:
        if self.data is None:
            return
        order_id, ctx = self.order_id, self.ctx

        def save(session: Session, model: Receipts) -> OrderStatus:
            return purchasing.receive(session, order_id, [LineReceipt(line_id, data) for line_id, data in model.lines],
                                      today=ctx.today, now=ctx.now(), actor=ctx.actor)

        form = ReceiveOrderForm(ctx, save, self.data.detail.order, self.data.detail.lines)
        self.app.push_screen(form, lambda saved: self._after(saved, f"Received: order #{order_id} is now "
                                                                    f"{_status_label(form.result)}"))

    def action_cancel_order(self) -> None:
        self._end_confirm()
        if self.data is None:
            return
        order, ctx = self.data.detail.order, self.ctx

        def save(session: Session, model: Reason) -> None:
            purchasing.cancel(session, order.order_id, reason=model.reason, now=ctx.now(), actor=ctx.actor,
                              expected_version=order.version)

        self.app.push_screen(CancelOrderForm(ctx, save, order),
                             lambda saved: self._after(saved, f"Order #{self.order_id} cancelled"))

    def _after(self, saved: bool | None, message: str) -> None:
        if saved:
            self.say(message)
            self.saved()


def _status_label(status: object) -> str:
    """The order's new status as the receive form's save call returned it."""
    return status.label if isinstance(status, OrderStatus) else "updated"


def _head(detail: OrderDetail) -> Text:
    order = detail.order
    text = Text()
    text.append("Status: ")
    text.append(order.status.label, style=f"bold {STATUS_STYLE[order.status]}")
    text.append(f" · {plural(order.lines, 'line')} · total {money(order.total_cents)}\n")
    text.append("Vendor: ")
    text.append_text(plain(order.vendor, "bold"))
    for label, value in (("phone", detail.vendor_phone), ("email", detail.vendor_email),
                         ("account", detail.account_number)):
        text.append(f" · {label} ")
        text.append_text(plain(value or "—"))
    text.append("\n")
    days = [("Created", order.created_on), ("ordered", order.ordered_on), ("received", order.received_on)]
    text.append(" · ".join(f"{label} {day:%m/%d/%Y}" if day else f"{label} —" for label, day in days))
    if order.note:
        text.append("\nNote: ")
        text.append_text(plain(order.note))
    return text


def _line_cells(line: OrderLineRow, status: OrderStatus) -> list[Text]:
    if status in OPEN_ORDER_STATUSES:
        expected = Text(str(line.remaining), style="bold" if line.remaining else "dim")
    else:
        expected = Text("—", style="dim")
    return [plain(line.name), plain(line.unit), Text(str(line.quantity)), Text(str(line.received)), expected,
            Text(money(line.unit_cost_cents)), Text(money(line.cost_cents))]
