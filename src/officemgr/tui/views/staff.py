"""Staff tab: the day's roster with coverage gaps, the week's shift grid, and time off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Key
from textual.widgets import DataTable, Label

from officemgr.models import ShiftCreate, StaffCreate, TimeOffStatus
from officemgr.services import coverage, leave, roster, staff
from officemgr.services.calendar import StrandedBooking
from officemgr.services.coverage import DayCoverage
from officemgr.services.format import plural
from officemgr.services.leave import ApprovalCheck, RequestBalances
from officemgr.services.roster import ApprovalEffects, OverBalance, ShiftRow, StaffWeek, TimeOffRow
from officemgr.services.staff import CredentialRow, RosterRow, StaffRecord
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.shift import ShiftForm, TimeOffForm, TimeOffRequest
from officemgr.tui.forms.staff import StaffForm
from officemgr.tui.views.checklists import ChecklistScreen, offers_onboarding
from officemgr.tui.views.practice_calendar import StrandedScreen
from officemgr.tui.views.staff_people import StaffPeopleView
from officemgr.tui.widgets.base import TabView, plain, select_key, selected_key
from officemgr.tui.widgets.fast_table import FastTable
from officemgr.tui.widgets.staff_tables import fill_credentials, fill_roster, fill_time_off, fill_week

MODES = ("day", "week", "time off")


@dataclass(frozen=True)
class DayData:
    day: date
    roster: list[RosterRow]
    coverage: DayCoverage
    credentials: list[CredentialRow]


@dataclass(frozen=True)
class Asked:
    """An approval asked about: the shifts and bookings it touches, and the balance it would go over."""

    effects: ApprovalEffects
    check: ApprovalCheck | None

    @property
    def over_balance(self) -> ApprovalCheck | None:
        return self.check if self.check is not None and self.check.over else None


@dataclass(frozen=True)
class WeekData:
    monday: date
    grid: list[StaffWeek]
    coverage: list[DayCoverage]


class StaffView(StaffPeopleView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("v", "switch_view", "Day/week/time off", id="staff_view"),
        Binding("left_square_bracket", "step(-1)", "Back", id="staff_prev"),
        Binding("right_square_bracket", "step(1)", "Forward", id="staff_next"),
        Binding("t", "today", "Today", id="staff_today"),
        Binding("a", "add", "Add staff", id="staff_add"),
        Binding("e", "edit", "Edit staff", id="staff_edit"),
        Binding("s", "shift", "Add/edit shift", id="staff_shift"),
        Binding("delete", "remove_shift", "Remove shift", id="staff_remove_shift"),
        Binding("c", "copy_week", "Copy last week", id="staff_copy"),
        Binding("o", "time_off", "Request time off", id="staff_time_off"),
        Binding("y", "decide(True)", "Approve", id="staff_approve"),
        Binding("n", "decide(False)", "Deny", id="staff_deny"),
        Binding("k", "records", "Credentials, evaluations, enrollment", id="staff_records"),
        Binding("p", "pay", "Pay settings", id="staff_pay"),
        Binding("w", "corrective", "Corrective actions", id="staff_corrective"),
        Binding("h", "hiring", "Hiring", id="staff_hiring"),
        Binding("l", "checklists", "Onboarding/leaving", id="staff_checklists"),
        Binding("x", "end_employment", "End employment", id="staff_end_employment"),
        Binding("m", "meetings", "Staff meetings", id="staff_meetings"),
        Binding("b", "leave", "Leave balances", id="staff_leave"),
        Binding("i", "punch", "Punch in/out", id="staff_punch"),
        Binding("T", "timesheets", "Timesheets", id="staff_timesheets"),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.day: date | None = None
        self.mode = "day"
        self.week: list[StaffWeek] = []
        self.requests: dict[int, TimeOffRow] = {}
        # An approval asked about (its shifts and bookings said): y again approves it, any other key forgets it.
        self.asked: Asked | None = None

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="staff-title")
        yield FastTable(zebra_stripes=True, id="roster")
        yield Label("", classes="subtitle", id="staff-subtitle")
        yield FastTable(cursor_type="row", classes="short", id="credentials")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.day = self.ctx.today
        super().on_mount()

    def fetch(self, session: Session) -> DayData | WeekData | list[TimeOffRow]:
        day = self.day or self.ctx.today
        if self.mode == "week":
            monday = roster.monday_of(day)
            return WeekData(monday, roster.week_grid(session, monday), coverage.coverage_week(session, monday))
        if self.mode == "time off":
            return roster.time_off_list(session, self.ctx.today)
        return DayData(day, staff.roster_day(session, day), coverage.coverage_day(session, day),
                       staff.credentials_expiring(session, self.ctx.today))

    def show(self, data: DayData | WeekData | list[TimeOffRow]) -> None:
        main: DataTable[Any] = self.query_one("#roster", DataTable)
        lower: DataTable[Any] = self.query_one("#credentials", DataTable)
        coordinate = main.cursor_coordinate
        main.clear(columns=True)
        lower.clear(columns=True)
        if isinstance(data, WeekData):
            self.week = [r for r in data.grid if self.matches(r.name, r.role_label)]
            fill_week(main, self.week, self.ctx.today)
            gaps = [f"{d.day:%a} {len(coverage.gap_ranges(d))}" for d in data.coverage if d.gaps]
            self._titles(f"Shifts, week of {data.monday:%B %-d, %Y} · s add/edit at the cursor · c copy last week",
                         "Coverage gaps and conflicts this week")
            fill_coverage(lower, data.coverage)
            self.set_status(f"Gaps: {', '.join(gaps) or 'none'} · delete removes the shift · v next view")
        elif isinstance(data, list):
            rows = [r for r in data if self.matches(r.name, r.kind, r.status.value, r.note)]
            self.requests = {r.id: r for r in rows}
            fill_time_off(main, rows)
            waiting = sum(1 for r in rows if r.status is TimeOffStatus.requested)
            self._titles(f"Time off · {waiting} waiting for a decision · o request · y approve · n deny", "")
            lower.display = False
            self.set_status("Requests first, then time off from today on")
        else:
            people = [r for r in data.roster if self.matches(r.name, r.role.label, r.off, r.alert)]
            fill_roster(main, people)
            fill_coverage(lower, [data.coverage])
            fill_credentials(lower, [c for c in data.credentials if self.matches(c.staff_name, c.kind.label)])
            working = sum(1 for r in data.roster if r.working)
            out = sum(1 for r in data.roster if r.off)
            self._titles(f"Roster for {data.day:%A %B %-d, %Y} · {working} working · {out} out",
                         "Coverage gaps today, then credentials expired or expiring within 90 days")
            self.set_status("a add · e edit · o time off · k credentials · v week / time off · [ ] day")
        if isinstance(data, list):
            main.cursor_type = "row"
        main.cursor_coordinate = coordinate

    def _titles(self, title: str, subtitle: str) -> None:
        self.query_one("#staff-title", Label).update(Text(title))
        self.query_one("#staff-subtitle", Label).update(Text(subtitle))
        self.query_one("#credentials", DataTable).display = bool(subtitle)

    def focus_record(self, record_id: int | None) -> None:
        if self.mode == "day":
            select_key(self.query_one("#roster", DataTable), record_id)

    # ---- navigation

    def action_switch_view(self) -> None:
        self.mode = MODES[(MODES.index(self.mode) + 1) % len(MODES)]
        self.reload()

    def action_step(self, delta: int) -> None:
        self.day = (self.day or self.ctx.today) + timedelta(days=delta * (7 if self.mode == "week" else 1))
        self.reload()

    def action_today(self) -> None:
        self.day = self.ctx.today
        self.reload()

    # ---- what is under the cursor

    def _cell(self) -> tuple[int | None, date]:
        """The staff member and day under the cursor (the day view's day outside the week grid)."""
        table: DataTable[Any] = self.query_one("#roster", DataTable)
        key = selected_key(table)
        day = self.day or self.ctx.today
        if self.mode == "week" and key is not None:
            column = table.cursor_coordinate.column
            return int(key), roster.monday_of(day) + timedelta(days=max(0, column - 1))
        if self.mode == "time off" and key is not None:
            return self.requests[int(key)].staff_id, day
        return (int(key) if key else None), day

    def _shift_under_cursor(self) -> ShiftRow | None:
        staff_id, day = self._cell()
        row = next((r for r in self.week if r.staff_id == staff_id), None)
        cell = row.days[(day - roster.monday_of(day)).days] if row and self.mode == "week" else None
        return cell.shifts[0] if cell and cell.shifts else None

    # ---- actions

    def action_add(self) -> None:
        added: list[StaffRecord] = []

        def save(session: Session, model: StaffCreate) -> None:
            added.append(staff.add_staff(session, model, now=self.ctx.now(), actor=self.ctx.actor))

        def after(saved: bool | None) -> None:
            self._after(saved)
            # A new hire: their checklist screen offers to start onboarding from the hire date.
            if saved and added and offers_onboarding(added[0], False, self.ctx.today):
                self.app.push_screen(ChecklistScreen(self.ctx, added[0].id, added[0].name), self._after)

        self.app.push_screen(StaffForm(self.ctx, save), after)

    def action_edit(self) -> None:
        staff_id, _ = self._cell()
        if staff_id is None:
            return
        self.open_after_read(lambda session: staff.staff_record(session, staff_id), self._staff_form, self._form_closed)

    def _staff_form(self, person: StaffRecord | None) -> StaffForm | None:
        if person is None:
            return None
        staff_id, version = person.id, person.version

        def save(session: Session, model: StaffCreate) -> None:
            staff.update_staff(session, staff_id, model, now=self.ctx.now(), actor=self.ctx.actor,
                               expected_version=version)

        return StaffForm(self.ctx, save, person)

    def action_shift(self) -> None:
        if self.mode != "week":
            self.mode = "week"
            self.reload()
            self.say("Week view: put the cursor on a person and a day, then press s")
            return
        staff_id, day = self._cell()
        shift = self._shift_under_cursor()

        def save(session: Session, model: ShiftCreate) -> None:
            if shift is None:
                roster.add_shift(session, model, now=self.ctx.now(), actor=self.ctx.actor)
            else:
                roster.update_shift(session, shift.id, model, now=self.ctx.now(), actor=self.ctx.actor,
                                    expected_version=shift.version)

        self.open_after_read(lambda session: staff.staff_options(session, self.ctx.today), lambda people: ShiftForm(
            self.ctx, save, people=people, staff_id=staff_id, day=day, shift=shift), self._form_closed)

    def action_remove_shift(self) -> None:
        shift = self._shift_under_cursor()
        if shift is None:
            self.say("No shift under the cursor", "warning")
            return
        self.run_write(lambda session: roster.delete_shift(session, shift.id, now=self.ctx.now(), actor=self.ctx.actor,
                                                           expected_version=shift.version),
                       f"Shift {shift.start:%a %H:%M}–{shift.end:%H:%M} removed")

    def action_copy_week(self) -> None:
        monday = roster.monday_of(self.day or self.ctx.today)
        self.run_write(lambda session: roster.copy_last_week(session, monday, now=self.ctx.now(), actor=self.ctx.actor),
                       f"Last week's shifts copied into the week of {monday:%m/%d}")

    def action_time_off(self) -> None:
        staff_id, day = self._cell()

        def save(session: Session, request: TimeOffRequest) -> None:
            roster.request_time_off(session, request.data, now=self.ctx.now(), actor=self.ctx.actor,
                                    over_balance=request.over_balance)

        def read(session: Session) -> tuple[list[tuple[str, int]], list[str], RequestBalances]:
            people = staff.staff_options(session, self.ctx.today)
            return people, roster.time_off_kinds(session), leave.request_balances(
                session, [person_id for _, person_id in people], self.ctx.today, actor=self.ctx.actor)

        self.open_after_read(read, lambda choices: TimeOffForm(
            self.ctx, save, people=choices[0], kinds=choices[1], staff_id=staff_id, day=day, balances=choices[2]),
            self._form_closed)

    def action_decide(self, approve: bool) -> None:
        if self.mode != "time off":
            self.say("Approve or deny on the time-off view (v)", "warning")
            return
        key = selected_key(self.query_one("#roster", DataTable))
        request = self.requests.get(int(key)) if key else None
        asked, self.asked = self.asked, None
        if request is None:
            return
        if not approve:
            self._decide(request, False, None)
        elif asked is not None and asked.effects.off_id == request.id:
            self._decide(request, True, asked)
        else:
            self.read(lambda session: Asked(roster.approval_effects(session, request.id),
                                            leave.approval_check(session, request.id, actor=self.ctx.actor)),
                      lambda asking: self._ask(request, asking), group="approve")

    def _ask(self, request: TimeOffRow, asking: Asked) -> None:
        """Say what approval removes and strands, and a balance it goes over, before it does; nothing to say
        approves at once."""
        effects, over = asking.effects, asking.over_balance
        if not (effects.shifts or effects.stranded or over):
            self._decide(request, True, asking)
            return
        self.asked = asking
        question = f"{request.name}, {request.kind} {request.start_date:%m/%d}–{request.end_date:%m/%d}: " \
                   f"{effects.question()}"
        if over is not None:
            question += f" {over.text()}: it would be approved UNPAID."
        question += " Press y again to approve; any other key leaves it waiting."
        self.set_status(question)
        self.say(question, "warning")

    def _decide(self, request: TimeOffRow, approve: bool, asked: Asked | None) -> None:
        effects = asked.effects if asked is not None else None
        expected = effects.shift_ids if effects is not None else None
        choice = OverBalance.unpaid if asked is not None and asked.over_balance else OverBalance.refuse

        def decide(session: Session) -> tuple[list[StrandedBooking], ApprovalCheck | None]:
            roster.decide_time_off(session, request.id, approve, now=self.ctx.now(), actor=self.ctx.actor,
                                   expected_version=request.version, expected_shifts=expected, over_balance=choice)
            if not approve:
                return [], None
            # The call list as it stands once approved, not as it stood when asked.
            return (list(roster.approval_effects(session, request.id).stranded),
                    leave.approval_check(session, request.id, actor=self.ctx.actor))

        done = f"{request.name}: {request.kind} {request.start_date:%m/%d}–{request.end_date:%m/%d} " \
               f"{'approved' if approve else 'denied'}"
        if choice is OverBalance.unpaid:
            done += " as unpaid"
        if effects is not None and effects.shifts:
            done += f", {plural(len(effects.shifts), 'shift')} removed"
        self.run_write(decide, done, then=lambda result: self._approved(request, *result))

    def _approved(self, request: TimeOffRow, stranded: list[StrandedBooking], check: ApprovalCheck | None) -> None:
        if check is not None:
            self.say(f"{request.name}: {check.kind.label} left after this approval: {check.after:.1f} h")
        self._call_list(request, stranded)

    def _call_list(self, request: TimeOffRow, stranded: list[StrandedBooking]) -> None:
        self.reload()
        if stranded:
            self.app.push_screen(TimeOffStrandedScreen(stranded, f"{request.name} is off: "
                                                                 f"{plural(len(stranded), 'booking')} to call and "
                                                                 "reschedule"))

    def on_key(self, event: Key) -> None:
        if event.key != "y":
            self.asked = None

    def action_records(self) -> None:
        from officemgr.tui.views.credentials import PeopleRecordsScreen

        staff_id, _ = self._cell()
        self.app.push_screen(PeopleRecordsScreen(self.ctx, staff_id if self.mode != "time off" else None), self._after)

    @on(DataTable.CellSelected, "#roster")
    def _cell_chosen(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if self.mode == "week":
            self.action_shift()


class TimeOffStrandedScreen(StrandedScreen):
    """The practice calendar's call list, titled for approved time off rather than a closed day."""

    def __init__(self, stranded: list[StrandedBooking], title: str) -> None:
        super().__init__(stranded)
        self.title_text = title

    def on_mount(self) -> None:
        self.query_one(".form-title", Label).update(Text(self.title_text))


def fill_coverage(table: DataTable[Any], days: list[DayCoverage]) -> None:
    table.add_columns("When", "What", "Status")
    for day in days:
        for line in coverage.gap_ranges(day):
            table.add_row(Text(f"{day.day:%a %m/%d}"), Text(line, style="yellow"), Text("short-staffed"))
        for conflict in day.conflicts:
            table.add_row(Text(f"{day.day:%a %m/%d}"), plain(conflict.text, "bold red"), Text("booked but absent"))
    if not table.row_count:
        table.add_row(Text(""), Text("No coverage gaps", style="green"), Text(""))
