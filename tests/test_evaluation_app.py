"""Evaluations by keys (issue 23, part 5): Enter on the Huddle's 90-day review opens the form; each field's bad input
shows next to it with nothing saved; the employee's sign-off; the records screen's evaluation action opens the form."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.app import App
from textual.widgets import DataTable, Input, Static

from officemgr.models import Evaluation, Staff, UserRole
from officemgr.models.lifecycle import EvaluationGoal, EvaluationRating
from officemgr.models.roster import EvaluationKind
from officemgr.services import credentials
from officemgr.services.access import Actor
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.evaluation import EvaluationForm, SignOffForm
from officemgr.tui.views.evaluation import EvaluationScreen
from ui_support import TODAY, settle

APP_NOW = datetime.combine(TODAY, time(10, 30))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
SMALL = (80, 24)


def _review_due(engine: Engine) -> credentials.EvaluationDue:
    with read_session(engine) as session:
        due = credentials.evaluations_due(session, TODAY, within_days=None)
    return next(d for d in due if d.kind is EvaluationKind.probation)


def _evaluations(engine: Engine, staff_id: int) -> list[Evaluation]:
    with read_session(engine) as session:
        return list(session.exec(select(Evaluation).where(Evaluation.staff_id == staff_id)))


def _error(form: EvaluationForm | SignOffForm, name: str) -> str:
    line = form.query_one(f"#e-{name}", Static)
    return str(line.render()) if line.display else ""


TYPED_AT_MOST = 20  # longer text goes in at once


async def _type(form: EvaluationForm | SignOffForm, pilot, name: str, text: str) -> None:  # type: ignore[no-untyped-def]
    field = form.query_one(f"#f-{name}", Input)
    field.value = ""
    field.focus()
    if len(text) > TYPED_AT_MOST:
        field.insert_text_at_cursor(text)  # as a paste: 500 key presses would cost the suite a minute
    elif text:
        await pilot.press(*text)


async def _form_from_the_huddle(app: App[None], pilot, staff_id: int) -> EvaluationForm:  # type: ignore[no-untyped-def]
    await settle(pilot)
    view = app.screen.query_one("HuddleView")
    table = view.query_one(DataTable)
    key = next(k for k, item in view.items.items() if item.key == f"evaluation:staff:{staff_id}")  # type: ignore[attr-defined]
    table.move_cursor(row=table.get_row_index(key))
    table.focus()
    await pilot.press("enter")
    await settle(pilot)
    await settle(pilot)
    form = app.screen
    assert isinstance(form, EvaluationForm), form
    return form


async def test_enter_on_the_90_day_review_opens_the_form_and_saves_it_at_80x24(demo_engine: Engine) -> None:
    due = _review_due(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        form = await _form_from_the_huddle(app, pilot, due.staff_id)
        assert form.due == due.due and "90-day review" in form.FORM_TITLE
        for n in range(len(form.competencies)):
            await _type(form, pilot, f"rating_{n}", str(1 + n % 5))
        await _type(form, pilot, "comment_0", "Careful with charts")
        await _type(form, pilot, "goal_0", "Lead a huddle")
        await _type(form, pilot, "goal_0_due", (TODAY + timedelta(days=60)).strftime("%m/%d/%Y"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, EvaluationScreen)
        shown = str(app.screen.query_one("#evaluation-due", Static).render())
        assert "Yearly evaluation" in shown

    [row] = _evaluations(demo_engine, due.staff_id)
    assert (row.kind, row.due, row.done_on, row.reviewer) == (EvaluationKind.probation, due.due, TODAY, "Pat Boss")
    with read_session(demo_engine) as session:
        ratings = session.exec(select(EvaluationRating).where(EvaluationRating.evaluation_id == row.id)
                               .order_by(EvaluationRating.id)).all()
        goals = session.exec(select(EvaluationGoal).where(EvaluationGoal.evaluation_id == row.id)).all()
    assert [r.rating for r in ratings] == [1 + n % 5 for n in range(len(ratings))]
    assert ratings[0].comment == "Careful with charts"
    assert [(g.goal, g.due) for g in goals] == [("Lead a huddle", TODAY + timedelta(days=60))]


async def test_bad_input_in_every_field_shows_next_to_it_and_saves_nothing(demo_engine: Engine) -> None:
    due = _review_due(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        form = await _form_from_the_huddle(app, pilot, due.staff_id)
        for n in range(len(form.competencies)):
            await _type(form, pilot, f"rating_{n}", "3")
        cases = [
            ("rating_0", "0", "rate each competency 1 (poor) to 5 (excellent)"),
            ("rating_0", "6", "rate each competency 1 (poor) to 5 (excellent)"),
            ("rating_0", "", "rate each competency 1 (poor) to 5 (excellent)"),
            ("rating_0", "x", "rate each competency 1 (poor) to 5 (excellent)"),
            ("comment_0", "c" * 501, "500"),
            ("done_on", "13/45/2026", "date"),
            ("done_on", (TODAY + timedelta(days=1)).strftime("%m/%d/%Y"), "in the future"),
            ("reviewer", "", "required"),
            ("note", "n" * 501, "500"),
            ("goal_0_due", (TODAY + timedelta(days=5)).strftime("%m/%d/%Y"), "write the goal"),
        ]
        for name, text, message in cases:
            good = form.query_one(f"#f-{name}", Input).value
            await _type(form, pilot, name, text)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert message in _error(form, name), (name, text, _error(form, name))
            await _type(form, pilot, name, good)
        await _type(form, pilot, "goal_0", "Learn the portal")
        await _type(form, pilot, "goal_0_due", TODAY.strftime("%m/%d/%Y"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "comes after the evaluation" in _error(form, "goal_0_due")
    assert _evaluations(demo_engine, due.staff_id) == []


async def test_the_employee_signs_not_before_the_evaluation_was_done(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        done = session.exec(select(Evaluation).where(Evaluation.done_on != None,  # noqa: E711
                                                     Evaluation.signed_on == None)).first()  # noqa: E711
        assert done is not None and done.done_on is not None
        person = session.get(Staff, done.staff_id)
        assert person is not None and person.id is not None
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = EvaluationScreen(app.ctx, person.id, person.name)
        await app.push_screen(screen)
        await settle(pilot)
        table = screen.query_one("#evaluation-list", DataTable)
        table.move_cursor(row=table.get_row_index(str(done.id)))
        await pilot.press("s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SignOffForm)
        await _type(form, pilot, "comments", "I agree")
        await _type(form, pilot, "signed_on", (done.done_on - timedelta(days=1)).strftime("%m/%d/%Y"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "not before the evaluation was done" in _error(form, "signed_on")
        await _type(form, pilot, "signed_on", TODAY.strftime("%m/%d/%Y"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
    with read_session(demo_engine) as session:
        row = session.get(Evaluation, done.id)
        assert row is not None and (row.signed_on, row.employee_comments) == (TODAY, "I agree")


async def test_the_records_screens_evaluation_action_opens_the_form(demo_engine: Engine) -> None:
    from officemgr.tui.views.credentials import PeopleRecordsScreen

    due = _review_due(demo_engine)
    app = make_app(demo_engine, today=TODAY, clock=lambda: APP_NOW, actor=MANAGER)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = PeopleRecordsScreen(app.ctx)
        await app.push_screen(screen)
        await settle(pilot)
        table = screen.query_one("#pr-evaluations", DataTable)
        key = next(k for k, row in screen.evaluations.items() if row.staff_id == due.staff_id)
        table.move_cursor(row=table.get_row_index(key))
        table.focus()
        await pilot.press("v")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, EvaluationForm) and app.screen.staff_id == due.staff_id
