"""Privacy mode on the Huddle and Schedule tabs: initials and age, `v` shows one row's name for a moment."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from factories import NOW
from officemgr.services import schedule, settings
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.views.huddle import HuddleView
from officemgr.tui.views.schedule import ScheduleView
from test_lock_app import DEMO_PIN, screen_text, signed_in, type_pin
from ui_support import SIZE, TODAY, settle


@pytest.fixture
def demo_engine(sqlite_demo_engine):  # type: ignore[no-untyped-def]
    """What the screen shows and hides (the lock, patients by initials) is the same on either engine: SQLite alone
    (the PIN's storage and check run on both engines in test_pin.py; the suite's time is better spent there)."""
    return sqlite_demo_engine


def todays_rows(engine) -> list[schedule.ApptRow]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return schedule.day_schedule(session, TODAY).rows


def cell(table: DataTable, row: int, column: int) -> str:  # type: ignore[type-arg]
    return str(table.get_cell_at((row, column)))  # type: ignore[arg-type]


def first_patient_row(view: HuddleView) -> tuple[int, str]:
    table = view.query_one(DataTable)
    key = next(k for k, item in view.items.items() if item.full_text)
    return table.get_row_index(key), key


async def test_the_huddle_shows_initials_and_age_and_v_shows_the_name_for_a_moment(demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Long enough that a slow machine still sees the name before it goes; the timed hide is tried below.
    monkeypatch.setattr(HuddleView, "REVEAL_SECONDS", 60.0)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.view("huddle")
        table = view.query_one(DataTable)
        index, key = first_patient_row(view)
        item = view.items[key]
        name = item.full_text.split(" ", 1)[1].split(",")[0]  # "09:15 Lovelace, Ada ..." -> "Lovelace"
        assert name not in item.text and name not in screen_text(app)
        assert cell(table, index, 0).strip().startswith(item.text[:6])
        table.move_cursor(row=index)
        await pilot.press("v")
        await pilot.pause()
        assert cell(table, index, 0).strip().endswith(item.full_text) and name in screen_text(app)
        # A cursor move hides it at once.
        await pilot.press("down")
        await pilot.pause()
        assert table.cursor_row == index + 1 and name not in cell(table, index, 0)
        # And left alone, it goes when its time is up.
        monkeypatch.setattr(HuddleView, "REVEAL_SECONDS", 0.5)
        table.move_cursor(row=index)
        await pilot.press("v")
        await pilot.pause(2.0)
        assert cell(table, index, 0).strip().endswith(item.text) and name not in screen_text(app)
        assert view.reveal_timer is None  # the timer ran out and concealed it, not some other path


async def test_the_schedule_grid_and_list_show_initials_and_age_until_v(demo_engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ScheduleView, "REVEAL_SECONDS", 60.0)
    rows = todays_rows(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        view = app.view("schedule")
        table = view.query_one(DataTable)
        shown = screen_text(app)
        assert not [r.patient_name for r in rows if r.patient_name in shown]
        target = next(r for r in rows if r.private_name in shown)
        cells = sorted(c for c, appt in view.grid.appointments.items() if appt.id == target.id)
        table.cursor_coordinate = cells[0]
        await pilot.press("v")
        await pilot.pause()
        assert target.patient_name in str(table.get_cell_at(cells[0]))
        assert sum(r.patient_name in screen_text(app) for r in rows) == 1  # only that one
        # Left alone, it goes when its time is up (short here; long above, so a slow machine still saw it).
        monkeypatch.setattr(ScheduleView, "REVEAL_SECONDS", 0.5)
        await pilot.press("v")
        await pilot.pause(2.0)
        assert target.patient_name not in screen_text(app) and target.private_name in screen_text(app)
        assert table.cursor_coordinate == cells[0]
        monkeypatch.setattr(ScheduleView, "REVEAL_SECONDS", 60.0)

        await pilot.press("w")  # the list
        await settle(pilot)
        shown = screen_text(app)
        assert not [r.patient_name for r in rows if r.patient_name in shown]
        assert rows[0].private_name in shown
        table.move_cursor(row=0)
        await pilot.press("v")
        await pilot.pause()
        assert str(table.get_row_at(0)[2]) == rows[0].patient_name
        await settle(pilot)
        assert rows[0].patient_name in screen_text(app)  # the column widens to the whole name


async def test_locking_hides_a_revealed_name(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, actor=signed_in(demo_engine, "manager"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.view("huddle")
        index, key = first_patient_row(view)
        view.query_one(DataTable).move_cursor(row=index)
        await pilot.press("v", "ctrl+l")
        await settle(pilot)
        await type_pin(pilot, DEMO_PIN)
        assert view.revealed is None
        assert cell(view.query_one(DataTable), index, 0).strip().endswith(view.items[key].text)


async def test_a_tab_left_out_of_the_setting_shows_full_names(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(demo_engine) as session:
        settings.put(session, "privacy_tabs", ["huddle"], now=NOW, actor="kim")
    rows = todays_rows(demo_engine)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2", "w")
        await settle(pilot)
        table = app.view("schedule").query_one(DataTable)
        assert [str(table.get_row_at(i)[2]) for i in range(table.row_count)] == [r.patient_name for r in rows]


async def test_a_status_change_on_the_private_schedule_names_the_patient_by_initials(demo_engine) -> None:  # type: ignore[no-untyped-def]
    from officemgr.models.schedule import ApptStatus

    target = next(r for r in todays_rows(demo_engine) if r.status == ApptStatus.booked)
    app = make_app(demo_engine, today=TODAY)
    said: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")
        await settle(pilot)
        view = app.view("schedule")
        view.say = lambda message, severity="information": said.append(message)
        view.change_status(target, ApptStatus.arrived)
        await settle(pilot)
    assert said == [f"{target.private_name}: {ApptStatus.arrived.label}"]
