"""Issue 23, item 4 by keys at 80x24: the request form shows the balance and, over it, refuses or saves the request
unpaid as chosen; approval over what is left asks again; Staff b lists balances, opens a ledger, edits a plan and
adds an adjustment (bad input in each field shown by it, nothing saved); the records screen shows the balances."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.app import App
from textual.widgets import DataTable, Input, Select, Static

from officemgr.models import Staff, TimeOff, TimeOffCreate, TimeOffStatus, UserRole
from officemgr.models.timeclock import AccrualMethod, LeaveAdjustment, LeaveKind, LeavePlan
from officemgr.services import leave, roster
from officemgr.services.access import Actor
from officemgr.services.leave_edit import AdjustmentInput, add_adjustment
from officemgr.services.roster import OverBalance
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.base import FieldsForm
from officemgr.tui.forms.leave import AdjustmentForm, PlanForm
from officemgr.tui.forms.shift import TimeOffForm
from officemgr.tui.views.credentials import PeopleRecordsScreen
from officemgr.tui.views.leave import LeaveScreen, LedgerScreen
from officemgr.tui.views.staff import StaffView
from ui_support import TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
SMALL = (80, 24)


def _someone(engine: Engine) -> int:
    """Support staff here more than a year (the demo's brand-new hire has hardly any PTO yet)."""
    with read_session(engine) as session:
        person = session.exec(select(Staff).where(Staff.active, col(Staff.is_provider).is_(False),
                                                  col(Staff.hire_date) < TODAY - timedelta(days=366))
                              .order_by(col(Staff.id))).first()
        assert person is not None and person.id is not None
        return person.id


def _pto(engine: Engine, staff_id: int) -> leave.Balance:
    with read_session(engine) as session:
        return leave.balances_of(session, staff_id, TODAY, actor=MANAGER)[0]


def _cursor_on(table: DataTable, key: int) -> None:  # type: ignore[type-arg]
    table.move_cursor(row=table.get_row_index(str(key)))


def _error(form: FieldsForm, name: str) -> str:  # type: ignore[type-arg]
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


def _time_off(engine: Engine, staff_id: int) -> list[TimeOff]:
    with read_session(engine) as session:
        return list(session.exec(select(TimeOff).where(TimeOff.staff_id == staff_id).order_by(col(TimeOff.id))))


async def test_a_request_over_the_balance_is_refused_then_saved_unpaid_by_choice(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    before = _time_off(demo_engine, target)
    pto = _pto(demo_engine, target)
    asked = pto.left_if_approved + 8
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        _cursor_on(app.query_one("#roster", DataTable), target)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TimeOffForm)
        assert form.query_one("#f-kind", Select).value == "PTO"
        form.query_one("#f-hours", Input).value = f"{asked:.2f}"
        await settle(pilot)
        shown = str(form.query_one("#leave-balance", Static).render())
        assert shown.startswith(f"PTO left on 11/23: {pto.left:.1f} h") and f"this request: {asked:.1f} h" in shown
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, ([n.message for n in app._notifications], _time_off(demo_engine, target))
        assert "nothing was saved" in str(form.query_one("#form-error", Static).render())
        assert app.focused is form.query_one("#f-over_balance", Select)  # the choice that saves it, in view
        assert _time_off(demo_engine, target) == before
        form.query_one("#f-over_balance", Select).value = OverBalance.unpaid
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    [new] = [off for off in _time_off(demo_engine, target) if off.id not in {b.id for b in before}]
    assert (new.hours, new.unpaid, new.status, new.start_date) == (round(asked, 2), True, TimeOffStatus.requested,
                                                                   TODAY)
    assert _pto(demo_engine, target).left_if_approved == pto.left_if_approved  # an unpaid request draws nothing


async def _approve(app: App[None], pilot, off_id: int) -> str:  # type: ignore[no-untyped-def]
    table = app.query_one("#roster", DataTable)
    _cursor_on(table, off_id)
    await pilot.press("y")
    await settle(pilot)
    return str(app.query_one(StaffView).query_one("#status", Static).render())


async def test_approval_over_what_is_left_now_asks_again_and_approves_unpaid(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    with write_session(demo_engine) as session:
        left = leave.balances_of(session, target, TODAY, actor=MANAGER)[0].left
        fits = roster.request_time_off(session, TimeOffCreate(staff_id=target, kind="PTO", start_date=TODAY,
                                                              end_date=TODAY, hours=4), now=APP_NOW, actor=MANAGER)
        later = roster.request_time_off(session, TimeOffCreate(staff_id=target, kind="PTO", start_date=TODAY,
                                                               end_date=TODAY, hours=8), now=APP_NOW, actor=MANAGER)
        # a correction: 10 h left, so once `fits` is approved only 6 h are left for `later`
        assert left != 10
        add_adjustment(session, AdjustmentInput(staff_id=target, kind=LeaveKind.pto, hours=10 - left,
                                                reason="correction"), today=TODAY, now=APP_NOW, actor=MANAGER)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3", "v", "v")
        await settle(pilot)
        if "Press y again" in await _approve(app, pilot, fits.id):  # the shifts it removes said first
            await pilot.press("y")
            await settle(pilot)
        notices = [n.message for n in app._notifications]
        assert any(n.endswith("PTO left after this approval: 6.0 h") for n in notices), notices
        status = await _approve(app, pilot, later.id)
        assert "PTO left: 6.0 h; this request: 8.0 h: it would be approved UNPAID" in status
        with read_session(demo_engine) as session:
            assert session.get_one(TimeOff, later.id).status is TimeOffStatus.requested
        await pilot.press("y")
        await settle(pilot)
    with read_session(demo_engine) as session:
        row = session.get_one(TimeOff, later.id)
        assert (row.status, row.unpaid) == (TimeOffStatus.approved, True)
    assert _pto(demo_engine, target).left == 6


async def _leave_screen(app: App[None], pilot, target: int) -> LeaveScreen:  # type: ignore[no-untyped-def]
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("b")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, LeaveScreen)
    _cursor_on(screen.query_one("#leave-list", DataTable), target)
    return screen


async def test_b_lists_balances_and_enter_opens_the_ledger(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    pto = _pto(demo_engine, target)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _leave_screen(app, pilot, target)
        table = screen.query_one("#leave-list", DataTable)
        assert str(table.get_row(str(target))[3]) == f"{pto.left:.1f}"
        await pilot.press("enter")
        await settle(pilot)
        ledger = app.screen
        assert isinstance(ledger, LedgerScreen)
        lines = ledger.query_one("#ledger", DataTable)
        pto_rows = [lines.get_row_at(n) for n in range(lines.row_count) if str(lines.get_row_at(n)[1]) == "PTO"]
        assert str(pto_rows[-1][3]) == f"{pto.left:.2f}"  # the running balance ends at what is left
        assert "Pay period" in " ".join(str(row[4]) for row in pto_rows)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


async def test_a_adds_an_adjustment_and_bad_input_is_shown_by_its_field(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    left = _pto(demo_engine, target).left
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _leave_screen(app, pilot, target)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AdjustmentForm)
        hours, reason = form.query_one("#f-hours", Input), form.query_one("#f-reason", Input)
        for typed_hours, typed_reason, field, message in (
            ("abc", "opening", "hours", "enter a number"), ("0", "opening", "hours", "not 0"),
            ("9999", "opening", "hours", "at most 2,080"), ("8", "", "reason", "say why"),
            ("8", "x" * 301, "reason", "at most 300"), ("8", "tab\u001bbed", "reason", ""),
        ):
            hours.value, reason.value = typed_hours, typed_reason
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and message in _error(form, field) and _error(form, field), (field, message)
        with read_session(demo_engine) as session:
            before = len(session.exec(select(LeaveAdjustment)).all())
        hours.value, reason.value = "-2.5", "Corrected a double entry"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert str(screen.query_one("#leave-list", DataTable).get_row(str(target))[3]) == f"{left - 2.5:.1f}"
    with read_session(demo_engine) as session:
        rows = session.exec(select(LeaveAdjustment).order_by(col(LeaveAdjustment.id))).all()
    assert len(rows) == before + 1
    assert (rows[-1].staff_id, rows[-1].hours, rows[-1].reason, rows[-1].actor) == (
        target, -2.5, "Corrected a double entry", "Pat Boss")


async def test_p_edits_the_plan_for_a_role_and_bad_input_is_shown_by_its_field(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    with read_session(demo_engine) as session:
        role = session.get_one(Staff, target).role
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await _leave_screen(app, pilot, target)
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PlanForm)
        assert form.query_one("#f-hours", Input).value == "3.08"
        form.query_one("#f-kind", Select).value = LeaveKind.sick  # shows the person's sick-leave plan instead
        await settle(pilot)
        assert (form.query_one("#f-method", Select).value, form.query_one("#f-per_hours_worked", Input).value,
                form.query_one("#f-hours", Input).value) == (AccrualMethod.per_hour, "30", "1")
        form.query_one("#f-kind", Select).value = LeaveKind.pto
        await settle(pilot)
        form.query_one("#f-target", Select).value = "role"
        cases = (
            ({"hours": "0"}, "hours", "more than 0"),
            ({"hours": "abc"}, "hours", "enter a number"),
            ({"hours": "201"}, "hours", "at most 200"),
            ({"carry_over_cap": "-1"}, "carry_over_cap", "use it or lose it"),
            ({"reset_month": "13"}, "reset_month", "1 to 12"),
            ({"reset_month": "x"}, "reset_month", "whole number"),
            ({"reset_month": "2", "reset_day": "29"}, "reset_day", "February 28 or March 1"),
            ({"reset_month": "4", "reset_day": "31"}, "reset_day", "April has days 1 to 30"),
            ({"per_hours_worked": "0", "method": AccrualMethod.per_hour}, "per_hours_worked", "more than 0"),
            ({"per_hours_worked": "", "method": AccrualMethod.per_hour}, "per_hours_worked", "required"),
        )
        for values, field, message in cases:
            for name, value in {"hours": "4", "carry_over_cap": "40", "reset_month": "1", "reset_day": "1",
                                "per_hours_worked": "", "method": AccrualMethod.per_period, **values}.items():
                widget = form.query_one(f"#f-{name}")
                assert isinstance(widget, (Input, Select))
                widget.value = value
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and message in _error(form, field), (field, message, _error(form, field))
        with read_session(demo_engine) as session:
            assert session.exec(select(LeavePlan).where(LeavePlan.role == role.value)).first() is None
        form.query_one("#f-method", Select).value = AccrualMethod.per_period
        form.query_one("#f-hours", Input).value = "4.5"
        form.query_one("#f-carry_over_cap", Input).value = ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        plan = session.exec(select(LeavePlan).where(LeavePlan.role == role.value)).one()
        assert (plan.kind, plan.staff_id, plan.method, plan.hours, plan.carry_over_cap) == (
            LeaveKind.pto, None, AccrualMethod.per_period, 4.5, None)
        assert leave.balances_of(session, target, TODAY, actor=MANAGER)[0].plan.applies_to == "their role"


async def test_the_records_screen_shows_the_persons_balances(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    with read_session(demo_engine) as session:
        pto, sick = leave.balances_of(session, target, TODAY, actor=MANAGER)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        _cursor_on(app.query_one("#roster", DataTable), target)
        await pilot.press("k")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PeopleRecordsScreen)
        title = str(screen.query_one("#pr-title").render())
        assert f"PTO left on 11/23: {pto.left:.1f} h" in title
        assert f"Sick leave left on 11/23: {sick.left:.1f} h" in title


async def test_b_is_not_offered_to_someone_without_payroll_access(demo_engine: Engine) -> None:
    desk = Actor("fd", {UserRole.front_desk}, workstation="desk")
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=desk)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        view = app.screen
        await pilot.press("b")
        await settle(pilot)
        assert app.screen is view and not isinstance(app.screen, LeaveScreen)
