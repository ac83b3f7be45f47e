"""Two workstations on one database: a change saved at one shows at the other without a key, and no edit is lost.

Workstation A is the app (make_app(live=True), as the CLI runs it); workstation B is a second engine on the same
database, saving through the services as its own copy of the app would. Both engines, via the fixtures.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select
from textual.widgets import DataTable

from factories import NOW
from officemgr import changes, store
from officemgr.models import Appointment, ApptStatus, AuditEvent, Role, StaffCreate
from officemgr.services import schedule, staff
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from ui_support import SIZE, TODAY, settle

WAIT = 1.0  # the app's own wait between looks (OfficeApp.CHANGE_WAIT_SECONDS)
PATIENCE = 10.0  # how long a test waits for a refresh before calling it missing (a loaded CI machine is slow)


def second_workstation(engine: Engine) -> Engine:
    return store.open_database(url=engine.url.render_as_string(hide_password=False))


def add_person(engine: Engine, first_name: str) -> None:
    with write_session(engine) as session:
        staff.add_staff(session, StaffCreate(first_name=first_name, last_name="Jones", role=Role.ma),
                        now=NOW, actor="desk")


def test_the_watcher_hears_the_other_workstation_and_not_its_own(two) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    watcher = changes.watch(a)
    assert watcher is not None
    try:
        assert watcher.wait(0.2) is False
        add_person(b, "Bea")
        assert watcher.wait(WAIT) is True
        add_person(a, "Ann")
        assert watcher.wait(WAIT) is False
    finally:
        watcher.close()


def test_no_one_else_can_change_an_in_memory_database(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    assert changes.watch(sqlite_engine) is None


async def until(pilot, condition: Callable[[], bool]) -> float:  # type: ignore[no-untyped-def]
    """Seconds until `condition` holds on screen, pressing no key; fails past PATIENCE."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < PATIENCE, "the other workstation's change never showed"
        await pilot.pause(0.05)
    return time.monotonic() - start


async def test_a_status_saved_at_another_desk_shows_and_an_edit_on_top_of_it_keeps_both(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        booked = next(r for r in schedule.day_schedule(session, TODAY).rows if r.status is ApptStatus.booked)
    desk = second_workstation(demo_engine)
    app = make_app(demo_engine, today=TODAY, actor="manager", live=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("2")
            await settle(pilot)
            view = app.query_one("#view-schedule")
            grid = app.query_one("#schedule-table", DataTable)
            assert view._select(booked.id)
            cell = grid.cursor_coordinate
            assert " B " in f" {grid.get_cell_at(cell)} "
            with write_session(desk) as session:  # the patient checks in at the other desk
                schedule.set_status(session, booked.id, ApptStatus.arrived, now=NOW, actor="desk",
                                    expected_version=booked.version)
            await until(pilot, lambda: " A " in f" {grid.get_cell_at(cell)} ")
            await settle(pilot)
            # Here, on the refreshed screen, the next step lands on the version the other desk saved.
            assert view._select(booked.id)
            await pilot.press("d")
            await settle(pilot)
            assert " R " in f" {grid.get_cell_at(cell)} "
    finally:
        desk.dispose()
    with read_session(demo_engine) as session:
        appt = session.get(Appointment, booked.id)
        steps = [(e.actor, e.to_status) for e in schedule.history(session, booked.id)][-2:]
    assert appt.status is ApptStatus.in_room
    assert steps == [("desk", "arrived"), ("manager", "in_room")]


async def test_another_tab_reloads_when_opened_after_a_change_elsewhere(demo_engine) -> None:  # type: ignore[no-untyped-def]
    desk = second_workstation(demo_engine)
    app = make_app(demo_engine, today=TODAY, live=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            staff_view = app.query_one("#view-staff")
            await pilot.press("3")
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            seen = app.writes.value
            add_person(desk, "Zelda")
            await until(pilot, lambda: app.writes.value != seen)
            assert staff_view.loaded_at != app.writes.value
            await pilot.press("3")
            await settle(pilot)
            assert staff_view.loaded_at == app.writes.value
    finally:
        desk.dispose()


async def test_the_app_does_not_reload_for_its_own_saves(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY, live=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        huddle = app.query_one("#view-huddle")
        loads: list[int] = []
        original = huddle.reload

        def counted() -> None:
            loads.append(app.writes.value)
            original()

        huddle.reload = counted
        add_person(demo_engine, "Own")
        await pilot.pause(3 * WAIT)
        assert loads == []
    with read_session(demo_engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.actor == "desk")).first() is not None


@pytest.mark.parametrize("two", ["postgresql"], indirect=True)
def test_the_listener_comes_back_after_the_server_drops_it(two) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    watcher = changes.watch(a)
    assert watcher is not None
    try:
        with b.connect() as conn:  # as a server restart would
            dropped = conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query = 'LISTEN officemgr_changed' AND datname = current_database()").scalars().all()
        assert dropped == [True]
        assert watcher.wait(WAIT) is False  # the break is noticed
        assert watcher.wait(WAIT) is True  # listening again: what changed meanwhile was not heard, so refresh
        add_person(b, "Bea")
        assert watcher.wait(WAIT) is True
    finally:
        watcher.close()
