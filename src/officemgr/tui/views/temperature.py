"""The vaccine temperature log: one unit's readings for the last 30 days, its missing workdays, and keys to
log a reading (l), switch unit (p) and add a unit (a).

`TemperatureScreen(unit_id=None)` is pushed by the app; it dismisses with True when it saved anything.
An out-of-range reading opens an incident (a temperature Concern) and the screen says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import get_current_worker

from officemgr.models import ConcernStatus
from officemgr.services import temperature
from officemgr.services.format import plural
from officemgr.services.temperature import LogRow, UnitRow, degrees
from officemgr.store import read_session
from officemgr.tui.forms.temperature import TemperatureForm, UnitForm
from officemgr.tui.widgets.base import plain, unreadable

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


class TemperatureScreen(ModalScreen[bool]):
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

    def __init__(self, unit_id: int | None = None) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.data: LogData | None = None
        self.changed = False

    # -- app context

    @property
    def today(self) -> date:
        return self.app.today  # type: ignore[attr-defined, no-any-return]

    def say(self, message: str, severity: str = "information", timeout: float | None = None) -> None:
        self.app.notify(message, severity=severity, markup=False,  # type: ignore[arg-type]
                        **({"timeout": timeout} if timeout else {}))

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

    @work(thread=True, exclusive=True, group="temperature-load")
    def reload(self) -> None:
        today = self.today
        first = today - timedelta(days=LOG_DAYS - 1)
        try:
            with read_session(self.app.engine) as session:  # type: ignore[attr-defined]
                units = temperature.units(session)
                ids = [u.id for u in units]
                if self.unit_id not in ids:
                    self.unit_id = ids[0] if ids else None
                shown = next((u for u in units if u.id == self.unit_id), None)
                rows = temperature.log_for(session, shown.id, first, today) if shown else []
                missing = temperature.missing_readings(session, first, today)
        except SQLAlchemyError as exc:
            self.app.call_from_thread(self.say, unreadable(exc), "error")
            return
        others: dict[str, int] = {}
        for unit, day in missing:
            if shown is not None and unit.id != shown.id and day != today:
                others[unit.name] = others.get(unit.name, 0) + 1
        data = LogData(units, shown, rows, [d for u, d in missing if shown is not None and u.id == shown.id], others)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._deliver, data)

    def _deliver(self, data: LogData) -> None:
        if not self.is_mounted:
            return
        self.data = data
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
        today = self.today
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
        form = TemperatureForm(self.data.units, unit_id=self.unit_id, now=self.app.now())  # type: ignore[attr-defined]
        self.app.push_screen(form, lambda saved: self._logged(form, saved))

    def action_add_unit(self) -> None:
        form = UnitForm()
        self.app.push_screen(form, lambda saved: self._added(form, saved))

    # -- after a form

    def _logged(self, form: TemperatureForm, saved: bool | None) -> None:
        result = form.result
        if not saved or result is None:
            return
        self.changed = True
        reading = result.reading
        self.unit_id = reading.unit_id
        if result.concern is not None:
            self.say(f"OUT OF RANGE: {result.concern.summary}. Incident #{result.concern.id} was opened: act now "
                     "(label the vaccines 'do not use', call the manufacturer). It can only be closed with a note "
                     "of the action taken.", "error", timeout=30)
        else:
            self.say(f"Reading logged: {degrees(reading.reading_c)} at {reading.at:%H:%M}.")
        self.reload()

    def _added(self, form: UnitForm, saved: bool | None) -> None:
        if not saved or form.unit_id is None:
            return
        self.changed = True
        self.unit_id = form.unit_id
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
