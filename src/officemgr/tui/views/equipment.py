"""Equipment that needs regular service (autoclave, AED, ECG, fridge data logger): next due first, overdue in
red and due soon in yellow, with keys to add (a), edit (e), log a service (s), show the service history
(enter) and retire (x, pressed twice).

`EquipmentScreen(ctx)` is pushed by the Inventory tab (key m); it dismisses with True when it saved anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import EquipmentCreate, ServiceCreate
from officemgr.services import equipment, settings
from officemgr.services.equipment import EquipmentRecord, EquipmentRow, ServiceRow
from officemgr.services.format import days_from_now, plural
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.equipment import EquipmentForm, ServiceForm
from officemgr.tui.widgets.base import ListScreen, plain, select_key, selected_key

COLUMNS = ("Name", "Serial", "Location", "Last service", "Next due", "Every", "Serviced by")
OVERDUE_STYLE = "bold red"
SOON_STYLE = "yellow"


@dataclass(frozen=True)
class EquipmentData:
    rows: list[EquipmentRow]
    warn_days: int  # the equipment_due_warn_days setting: due within this many days shows yellow


def due_text(row: EquipmentRow, warn_days: int) -> Text:
    when = f"{row.next_due:%m/%d/%Y} · "
    if row.days_to_due < 0:
        return Text(when + f"{-row.days_to_due} days overdue", style=OVERDUE_STYLE)
    return Text(when + days_from_now(row.days_to_due), style=SOON_STYLE if row.days_to_due <= warn_days else "")


class EquipmentScreen(ListScreen):
    DEFAULT_CSS = """
    EquipmentScreen > .equipment {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    EquipmentScreen #equip-table {
        height: 1fr;
    }
    EquipmentScreen .equipment-line {
        height: auto;
    }
    EquipmentScreen #equip-confirm {
        color: $error;
        text-style: bold;
    }
    EquipmentScreen #equip-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="equipment_close"),
        Binding("a", "add", "Add", id="equipment_add"),
        Binding("e", "edit", "Edit", id="equipment_edit"),
        Binding("s", "service", "Log service", id="equipment_service"),
        Binding("enter", "history", "Service history", id="equipment_history"),
        Binding("x", "retire", "Retire", id="equipment_retire"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.data: EquipmentData | None = None
        self.rows: dict[int, EquipmentRow] = {}
        self.focus_id: int | None = None
        self.retiring: int | None = None  # x was pressed once on this equipment: x again retires it

    # -- layout

    def compose(self) -> ComposeResult:
        with Vertical(classes="equipment"):
            yield Label(Text("Equipment service"), classes="form-title", id="equip-title")
            yield DataTable(id="equip-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="equip-confirm", classes="equipment-line")
            yield Static(Text("a add · e edit · s log a service · enter service history · x retire · escape close"),
                         id="equip-hint", classes="equipment-line")
        yield Footer()

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.table.focus()
        self._ask_retire(None)
        self.reload()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#equip-table", DataTable)

    # -- loading

    def fetch(self, session: Session) -> EquipmentData:
        return EquipmentData(equipment.equipment(session, self.ctx.today),
                             settings.get(session, "equipment_due_warn_days"))

    def show(self, data: EquipmentData) -> None:
        self.data = data
        table = self.table
        keep = selected_key(table)
        table.clear()
        self.rows = {}
        for row in data.rows:
            self.rows[row.equipment_id] = row
            table.add_row(*_cells(row, data.warn_days), key=str(row.equipment_id))
        wanted = self.focus_id if self.focus_id is not None else keep
        self.focus_id = None
        if not select_key(table, wanted) and table.row_count:
            table.move_cursor(row=0)
        self.query_one("#equip-title", Label).update(self._title(data))

    def _title(self, data: EquipmentData) -> Text:
        overdue = sum(1 for r in data.rows if r.days_to_due < 0)
        soon = sum(1 for r in data.rows if 0 <= r.days_to_due <= data.warn_days)
        text = Text(f"Equipment service · {plural(len(data.rows), 'item')}, next due first")
        if not data.rows:
            text.append(" · none yet: press a to add one")
        if overdue:
            text.append(f" · {overdue} overdue", style=OVERDUE_STYLE)
        if soon:
            text.append(f" · {soon} due within {data.warn_days} days", style=SOON_STYLE)
        return text

    # -- keys

    def selected(self, verb: str) -> EquipmentRow | None:
        key = selected_key(self.table)
        row = self.rows.get(int(key)) if key else None
        if row is None:
            self.say(f"No equipment to {verb}: press a to add some.", "warning")
        return row

    def _ask_retire(self, row: EquipmentRow | None) -> None:
        self.retiring = row.equipment_id if row else None
        line = self.query_one("#equip-confirm", Static)
        line.display = row is not None
        if row is not None:
            text = Text("Retire ")
            text.append_text(plain(row.name))
            text.append("? Press x again to take it off the list (its service log is kept); any other key keeps it.")
            line.update(text)

    def on_key(self, event: events.Key) -> None:
        # Any key but the second x drops the retire question (keys reach here before their bindings run).
        if self.retiring is not None and event.key != "x":
            self._ask_retire(None)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        ctx = self.ctx

        def save(session: Session, model: EquipmentCreate) -> EquipmentRecord:
            return equipment.add(session, model, today=ctx.today, now=ctx.now(), actor=ctx.actor)

        form = EquipmentForm(ctx, save)
        self.app.push_screen(form, lambda saved: self._after(saved, "Equipment added", _added_id(form.result)))

    def action_edit(self) -> None:
        row = self.selected("edit")
        if row is None:
            return
        ctx = self.ctx

        def save(session: Session, model: EquipmentCreate) -> EquipmentRecord:
            return equipment.update(session, row.equipment_id, model, today=ctx.today, now=ctx.now(), actor=ctx.actor,
                                    expected_version=row.version)

        self.app.push_screen(EquipmentForm(ctx, save, row),
                             lambda saved: self._after(saved, f"{row.name} saved", row.equipment_id))

    def action_service(self) -> None:
        row = self.selected("log a service for")
        if row is None:
            return
        ctx = self.ctx

        def save(session: Session, model: ServiceCreate) -> EquipmentRecord:
            return equipment.log_service(session, row.equipment_id, model, today=ctx.today, now=ctx.now(),
                                         actor=ctx.actor, expected_version=row.version)

        self.app.push_screen(ServiceForm(ctx, save, row),
                             lambda saved: self._after(saved, f"Service of {row.name} logged", row.equipment_id))

    def action_retire(self) -> None:
        row = self.selected("retire")
        if row is None:
            return
        if self.retiring != row.equipment_id:
            self._ask_retire(row)
            return
        self._ask_retire(None)
        ctx = self.ctx
        self.run_write(lambda s: equipment.retire(s, row.equipment_id, now=ctx.now(), actor=ctx.actor,
                                                  expected_version=row.version), f"{row.name} retired")

    def action_history(self) -> None:
        row = self.selected("show")
        if row is not None:
            self.read(lambda session: equipment.services(session, row.equipment_id),
                      lambda services: self.app.push_screen(ServiceHistoryScreen(row, services)),
                      group="equipment-history")

    @on(DataTable.RowSelected, "#equip-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_history()

    # -- after a form

    def _after(self, saved: bool | None, message: str, equipment_id: int | None) -> None:
        if saved:
            self.focus_id = equipment_id
            self.say(message)
            self.saved()


def _added_id(result: object) -> int | None:
    """The new equipment's id, from what the add form's save call returned."""
    return result.id if isinstance(result, EquipmentRecord) else None


def _cells(row: EquipmentRow, warn_days: int) -> list[Text]:
    last = Text(f"{row.last_service:%m/%d/%Y}") if row.last_service else Text("never", style="dim")
    return [plain(row.name), plain(row.serial_number or "—"), plain(row.location or "—"), last,
            due_text(row, warn_days), Text(f"{row.service_every_days} days"), plain(row.service_by or "—")]


class ServiceHistoryScreen(ModalScreen[None]):
    """One piece of equipment's details and its latest services (read-only)."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="equipment_history_close")]

    def __init__(self, row: EquipmentRow, services: list[ServiceRow]) -> None:
        super().__init__()
        self.row = row
        self.services = services

    def compose(self) -> ComposeResult:
        with Vertical(classes="form wide"):
            yield Label(plain(f"{self.row.name} · service history"), classes="form-title")
            with VerticalScroll(classes="detail"):
                yield Static(history_text(self.row, self.services), id="equip-history")
            yield Static(Text("escape closes"), classes="form-hint")


def history_text(row: EquipmentRow, services: list[ServiceRow]) -> Text:
    text = Text()
    for label, value in (("Serial", row.serial_number), ("Location", row.location), ("Serviced by", row.service_by),
                         ("Every", f"{row.service_every_days} days"), ("Next due", f"{row.next_due:%m/%d/%Y}"),
                         ("Note", row.note)):
        if value:
            text.append(f"{label}: ", style="bold")
            text.append(value)
            text.append("\n")
    text.append(f"\nServices ({len(services)}{' latest' if len(services) >= 50 else ''}, newest first):\n",
                style="bold")
    if not services:
        text.append("  none logged yet: press s on the list to log one\n", style="dim")
    for service in services:
        text.append(f"  {service.on:%m/%d/%Y}  ")
        text.append(service.done_by)
        if service.note:
            text.append(f" · {service.note}")
        if service.actor:
            text.append(f"  (logged by {service.actor})", style="dim")
        text.append("\n")
    return text
