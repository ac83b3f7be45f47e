"""Issue 23, items 9 and 6 by keys: the manager opens a person's pay settings from the Staff tab with p, and bad input
(each text field) shows next to its field with nothing saved; no other role is offered the screen."""

from __future__ import annotations

import json
from datetime import date, datetime, time

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.app import App
from textual.widgets import DataTable, Input, Select, Static

from officemgr.models import AuditEvent, Staff, UserRole
from officemgr.models.people import CorrectiveAction, CorrectiveKind, PayPeriod, PaySetting, PayType
from officemgr.services.access import Actor
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.corrective import CorrectiveForm
from officemgr.tui.forms.pay_settings import PaySettingsForm
from officemgr.tui.views.corrective import CorrectiveScreen
from ui_support import TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, workstation="office")
SMALL = (80, 24)


def _cursor_on(app: App[None], staff_id: int) -> None:
    table = app.query_one("#roster", DataTable)
    keys = [table.coordinate_to_cell_key((n, 0)).row_key.value for n in range(table.row_count)]
    table.move_cursor(row=keys.index(str(staff_id)))


def _someone(engine: Engine) -> int:
    with read_session(engine) as session:
        person = session.exec(select(Staff).where(Staff.active, col(Staff.is_provider).is_(False))).first()
        assert person is not None and person.id is not None
        return person.id


def _stored(engine: Engine, staff_id: int) -> PaySetting | None:
    with read_session(engine) as session:
        return session.exec(select(PaySetting).where(PaySetting.staff_id == staff_id)).first()


async def _open_form(app: App[None], pilot, staff_id: int) -> PaySettingsForm:  # type: ignore[no-untyped-def]
    await pilot.press("3")
    await settle(pilot)
    _cursor_on(app, staff_id)
    await pilot.press("p")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, PaySettingsForm)
    return form


def _error(form: PaySettingsForm, name: str) -> str:
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


async def test_the_manager_sets_a_salary_by_keys_at_80x24(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    before = _stored(demo_engine, target)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(app, pilot, target)
        form.query_one("#f-pay_type", Select).value = PayType.salaried
        form.query_one("#f-pay_period", Select).value = PayPeriod.semimonthly
        amount = form.query_one("#f-amount", Input)
        amount.focus()
        amount.value = ""
        await pilot.press(*"58,500", "tab")
        plan = form.query_one("#f-pto_plan", Input)
        plan.value = ""
        plan.focus()
        await pilot.press(*"Office staff")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form, [_error(form, n) for n in ("amount", "pto_plan", "pay_type")] + [
            str(form.query_one("#form-error", Static).render())]
    row = _stored(demo_engine, target)
    assert row is not None
    assert (row.salary_cents, row.hourly_rate_cents, row.pay_period, row.pto_plan) == (
        5_850_000, None, PayPeriod.semimonthly, "Office staff")
    with read_session(demo_engine) as session:
        person = session.get(Staff, target)
        assert person is not None and person.pay_type is PayType.salaried
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "pay_setting")
                             .order_by(col(AuditEvent.id).desc())).first()
        assert event is not None and event.actor == "pat@office"
        assert json.loads(event.changes)["salary_cents"] == [before.salary_cents if before else None, 5_850_000]


async def test_bad_input_in_each_field_shows_by_it_and_saves_nothing(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    before = _stored(demo_engine, target)
    snapshot = None if before is None else (before.version, before.hourly_rate_cents, before.pto_plan)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open_form(app, pilot, target)
        form.query_one("#f-pay_type", Select).value = PayType.hourly
        amount = form.query_one("#f-amount", Input)
        plan = form.query_one("#f-pto_plan", Input)
        for typed, message in (("abc", "'abc' is not an amount"), ("1000.01", "at most $1,000.00"),
                               ("0", "more than $0.00"), ("", "give the hourly rate")):
            amount.value = typed
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert message in _error(form, "amount")
        amount.value = "25"
        plan.value = "x" * 61
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "at most 60 characters" in _error(form, "pto_plan")
        plan.value = "two\u001blines"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and _error(form, "pto_plan")
        await pilot.press("escape")
        await settle(pilot)
    after = _stored(demo_engine, target)
    assert (None if after is None else (after.version, after.hourly_rate_cents, after.pto_plan)) == snapshot


async def test_no_other_role_is_offered_pay_settings(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    desk = Actor("kim", {UserRole.front_desk}, workstation="desk1")
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=desk)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("3")
        await settle(pilot)
        _cursor_on(app, target)
        await pilot.press("p")
        await settle(pilot)
        assert not isinstance(app.screen, PaySettingsForm)
        assert "staff_pay" not in {b.binding.id for b in app.active_bindings.values()}


# --- corrective actions (item 6) ------------------------------------------------------------------------------


async def _open_log(app: App[None], pilot, staff_id: int) -> CorrectiveScreen:  # type: ignore[no-untyped-def]
    await pilot.press("3")
    await settle(pilot)
    _cursor_on(app, staff_id)
    await pilot.press("w")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, CorrectiveScreen)
    return screen


def _entries(engine: Engine, staff_id: int) -> list[CorrectiveAction]:
    with read_session(engine) as session:
        return list(session.exec(select(CorrectiveAction).where(CorrectiveAction.staff_id == staff_id)
                                 .order_by(col(CorrectiveAction.id))))


async def test_the_manager_logs_a_warning_by_keys_then_closes_it(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    before = len(_entries(demo_engine, target))
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        log = await _open_log(app, pilot, target)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CorrectiveForm)
        form.query_one("#f-kind", Select).value = CorrectiveKind.verbal_warning
        form.query_one("#f-policy", Input).focus()
        await pilot.press(*"Attendance", "tab", *"Late twice", "tab", *"On time", "tab", *"11/30/2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is log
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    entries = _entries(demo_engine, target)
    assert len(entries) == before + 1
    new = entries[-1]
    assert (new.happened_on, new.kind, new.policy, new.detail, new.resolution, new.follow_up) == (
        TODAY, CorrectiveKind.verbal_warning, "Attendance", "Late twice", "On time", date(2026, 11, 30))
    assert (new.closed_on, new.closed_by) == (TODAY, "pat")


async def test_bad_input_into_the_corrective_form_shows_by_the_field(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    before = len(_entries(demo_engine, target))
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await _open_log(app, pilot, target)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CorrectiveForm)
        date_box, detail, follow = (form.query_one(f"#f-{n}", Input) for n in ("happened_on", "detail", "follow_up"))
        policy = form.query_one("#f-policy", Input)
        cases = [(detail, "", "detail"), (date_box, "13/45/2026", "happened_on"), (date_box, "", "happened_on"),
                 (follow, "11/01/2026", "follow_up"), (follow, "soon", "follow_up"), (policy, "x" * 121, "policy")]
        for box, typed, field in cases:
            date_box.value, detail.value, follow.value, policy.value = "11/23/2026", "Late", "", ""
            box.value = typed
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and _error(form, field), (field, typed)
        date_box.value, detail.value, policy.value = "11/24/2026", "Late", ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form and "after today" in str(form.query_one("#form-error", Static).render())
    assert len(_entries(demo_engine, target)) == before


async def test_no_other_role_is_offered_corrective_actions(demo_engine: Engine) -> None:
    target = _someone(demo_engine)
    for role in (UserRole.front_desk, UserRole.auditor):
        app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=Actor("kim", {role}))
        async with app.run_test(size=SMALL) as pilot:
            await pilot.press("3")
            await settle(pilot)
            _cursor_on(app, target)
            await pilot.press("w")
            await settle(pilot)
            assert not isinstance(app.screen, CorrectiveScreen)
