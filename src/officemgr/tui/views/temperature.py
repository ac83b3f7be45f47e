"""The vaccine temperature log: one unit's readings for the last 30 days, its missing workdays, and keys to
log a reading (l), switch unit (p) and add a unit (a).

`TemperatureScreen(ctx, unit_id=None)` is pushed by the Compliance tab; it dismisses with True when it saved anything.
An out-of-range reading opens an incident (a temperature Concern) and the screen says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import ConcernStatus
from officemgr.services import temperature
from officemgr.services.format import plural
from officemgr.services.temperature import LogRow, ReadingCreate, ReadingResult, UnitCreate, UnitRow, degrees
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.temperature import TemperatureForm, UnitForm
from officemgr.tui.widgets.base import ListScreen, plain

LOG_DAYS = 30
OUT_STYLE = "bold red"
COLUMNS = ("Time", "Reading", "Min", "Max", "Initials", "Note", "Status")


@dataclass(frozen=True)
class LogData:
    units: list[UnitRow]
    unit: UnitRow | None
    rows: list[LogRow]
    missing: list[date]  # the shown unit's workdays without a reading (today included)
    others_missing: dict[str, int]  # other units: name -> missing workdays (today left out)


class TemperatureScreen(ListScreen):
    DEFAULT_CSS = """
    TemperatureScreen > .temperature {
        width: 95%;
        max-width: 130;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    TemperatureScreen #temp-log {
        height: 1fr;
    }
    TemperatureScreen .temperature-line {
        height: auto;
    }
    TemperatureScreen #temp-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="temperature_close"),
        Binding("l", "log", "Log reading", id="temperature_log"),
        Binding("p", "next_unit", "Next unit", id="temperature_next_unit"),
        Binding("a", "add_unit", "Add unit", id="temperature_add_unit"),
    ]

    def __init__(self, ctx: AppContext, unit_id: int | None = None) -> None:
        super().__init__(ctx)
        self.unit_id = unit_id
        self.data: LogData | None = None

    # -- layout

    def compose(self) -> ComposeResult:
        with Vertical(classes="temperature"):
            yield Label(Text("Vaccine temperature log"), classes="form-title", id="temp-title")
            yield Static(Text("loading…"), id="temp-unit", classes="temperature-line")
            yield DataTable(id="temp-log", cursor_type="row", zebra_stripes=True)
            yield Static("", id="temp-missing", classes="temperature-line")
            yield Static(Text("l log a reading · p next unit · a add a unit · escape close"), id="temp-hint",
                         classes="temperature-line")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#temp-log", DataTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.reload()

    # -- loading

    def fetch(self, session: Session) -> LogData:
        today = self.ctx.today
        first = today - timedelta(days=LOG_DAYS - 1)
        units = temperature.units(session)
        # The unit asked for, or the first one when it is gone (or none was asked for).
        shown = next((u for u in units if u.id == self.unit_id), units[0] if units else None)
        rows = temperature.log_for(session, shown.id, first, today) if shown else []
        missing = temperature.missing_readings(session, first, today)
        others: dict[str, int] = {}
        for unit, day in missing:
            if shown is not None and unit.id != shown.id and day != today:
                others[unit.name] = others.get(unit.name, 0) + 1
        return LogData(units, shown, rows, [d for u, d in missing if shown is not None and u.id == shown.id],
                       others)

    def show(self, data: LogData) -> None:
        self.data = data
        self.unit_id = data.unit.id if data.unit is not None else None
        unit = data.unit
        head = self.query_one("#temp-unit", Static)
        if unit is None:
            head.update(Text("No vaccine fridge or freezer yet: press a to add one."))
        else:
            line = Text()
            line.append(unit.name, style="bold")
            line.append(f" · {unit.kind.value} · range {unit.range_label}")
            if unit.location:
                line.append(" · ")
                line.append(unit.location)
            position = data.units.index(unit) + 1
            line.append(f" · unit {position} of {len(data.units)} · last {LOG_DAYS} days, newest first")
            head.update(line)
        table = self.query_one("#temp-log", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in data.rows:
            table.add_row(*_cells(row), key=str(row.id))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        self.query_one("#temp-missing", Static).update(self._missing_text(data))

    def _missing_text(self, data: LogData) -> Text:
        today = self.ctx.today
        past = [d for d in data.missing if d != today]
        text = Text()
        if data.unit is None:
            return text
        if past:
            text.append(f"Missing workdays ({len(past)}, no reading): ", style=OUT_STYLE)
            text.append(", ".join(f"{d:%a %m/%d}" for d in past))
        else:
            text.append(f"No missing workdays in the last {LOG_DAYS} days.", style="green")
        if today in data.missing:
            text.append(f"\nToday ({today:%a %m/%d}): not logged yet — press l.", style="yellow")
        if data.others_missing:
            text.append("\nOther units: ")
            text.append(" · ".join(f"{name}: {plural(n, 'missing workday')}"
                                   for name, n in sorted(data.others_missing.items())))
        return text

    # -- keys

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_next_unit(self) -> None:
        if self.data is None or len(self.data.units) < 2:
            return
        ids = [u.id for u in self.data.units]
        current = ids.index(self.unit_id) if self.unit_id in ids else -1
        self.unit_id = ids[(current + 1) % len(ids)]
        self.query_one("#temp-log", DataTable).move_cursor(row=0)
        self.reload()

    def action_log(self) -> None:
        if self.data is None:
            return
        if not self.data.units:
            self.say("There is no fridge or freezer to log yet: press a to add one.", "warning")
            return
        ctx = self.ctx

        def save(session: Session, model: ReadingCreate) -> ReadingResult:
            return temperature.log_reading(session, model, now=ctx.now(), actor=ctx.actor)

        form = TemperatureForm(ctx, save, self.data.units, unit_id=self.unit_id, now=ctx.now())
        self.app.push_screen(form, lambda saved: self._logged(form.result if saved else None))

    def action_add_unit(self) -> None:
        ctx = self.ctx

        def save(session: Session, model: UnitCreate) -> UnitRow:
            return temperature.add_unit(session, model, now=ctx.now(), actor=ctx.actor)

        form = UnitForm(ctx, save)
        self.app.push_screen(form, lambda saved: self._added(form.result if saved else None))

    # -- after a form

    def _logged(self, result: object) -> None:
        if not isinstance(result, ReadingResult):
            return
        self.changed = True
        reading = result.reading
        self.unit_id = reading.unit_id
        if result.concern is not None:
            # Longer than a notification's usual few seconds: this one asks for action now.
            self.app.notify(f"OUT OF RANGE: {result.concern.summary}. Incident #{result.concern.id} was opened: act "
                            "now (label the vaccines 'do not use', call the manufacturer). It can only be closed "
                            "with a note of the action taken.", severity="error", timeout=30, markup=False)
        else:
            self.say(f"Reading logged: {degrees(reading.reading_c)} at {reading.at:%H:%M}.")
        self.reload()

    def _added(self, unit: object) -> None:
        if not isinstance(unit, UnitRow):
            return
        self.changed = True
        self.unit_id = unit.id
        self.say("Unit added; log its first reading with l.")
        self.reload()


def _cells(row: LogRow) -> list[Text]:
    style = OUT_STYLE if row.out_of_range else ""
    if row.out_of_range:
        status = "OUT OF RANGE"
        if row.concern_id is not None:
            state = "closed" if row.concern_status is ConcernStatus.closed else "open"
            status += f" · incident #{row.concern_id} {state}"
    else:
        status = "in range"
    return [Text(f"{row.at:%a %m/%d %H:%M}", style=style), Text(degrees(row.reading_c), style=style),
            Text(degrees(row.min_c), style=style), Text(degrees(row.max_c), style=style),
            plain(row.initials, style), plain(row.note, style), Text(status, style=style or "green")]
