"""The Compliance tab's keys that read before they open a form or say something: d on the OIG duty (its evidence
line says whom the search covers), k (correct the last entry), enter (the recent history), x (retire)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from textual.widgets import DataTable, Input

from factories import make_completion, make_compliance_task, make_staff
from officemgr.models import ComplianceCompletion, ComplianceTask
from officemgr.store import read_session, write_session
from officemgr.tui.app import OfficeApp, make_app
from officemgr.tui.forms.completion import CompletionForm
from officemgr.tui.forms.task import CorrectionForm
from officemgr.tui.views.compliance import ComplianceView
from ui_support import SIZE, TODAY, settle

NOW = datetime(2026, 11, 23, 10, 30)


def add_duties(engine: Engine) -> tuple[int, int, int]:
    """An OIG screening with two active staff (one more retired), a flush done once, and one never done."""
    with write_session(engine) as session:
        make_staff(session, first_name="Ann", last_name="Lee")
        make_staff(session, first_name="Bo", last_name="Ng")
        make_staff(session, first_name="Old", last_name="Timer", active=False)
        oig = make_compliance_task(session, title="OIG exclusion list (LEIE) screening", rrule="FREQ=MONTHLY",
                                   anchor=date(2026, 1, 23))
        flush = make_compliance_task(session, title="Eyewash flush", evidence="flush log")
        make_completion(session, flush, due_date=date(2026, 11, 16), done_at=datetime(2026, 11, 16, 9, 0),
                        done_by="MJ", evidence="Flushed")
        never = make_compliance_task(session, title="Spill kit check")
        assert oig.id is not None and flush.id is not None and never.id is not None
        return oig.id, flush.id, never.id


async def open_tab(app, pilot, task_id: int) -> ComplianceView:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    view = app.query_one(ComplianceView)
    table = view.query_one(DataTable)
    table.move_cursor(row=table.get_row_index(str(task_id)))
    return view


@pytest.fixture(autouse=True)
def lasting_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """messages() reads the notifications on screen, which go after 5 s: on a loaded CI machine (four workers, two
    cores, a PostgreSQL server) a few settled steps can take longer, and the one a step expects was gone."""
    monkeypatch.setattr(OfficeApp, "NOTIFICATION_TIMEOUT", 600)


def messages(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


async def test_done_on_the_oig_screening_says_whom_the_search_covers(engine: Engine) -> None:
    oig, _, _ = add_duties(engine)
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, oig)
        await pilot.press("d")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CompletionForm)
        assert form.query_one("#f-done_by", Input).value == "kim"
        assert form.query_one("#f-evidence", Input).value == "LEIE search saved; covers 2 active staff"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CompletionForm)
    with read_session(engine) as session:
        done = session.exec(select(ComplianceCompletion).where(ComplianceCompletion.task_id == oig)).one()
    assert (done.done_by, done.done_at, done.evidence) == ("kim", NOW, "LEIE search saved; covers 2 active staff")


async def test_done_on_the_temperature_duty_points_to_the_log_that_completes_it(engine: Engine) -> None:
    with write_session(engine) as session:
        task = make_compliance_task(session, title="Vaccine fridge/freezer temperature log",
                                    rrule="FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR")
        assert task.id is not None
        task_id = task.id
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, task_id)
        await pilot.press("d")
        await settle(pilot)
        assert not isinstance(app.screen, CompletionForm)
        assert messages(app)[-1].startswith("The temperature log duty is done by logging the readings: press l")
    with read_session(engine) as session:
        assert session.exec(select(ComplianceCompletion)).all() == []


async def test_correct_replaces_the_last_entry_and_says_when_there_is_none(engine: Engine) -> None:
    _, flush, never = add_duties(engine)
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot, never)
        await pilot.press("k")
        await settle(pilot)
        assert not isinstance(app.screen, CorrectionForm)
        assert messages(app)[-1] == "Nothing recorded yet to correct"

        table = view.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(flush)))
        await pilot.press("k")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, CorrectionForm)
        assert form.FORM_TITLE == "Correct: Eyewash flush, done 11/16/2026 09:00 by MJ"
        assert form.query_one("#f-evidence", Input).value == "Flushed"
        form.query_one("#f-done_by", Input).value = "RB"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CorrectionForm)
    with read_session(engine) as session:
        old, fixed = session.exec(select(ComplianceCompletion).where(ComplianceCompletion.task_id == flush)
                                  .order_by(col(ComplianceCompletion.id))).all()
    assert (fixed.corrects_id, fixed.done_by, fixed.due_date, fixed.evidence, fixed.done_at) == (
        old.id, "RB", date(2026, 11, 16), "Flushed", NOW)


async def test_enter_shows_the_history_and_x_retires(engine: Engine) -> None:
    _, flush, never = add_duties(engine)
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=SIZE) as pilot:
        view = await open_tab(app, pilot, flush)
        await pilot.press("enter")
        await settle(pilot)
        assert messages(app)[-1] == "11/16 done 11/16 09:00 by MJ: Flushed"

        table = view.query_one(DataTable)
        table.move_cursor(row=table.get_row_index(str(never)))
        await pilot.press("enter")
        await settle(pilot)
        assert messages(app)[-1] == "Never done yet"

        await pilot.press("x")
        await settle(pilot)
        assert messages(app)[-1] == "Retired: Spill kit check (its history stays)"
        assert str(never) not in {key.value for key in view.query_one(DataTable).rows}
    with read_session(engine) as session:
        retired = session.get(ComplianceTask, never)
        assert retired is not None and not retired.active
