"""One supply item: its settings, the lots on hand and its last movements; r/u/w move its stock from here.

`ItemDetailScreen(row)` is pushed by the Inventory tab with the item's StockRow; it reads the rest in a
worker and dismisses with True when it saved anything, so the tab can reload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import MovementKind
from officemgr.services import inventory, movements
from officemgr.services.format import money
from officemgr.services.inventory import StockRow
from officemgr.services.movements import LotStock, MovementRow
from officemgr.tui.forms.stock import ReceiveForm, StockForm, UseForm
from officemgr.tui.widgets.base import plain
from officemgr.tui.widgets.screen_work import ScreenWork

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


class ItemDetailScreen(ScreenWork, ModalScreen[bool]):
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

    def __init__(self, row: StockRow) -> None:
        super().__init__()
        self.row = row
        self.data: DetailData | None = None
        self.changed = False

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
        rows = inventory.stock(session, self.today, item_ids=[item_id])
        row = rows[0] if rows else self.row
        return DetailData(row, movements.lots(session, item_id),
                          movements.history(session, item_id, limit=HISTORY))

    def _deliver(self, data: DetailData) -> None:
        if not self.is_mounted:
            return
        self.data = data
        self.row = data.row
        self.query_one("#detail-settings", Static).update(settings_text(data.row))
        lots = self.query_one("#detail-lots", DataTable)
        lots.clear()
        for lot in data.lots:
            lots.add_row(*lot_cells(lot, self.today), key=str(lot.lot_id))
        moves = self.query_one("#detail-moves", DataTable)
        moves.clear()
        for n, move in enumerate(data.moves):
            moves.add_row(*move_cells(move), key=str(n))

    # -- keys

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_receive(self) -> None:
        self._open(ReceiveForm(self.row, self.today))

    def action_use(self) -> None:
        if self.data is not None:
            self._open(UseForm(self.row, self.today, self.data.lots, waste=False))

    def action_waste(self) -> None:
        if self.data is not None:
            self._open(UseForm(self.row, self.today, self.data.lots, waste=True))

    def _open(self, form: StockForm) -> None:
        self.app.push_screen(form, lambda saved: self._after(form, saved))

    def _after(self, form: StockForm, saved: Any) -> None:
        if saved:
            self._saved(form.result)
