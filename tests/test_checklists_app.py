"""Issue 23, part 2 by keys at 80x24: the manager opens a person's checklists from the Staff tab with l, marks a task
done and undoes it, starts onboarding, edits the role's template, and ends someone's employment with x (bad input
shown next to its field, nothing saved). Checked against what the database holds."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.app import App
from textual.widgets import Checkbox, DataTable, Input, Static

from officemgr.models import Role, Shift, Staff, UserRole
from officemgr.models.lifecycle import ChecklistKind, ChecklistTemplateItem, StaffTask
from officemgr.services import staff
from officemgr.services.access import Actor
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.checklists import EndEmploymentForm, TemplateItemForm
from officemgr.tui.views.checklists import ChecklistScreen, TemplateScreen
from ui_support import TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
SMALL = (80, 24)


def _in_checklist(engine: Engine, kind: ChecklistKind) -> int:
    """The demo's new hire (onboarding) or leaver (leaving)."""
    with read_session(engine) as session:
        [staff_id] = set(session.exec(select(StaffTask.staff_id).where(StaffTask.kind == kind)))
        return staff_id


def _tasks(engine: Engine, staff_id: int) -> list[StaffTask]:
    with read_session(engine) as session:
        return list(session.exec(select(StaffTask).where(StaffTask.staff_id == staff_id)
                                 .order_by(col(StaffTask.id))))


def _cursor_on(table: DataTable, key: int) -> None:  # type: ignore[type-arg]
    keys = [table.coordinate_to_cell_key((n, 0)).row_key.value for n in range(table.row_count)]
    table.move_cursor(row=keys.index(str(key)))


async def _open(app: App[None], pilot, staff_id: int, key: str):  # type: ignore[no-untyped-def]
    await pilot.press("3")
    await settle(pilot)
    _cursor_on(app.query_one("#roster", DataTable), staff_id)
    await pilot.press(key)
    await settle(pilot)
    return app.screen


async def test_the_demo_new_hire_s_overdue_training_is_marked_done_and_undone(demo_engine: Engine) -> None:
    ana = _in_checklist(demo_engine, ChecklistKind.onboarding)
    hipaa = next(t for t in _tasks(demo_engine, ana) if t.what.startswith("HIPAA"))
    assert hipaa.done_on is None and hipaa.due < TODAY
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open(app, pilot, ana, "l")
        assert isinstance(screen, ChecklistScreen)
        table = screen.query_one("#checklist-tasks", DataTable)
        assert table.row_count == 10
        assert "1 overdue" in str(screen.query_one("#checklist-note", Static).render())
        _cursor_on(table, hipaa.id or 0)
        assert "late" in str(table.get_row(str(hipaa.id))[0])
        await pilot.press("space")
        await settle(pilot)
        done = next(t for t in _tasks(demo_engine, ana) if t.id == hipaa.id)
        assert (done.done_on, done.done_by) == (TODAY, "Pat Boss")
        await pilot.press("u")
        await settle(pilot)
        assert next(t for t in _tasks(demo_engine, ana) if t.id == hipaa.id).done_on is None
        await pilot.press("s")  # onboarding is under way and there is no end date: nothing to start
        await settle(pilot)
        assert len(_tasks(demo_engine, ana)) == 10


async def test_s_starts_onboarding_from_the_hire_date_once(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        person = session.exec(select(Staff).where(Staff.role == Role.biller)).first()
        assert person is not None and person.id is not None and person.hire_date is not None
        biller, hired = person.id, person.hire_date
    assert _tasks(demo_engine, biller) == []
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open(app, pilot, biller, "l")
        assert isinstance(screen, ChecklistScreen)
        await pilot.press("s")
        await settle(pilot)
        tasks = _tasks(demo_engine, biller)
        assert len(tasks) == 9 and {t.kind for t in tasks} == {ChecklistKind.onboarding}
        assert min(t.due for t in tasks) == hired
        await pilot.press("s")
        await settle(pilot)
        assert len(_tasks(demo_engine, biller)) == 9


async def test_the_manager_adds_a_template_item_by_keys(demo_engine: Engine) -> None:
    ana = _in_checklist(demo_engine, ChecklistKind.onboarding)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, ana, "l")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TemplateScreen)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TemplateItemForm)
        form.query_one("#f-what", Input).focus()
        await pilot.press(*"Vaccine records")
        due = form.query_one("#f-due_days", Input)
        due.value = "two"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "whole number" in str(form.query_one("#e-due_days", Static).render())
        due.value = "5"
        form.query_one("#f-business_days", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TemplateScreen)
    with read_session(demo_engine) as session:
        item = session.exec(select(ChecklistTemplateItem).where(ChecklistTemplateItem.what == "Vaccine records")).one()
        assert (item.role, item.due_days, item.business_days, item.kind) == ("ma", 5, True, ChecklistKind.onboarding)


async def test_x_ends_employment_and_they_are_gone_from_the_next_day(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        person = session.exec(select(Staff).where(Staff.role == Role.biller)).first()
        assert person is not None and person.id is not None
        biller = person.id
    last = TODAY + timedelta(days=1)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        form = await _open(app, pilot, biller, "x")
        assert isinstance(form, EndEmploymentForm)
        form.query_one("#f-end_date", Input).value = f"{last:%m/%d/%Y}"
        await pilot.press("ctrl+s")  # no reason
        await settle(pilot)
        assert "say why" in str(form.query_one("#e-reason", Static).render())
        form.query_one("#f-reason", Input).value = "Moved away"
        await pilot.press("ctrl+s")  # shifts after the last day, not to be removed: refused, listed
        await settle(pilot)
        assert app.screen is form
        assert "remove the shifts first" in str(form.query_one("#form-error", Static).render())
        with read_session(demo_engine) as session:
            assert session.get(Staff, biller).end_date is None  # type: ignore[union-attr]
        form.query_one("#f-remove_shifts", Checkbox).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with read_session(demo_engine) as session:
        ended = session.get(Staff, biller)
        assert ended is not None and (ended.end_date, ended.end_reason) == (last, "Moved away")
        assert biller in {r.staff_id for r in staff.roster_day(session, last)}
        assert biller not in {r.staff_id for r in staff.roster_day(session, last + timedelta(days=1))}
    assert {t.kind for t in _tasks(demo_engine, biller)} == {ChecklistKind.leaving}


async def test_the_demo_leaver_is_off_the_roster_and_others_are_not_offered_checklists(demo_engine: Engine) -> None:
    tom = _in_checklist(demo_engine, ChecklistKind.leaving)
    with read_session(demo_engine) as session:
        assert tom not in {r.staff_id for r in staff.roster_day(session, TODAY)}
        leaver = session.get(Staff, tom)
        assert leaver is not None and leaver.end_date is not None and leaver.end_date.month != TODAY.month
        assert tom in {r.staff_id for r in staff.roster_day(session, leaver.end_date)}
        assert not session.exec(select(Shift).where(Shift.staff_id == tom,
                                                    Shift.start > datetime.combine(leaver.end_date, time.max))).all()
    assert [t.what for t in _tasks(demo_engine, tom) if t.done_on is None] == ["Exit interview"]
    new_hire = _in_checklist(demo_engine, ChecklistKind.onboarding)
    story = {t.what.split(" ")[0]: (t.done_on is not None, t.due < TODAY) for t in _tasks(demo_engine, new_hire)}
    assert (story["I-9"], story["W-4"], story["HIPAA"]) == ((True, True), (True, True), (False, True))
    assert [w for w, (done, due_before) in story.items() if due_before and not done] == ["HIPAA"]
    desk = Actor("fd", {UserRole.front_desk}, name="Fran Desk", workstation="desk")
    ana = _in_checklist(demo_engine, ChecklistKind.onboarding)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=desk)
    async with app.run_test(size=SMALL) as pilot:
        screen = await _open(app, pilot, ana, "l")
        assert not isinstance(screen, ChecklistScreen)
        await pilot.press("x")
        await settle(pilot)
        assert not isinstance(app.screen, EndEmploymentForm)
