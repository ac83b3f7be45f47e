"""One supply item: its settings, the lots on hand and its last movements; r/u/w move its stock from here.

`ItemDetailScreen(ctx, row)` is pushed by the Inventory tab with the item's StockRow; it reads the rest in a
worker and dismisses with True when it saved anything, so the tab can reload. The stock forms' save calls live
here too, shared with the tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import MovementKind, ReceiveCreate, UseCreate
from officemgr.services import inventory, movements
from officemgr.services.format import money
from officemgr.services.inventory import StockRow
from officemgr.services.movements import LotStock, MovementRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.base import SaveCall
from officemgr.tui.forms.stock import ReceiveForm, UseForm
from officemgr.tui.widgets.base import ListScreen, plain

HISTORY = 50  # movements shown: an item's history grows without end
KIND_STYLE = {MovementKind.receive: "green", MovementKind.use: "", MovementKind.waste: "bold red",
              MovementKind.adjust: "yellow"}


@dataclass(frozen=True)
class DetailData:
    row: StockRow
    lots: list[LotStock]
    moves: list[MovementRow]


def settings_text(row: StockRow) -> Text:
    text = Text()
    parts = [("Vendor", row.vendor or "—"), ("SKU", row.sku or "—"), ("Unit cost", money(row.unit_cost_cents)),
             ("Location", row.location or "—"), ("Par", str(row.par)), ("Reorder at", str(row.reorder_point))]
    for n, (label, value) in enumerate(parts):
        text.append(" · " if n else "")
        text.append(f"{label}: ", style="bold")
        text.append(value)
    text.append(f"\nOn hand: {row.on_hand} {row.unit}")
    if row.expired:
        text.append(f" · {row.expired} expired still on the shelf", style="bold red")
    if row.on_order:
        text.append(f" · {row.on_order} on order")
    if row.daily_use:
        text.append(f" · {row.daily_use:.1f} used a day")
    return text


def lot_cells(lot: LotStock, today: date) -> list[Text]:
    style = "bold red" if lot.expired(today) else ""
    expiry = f"{lot.expires:%m/%d/%Y}" + (" EXPIRED" if lot.expired(today) else "") if lot.expires else "—"
    return [plain(lot.lot_number or "—", style), Text(expiry, style=style), Text(str(lot.quantity), style=style),
            plain(lot.manufacturer), Text(f"{lot.received_on:%m/%d/%Y}" if lot.received_on else "")]


def move_cells(move: MovementRow) -> list[Text]:
    return [Text(f"{move.at:%m/%d/%Y %H:%M}"), Text(move.kind.value, style=KIND_STYLE[move.kind]),
            Text(f"{move.quantity:+d}"), plain(move.lot_number), plain(move.reason), plain(move.actor)]


def receive_call(ctx: AppContext, row: StockRow) -> SaveCall[ReceiveCreate]:
    """The receive form's save: stock into a lot; returns what to tell the user."""

    def save(session: Session, model: ReceiveCreate) -> str:
        lot = movements.receive(session, row.item_id, model, today=ctx.today, now=ctx.now(), actor=ctx.actor)
        where = f" into lot {lot.lot_number} (expires {lot.expires:%m/%d/%Y})" if lot.lot_number else ""
        return f"Received {model.quantity} {row.unit} of {row.name}{where}"

    return save


def take_call(ctx: AppContext, row: StockRow) -> SaveCall[UseCreate]:
    """The use or waste form's save: stock out, first to expire first or from the chosen lot; returns what to tell
    the user."""

    def save(session: Session, model: UseCreate) -> str:
        taken = movements.take(session, row.item_id, model, today=ctx.today, now=ctx.now(), actor=ctx.actor)
        lots = ", ".join(f"lot {number}: {qty}" for number, qty in taken if number)
        verb = "Wasted" if model.waste else "Used"
        return f"{verb} {model.quantity} {row.unit} of {row.name}" + (f" ({lots})" if lots else "")

    return save


def receive_form(ctx: AppContext, row: StockRow) -> ReceiveForm:
    return ReceiveForm(ctx, receive_call(ctx, row), row)


def use_form(ctx: AppContext, row: StockRow, lots: list[LotStock], *, waste: bool) -> UseForm:
    return UseForm(ctx, take_call(ctx, row), row, lots, waste=waste)


class ItemDetailScreen(ListScreen):
    DEFAULT_CSS = """
    ItemDetailScreen > .item-detail {
        width: 95%;
        max-width: 140;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    ItemDetailScreen .item-line {
        height: auto;
    }
    ItemDetailScreen #detail-moves {
        height: 1fr;
    }
    ItemDetailScreen #detail-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="item_detail_close"),
        Binding("r", "receive", "Receive", id="item_detail_receive"),
        Binding("u", "use", "Use", id="item_detail_use"),
        Binding("w", "waste", "Waste", id="item_detail_waste"),
    ]

    def __init__(self, ctx: AppContext, row: StockRow) -> None:
        super().__init__(ctx)
        self.row = row
        self.data: DetailData | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="item-detail"):
            yield Label(plain(f"{self.row.name} · {self.row.category.value} · {self.row.unit}"), classes="form-title")
            yield Static(Text("loading…"), id="detail-settings", classes="item-line")
            yield Label(Text("Lots on hand (first to expire first)"), classes="subtitle")
            yield DataTable(id="detail-lots", cursor_type="row", classes="short")
            yield Label(Text(f"Last {HISTORY} movements, newest first"), classes="subtitle")
            yield DataTable(id="detail-moves", cursor_type="row", zebra_stripes=True)
            yield Static(Text("r receive · u use · w waste · escape close"), id="detail-hint", classes="item-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#detail-lots", DataTable).add_columns("Lot", "Expires", "Qty", "Manufacturer", "Received")
        moves = self.query_one("#detail-moves", DataTable)
        moves.add_columns("When", "Kind", "Qty", "Lot", "Reason", "Who")
        moves.focus()
        self.reload()

    def fetch(self, session: Session) -> DetailData:
        item_id = self.row.item_id
        rows = inventory.stock(session, self.ctx.today, item_ids=[item_id])
        row = rows[0] if rows else self.row
        return DetailData(row, movements.lots(session, item_id),
                          movements.history(session, item_id, limit=HISTORY))

    def show(self, data: DetailData) -> None:
        self.data = data
        self.row = data.row
        self.query_one("#detail-settings", Static).update(settings_text(data.row))
        lots = self.query_one("#detail-lots", DataTable)
        lots.clear()
        for lot in data.lots:
            lots.add_row(*lot_cells(lot, self.ctx.today), key=str(lot.lot_id))
        moves = self.query_one("#detail-moves", DataTable)
        moves.clear()
        for n, move in enumerate(data.moves):
            moves.add_row(*move_cells(move), key=str(n))

    # -- keys

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_receive(self) -> None:
        self._open(receive_form(self.ctx, self.row))

    def action_use(self) -> None:
        if self.data is not None:
            self._open(use_form(self.ctx, self.row, self.data.lots, waste=False))

    def action_waste(self) -> None:
        if self.data is not None:
            self._open(use_form(self.ctx, self.row, self.data.lots, waste=True))

    def _open(self, form: ReceiveForm | UseForm) -> None:
        self.app.push_screen(form, lambda saved: self._after(form, saved))

    def _after(self, form: ReceiveForm | UseForm, saved: bool | None) -> None:
        if saved:
            self.say(str(form.result))
            self.saved()
