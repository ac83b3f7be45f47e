"""The time clock's screens: the kiosk (name + PIN, nothing else of the practice shown), the timesheets of a pay
period (Staff tab, T) and one person's punches in it (Enter there).

The kiosk covers the whole app. Escape leaves it by locking the app: whoever opened it (or anyone) signs in again
to get back, so a kiosk left open never hands the opener's session to the next person at the PC.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from officemgr.services import payroll, timeclock, timesheets
from officemgr.services.access import Area, may
from officemgr.services.payroll import Period
from officemgr.services.timeclock import DayCheck, FixEntry, FixRow, KioskName, PunchResult, duration
from officemgr.services.timesheets import TimesheetRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Refused, Session
from officemgr.tui.forms.timeclock import FixForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

RESULT_SECONDS = 15.0


def hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}"


class KioskScreen(DatabaseWork, Screen[None]):
    DEFAULT_CSS = """
    KioskScreen { align: center middle; }
    KioskScreen > .kiosk { width: 60; height: auto; max-height: 100%; border: thick $accent; padding: 0 1; }
    KioskScreen #kiosk-names { height: 10; }
    KioskScreen #kiosk-result { height: 2; text-style: bold; }
    """
    # The app's own keys (tabs, palette, patients, keys, quit) do nothing here: the kiosk shows nothing else.
    BINDINGS = [
        Binding("escape", "leave", "Leave (locks the app)", id="kiosk_leave"),
        Binding("ctrl+f", "nothing", show=False, priority=True),
        *(Binding(key, "nothing_typed", show=False, priority=True)
          for key in ("question_mark", "q", *map(str, range(10)))),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.names: list[KioskName] = []
        self.palette_was = True

    def compose(self) -> ComposeResult:
        with Vertical(classes="kiosk"):
            yield Label(Text("Time clock: your name, Enter, your PIN, Enter"), classes="form-title")
            yield Input(placeholder="your name", id="kiosk-find")
            yield DataTable(cursor_type="row", id="kiosk-names")
            yield Input(placeholder="PIN", password=True, id="kiosk-pin")
            yield Static("", id="kiosk-result")
        yield Footer()

    def on_mount(self) -> None:
        # The palette is the app's priority key, checked before any screen's: switched off while the kiosk shows.
        self.palette_was = self.app.use_command_palette
        self.app.use_command_palette = False
        self.query_one("#kiosk-names", DataTable).add_columns("Name")
        self.query_one("#kiosk-find", Input).focus()
        self.read(lambda session: timeclock.kiosk_names(session, self.ctx.today), self._names)

    def _names(self, names: list[KioskName]) -> None:
        self.names = names
        self._fill("")

    def _fill(self, typed: str) -> None:
        table: DataTable[Any] = self.query_one("#kiosk-names", DataTable)
        table.clear()
        words = typed.casefold().split()
        for person in self.names:
            if all(w in person.name.casefold() for w in words):
                table.add_row(plain(person.name), key=str(person.staff_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Typed keys go to the name and PIN fields as typed; only outside a field are they swallowed.
        if action == "nothing_typed" and isinstance(self.focused, Input):
            return False
        return True

    def on_unmount(self) -> None:
        self.app.use_command_palette = self.palette_was

    def action_nothing(self) -> None:
        """A key the kiosk does not offer."""

    def action_nothing_typed(self) -> None:
        """A typed key outside the fields: the app's own (tabs, keys, quit) are not offered here."""

    @on(Input.Changed, "#kiosk-find")
    def _typed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#kiosk-find")
    def _name_entered(self, event: Input.Submitted) -> None:
        table = self.query_one("#kiosk-names", DataTable)
        if table.row_count == 1:
            self.query_one("#kiosk-pin", Input).focus()
        elif table.row_count:
            table.focus()
        else:
            self._show(Text("No one by that name can use the kiosk; ask the manager for a user account"))

    @on(DataTable.RowSelected, "#kiosk-names")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.query_one("#kiosk-pin", Input).focus()

    @on(Input.Submitted, "#kiosk-pin")
    def _pin_entered(self, event: Input.Submitted) -> None:
        key = selected_key(self.query_one("#kiosk-names", DataTable))
        typed = event.value
        event.input.value = ""
        if key is None:
            self._show(Text("Choose your name first"))
            self.query_one("#kiosk-find", Input).focus()
            return
        staff_id = int(key)
        workstation = self.ctx.actor.workstation or "kiosk"
        self.run_write(lambda session: timeclock.kiosk_punch(session, staff_id, typed, now=self.ctx.now(),
                                                             workstation=workstation, wall=self.ctx.wall()),
                       then=self._punched, group="kiosk")

    def _punched(self, result: PunchResult) -> None:
        self._show(Text(f"{result.name}: {result.notice}"))
        # Not left for the next person at the PC to read.
        self.set_timer(RESULT_SECONDS, lambda: self._show(Text("")))
        self.query_one("#kiosk-find", Input).value = ""
        self.query_one("#kiosk-find", Input).focus()

    def _show(self, text: Text) -> None:
        self.query_one("#kiosk-result", Static).update(text)

    def when_refused(self, message: Refused) -> None:
        self._show(Text(message.message))

    def write_refused(self) -> None:
        """Nothing to reload: the names stay."""

    def action_leave(self) -> None:
        self.dismiss(None)
        self.app.call_later(self.app.run_action, "lock")


class TimesheetsScreen(ListScreen):
    DEFAULT_CSS = """
    TimesheetsScreen > .timesheets { width: 100%; max-width: 130; height: 100%; border: thick $accent;
                                     background: $panel; padding: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="sheets_close"),
        Binding("enter", "punches", "Punches", id="sheets_punches"),  # the table's Enter: _chosen
        Binding("f", "fix", "Ask for a fix", id="sheets_fix"),
        Binding("y", "approve_fix", "Approve fix", id="sheets_approve_fix"),
        Binding("a", "approve", "Approve timesheet", id="sheets_approve"),
        Binding("left_square_bracket", "step(-1)", "Period back", id="sheets_prev"),
        Binding("right_square_bracket", "step(1)", "Period on", id="sheets_next"),
    ]

    def __init__(self, ctx: AppContext, day: date) -> None:
        super().__init__(ctx)
        self.day = day
        self.period: Period | None = None
        self.rows: dict[str, TimesheetRow] = {}
        self.pending: dict[int, list[FixRow]] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="timesheets"):
            yield Label(Text("Timesheets"), id="sheets-title", classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="sheets")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#sheets", DataTable)
        table.add_columns("Name", "Sched", "Punch", "Pay h", "From", "Late", "Early", "Miss", "Fix", "Approved")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> tuple[Period, list[TimesheetRow], list[FixRow]]:
        period = payroll.pay_period(session, self.day, actor=self.ctx.actor)
        rows = timesheets.timesheet_rows(session, period, now=self.ctx.now(), actor=self.ctx.actor)
        # The auditor sees the timesheets; the fixes waiting are the manager's to decide.
        waiting = timeclock.fixes(session, actor=self.ctx.actor) if may(self.ctx.actor, Area.staff) else []
        return period, rows, waiting

    def show(self, data: tuple[Period, list[TimesheetRow], list[FixRow]]) -> None:
        period, rows, fixes = data
        self.period = period
        self.pending = {}
        for fix in fixes:
            self.pending.setdefault(fix.staff_id, []).append(fix)
        self.query_one("#sheets-title", Label).update(Text(f"Timesheets {period}"))
        table: DataTable[Any] = self.query_one("#sheets", DataTable)
        keep = selected_key(table)
        table.clear()
        self.rows = {str(r.staff_id): r for r in rows}
        for r in rows:
            approved = f"{r.approved_at:%m/%d}" if r.approved_at else "blocked" if r.blocked else "no"
            table.add_row(plain(r.name), Text(f"{r.scheduled_minutes / 60:.1f}"),
                          Text(f"{r.punched_minutes / 60:.1f}"),
                          Text(hours(r.approved_minutes if r.approved_minutes is not None else r.worked_minutes)),
                          Text(r.source or "-"), Text(str(r.late)), Text(str(r.early)),
                          Text(str(r.missed), style="bold red" if r.missed else ""),
                          Text(str(r.pending_fixes)), plain(approved), key=str(r.staff_id))
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))

    @on(DataTable.RowSelected, "#sheets")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_punches()

    def _row(self) -> TimesheetRow | None:
        row = self.rows.get(selected_key(self.query_one("#sheets", DataTable)) or "")
        if row is None:
            self.say("Put the cursor on a person first")
        return row

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_step(self, direction: int) -> None:
        if self.period is None:
            return
        self.day = self.period.start - timedelta(days=1) if direction < 0 else self.period.end + timedelta(days=1)
        self.reload()

    def action_punches(self) -> None:
        row = self._row()
        if row is not None and self.period is not None:
            self.app.push_screen(PunchesScreen(self.ctx, row.staff_id, row.name, self.period.start), self._back)

    def _back(self, changed: bool | None) -> None:
        if changed:
            self.saved()

    def action_fix(self) -> None:
        row = self._row()
        if row is None or self.period is None:
            return
        day = min(self.ctx.today, self.period.end)
        self.app.push_screen(fix_form(self.ctx, row.staff_id, row.name, day), self._back)

    def action_approve_fix(self) -> None:
        row = self._row()
        if row is None:
            return
        waiting = self.pending.get(row.staff_id, [])
        if not waiting:
            self.say(f"{row.name} has no punch fix waiting")
            return
        fix = waiting[0]
        # The notice says when an approved timesheet was cleared by the fix and needs approving again.
        self.run_write(lambda session: timeclock.approve_fix(session, fix.id, today=self.ctx.today,
                                                             now=self.ctx.now(), actor=self.ctx.actor),
                       then=lambda done: self.say(f"{fix.clock_in:%m/%d} {fix.clock_in:%H:%M}-"
                                                  f"{fix.clock_out:%H:%M}: {done.notice}"))

    def action_approve(self) -> None:
        row, period = self._row(), self.period
        if row is None or period is None:
            return
        self.run_write(lambda session: timesheets.approve_timesheet(session, row.staff_id, period,
                                                                    now=self.ctx.now(), actor=self.ctx.actor),
                       f"Approved {row.name}'s timesheet for {period}")


def fix_form(ctx: AppContext, staff_id: int, name: str, day: date, start: str = "", end: str = "",
             punch_id: int | None = None) -> FixForm:
    def save(session: Session, entry: FixEntry) -> int:
        return timeclock.enter_fix(session, entry, today=ctx.today, now=ctx.now(), actor=ctx.actor)

    return FixForm(ctx, save, staff_id=staff_id, name=name, day=day, start=start, end=end, punch_id=punch_id)


class PunchesScreen(ListScreen):
    """One person's days in the pay period holding `day`: shift, punches, late/early/missed; their fixes below.
    f fixes the day. Anyone's own (Staff T for a role without timesheets), or anyone's for the manager."""

    DEFAULT_CSS = """
    PunchesScreen > .punches { width: 100%; max-width: 120; height: 100%; border: thick $accent;
                               background: $panel; padding: 0 1; }
    PunchesScreen #punch-fixes { height: auto; max-height: 8; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="punches_close"),
        Binding("f", "fix", "Ask for a fix for this day", id="punches_fix"),
        Binding("left_square_bracket", "step(-1)", "Period back", id="punches_prev"),
        Binding("right_square_bracket", "step(1)", "Period on", id="punches_next"),
    ]

    def __init__(self, ctx: AppContext, staff_id: int, name: str, day: date) -> None:
        super().__init__(ctx)
        self.staff_id, self.person, self.day = staff_id, name, day
        self.period: Period | None = None
        self.days: dict[str, DayCheck] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="punches"):
            yield Label(Text(f"Punches: {self.person}"), id="punches-title", classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="punch-days")
            yield Static("", id="punch-fixes")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#punch-days", DataTable)
        table.add_columns("Day", "Shift", "Punches", "Worked", "Late", "Early", "Miss")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> tuple[Period, list[DayCheck], list[FixRow]]:
        period = payroll.period_holding(session, self.day)
        days = timeclock.day_checks(session, period.start, period.end, now=self.ctx.now(),
                                    actor=self.ctx.actor, staff_id=self.staff_id)
        return period, days, timeclock.person_fixes(session, self.staff_id, actor=self.ctx.actor)

    def show(self, data: tuple[Period, list[DayCheck], list[FixRow]]) -> None:
        period, days, fixes = data
        self.period = period
        self.query_one("#punches-title", Label).update(Text(f"Punches: {self.person}, {period}"))
        table: DataTable[Any] = self.query_one("#punch-days", DataTable)
        table.clear()
        self.days = {d.day.isoformat(): d for d in days}
        for d in days:
            shift = f"{d.shift_start:%H:%M}-{d.shift_end:%H:%M}" if d.shift_start and d.shift_end else "-"
            punches = ", ".join(f"{p.clock_in:%H:%M}-{p.clock_out:%H:%M}" if p.clock_out else f"{p.clock_in:%H:%M}-?"
                                for p in d.punches) or "none"
            table.add_row(Text(f"{d.day:%a %m/%d}"), Text(shift), Text(punches),
                          Text(duration(d.punched_minutes) if d.punches else "-"),
                          Text(f"{d.late_minutes}m" if d.late_minutes else ""),
                          Text(f"{d.early_minutes}m" if d.early_minutes else ""),
                          Text("yes" if d.missed else "", style="bold red"), key=d.day.isoformat())
        if not days:
            table.add_row(Text("No shifts or punches in this period"), *(Text("") for _ in range(6)))
        lines = [f"{f.clock_in:%m/%d} {f.clock_in:%H:%M}-{f.clock_out:%H:%M} {f.status.value}: {f.reason}"
                 for f in fixes if f.clock_in.date() in period]
        self.query_one("#punch-fixes", Static).update(Text("Fixes: " + ("; ".join(lines) if lines else "none")))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_step(self, direction: int) -> None:
        if self.period is None:
            return
        self.day = self.period.start - timedelta(days=1) if direction < 0 else self.period.end + timedelta(days=1)
        self.reload()

    def action_fix(self) -> None:
        day = self.days.get(selected_key(self.query_one("#punch-days", DataTable)) or "")
        if day is None:
            self.app.push_screen(fix_form(self.ctx, self.staff_id, self.person, self.ctx.today), self._after)
            return
        # The open punch, else the day's last: an out time is what is most often put right.
        last = day.punches[-1] if day.punches else None
        open_punch = next((p for p in day.punches if p.clock_out is None), last)
        start = f"{open_punch.clock_in:%H:%M}" if open_punch else f"{day.shift_start:%H:%M}" if day.shift_start else ""
        end = (f"{open_punch.clock_out:%H:%M}" if open_punch and open_punch.clock_out
               else f"{day.shift_end:%H:%M}" if day.shift_end else "")
        self.app.push_screen(fix_form(self.ctx, self.staff_id, self.person, day.day, start, end,
                                      open_punch.punch_id if open_punch else None), self._after)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.saved()
