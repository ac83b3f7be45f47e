"""Two copies of the app on one database (a second workstation, a second window), on each engine.

Each copy is its own engine on the same file or server database (the `two` fixture). An edit based on a version
someone else has since changed is refused rather than overwriting theirs; a write waits while the other copy
saves; a lock held past the busy timeout gets a message the office manager can act on, never a driver error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select
from textual.widgets import Input, Static

from factories import NOW, TODAY, make_appointment, make_claim, make_payer, make_staff
from officemgr import store
from officemgr.models import (
    Appointment,
    ApptStatus,
    Claim,
    ClaimNoteCreate,
    Payer,
    PayerCreate,
    Role,
    Staff,
    StaffCreate,
)
from officemgr.services import billing, payers, schedule, staff
from officemgr.services.common import BUSY, StaleEdit, database_refusal
from officemgr.tui.app import make_app
from officemgr.tui.forms.staff import StaffForm
from ui_support import SIZE, settle

ACTOR = "manager"


def impatient(engine: Engine, ms: int) -> None:
    """Give `engine` a short busy timeout, so a test of the timeout does not wait the real 5 s."""
    # Runs after store's own connect listener, so this timeout is the one that holds.
    if engine.url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", lambda dbapi, _record: dbapi.execute(f"PRAGMA busy_timeout={ms}"))
    else:
        event.listen(engine, "connect", lambda dbapi, _record: _server_timeout(dbapi, ms))
    engine.dispose()  # connections already pooled were made with the default


def _server_timeout(dbapi: Any, ms: int) -> None:
    # Outside a transaction, so the pool's rollback on check-in does not undo it.
    dbapi.autocommit = True
    dbapi.execute(f"SET lock_timeout = {ms}")
    dbapi.autocommit = False


@dataclass
class Case:
    """One service's versioned update: `make` a row, `update` its `field` to a value with the version read."""

    model: type
    field: str
    make: Callable[[Session], Any]
    update: Callable[[Session, int, Any, int], object]
    first: Any
    second: Any

    def read(self, session: Session, row_id: int) -> tuple[Any, int]:
        row = session.get(self.model, row_id)
        return getattr(row, self.field), row.version


def _staff(session: Session, staff_id: int, phone: str, version: int) -> object:
    data = StaffCreate(first_name="Mary", last_name="Jones", role=Role.ma, phone=phone)
    return staff.update_staff(session, staff_id, data, now=NOW, actor=ACTOR, expected_version=version)


def _payer(session: Session, payer_id: int, days: int, version: int) -> object:
    data = PayerCreate(name="Aetna", timely_filing_days=days)
    return payers.update_payer(session, payer_id, data, now=NOW, actor=ACTOR, expected_version=version)


def _claim_note(session: Session, claim_id: int, follow_up: date, version: int) -> object:
    data = ClaimNoteCreate(text="called the payer", next_follow_up=follow_up, today=TODAY)
    return billing.add_note(session, claim_id, data, now=NOW, actor=ACTOR, expected_version=version)


def _appointment(session: Session, appt_id: int, status: ApptStatus, version: int) -> object:
    return schedule.set_status(session, appt_id, status, now=NOW, actor=ACTOR, expected_version=version)


CASES = {
    "staff": Case(Staff, "phone", make_staff, _staff, "(555) 111-1111", "(555) 222-2222"),
    "payer": Case(Payer, "timely_filing_days", lambda s: make_payer(s, name="Aetna"), _payer, 90, 180),
    "claim note": Case(Claim, "next_follow_up", make_claim, _claim_note, date(2026, 12, 1), date(2026, 12, 15)),
    "appointment status": Case(Appointment, "status", make_appointment, _appointment,
                               ApptStatus.arrived, ApptStatus.cancelled),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_an_edit_on_a_version_someone_else_changed_is_refused(two, case: Case) -> None:
    a, b = two
    with store.write_session(a) as session:
        row_id = case.make(session).id
    # Both copies open the record: each holds the version it read.
    opened = []
    for engine in (a, b):
        with store.read_session(engine) as session:
            opened.append(case.read(session, row_id)[1])
    assert opened == [1, 1]
    with store.write_session(a) as session:
        case.update(session, row_id, case.first, opened[0])
    with store.write_session(b) as session, pytest.raises(StaleEdit, match="changed by someone else"):
        case.update(session, row_id, case.second, opened[1])
    with store.read_session(b) as session:
        assert case.read(session, row_id) == (case.first, 2)
    # B reloads and tries again: now it is B's edit that lands.
    with store.write_session(b) as session:
        case.update(session, row_id, case.second, 2)
    with store.read_session(a) as session:
        assert case.read(session, row_id) == (case.second, 3)


def _add_person(engine: Engine, first_name: str) -> int:
    with store.write_session(engine) as session:
        person = staff.add_staff(session, StaffCreate(first_name=first_name, last_name="Jones", role=Role.ma),
                                 now=NOW, actor=ACTOR)
    return person.id  # type: ignore[return-value]


def _names(engine: Engine) -> list[str]:
    with store.read_session(engine) as session:
        return sorted(session.exec(select(Staff.first_name)).all())


def test_a_write_waits_while_the_other_copy_saves(two) -> None:
    a, b = two
    hold = 1.0
    held = threading.Event()
    held_at: list[float] = []

    def a_saves_slowly() -> None:
        with store.write_session(a) as session:
            session.connection()  # BEGIN IMMEDIATE: A has the write lock from here on
            held_at.append(time.monotonic())
            held.set()
            time.sleep(hold)
            staff.add_staff(session, StaffCreate(first_name="Ann", last_name="Jones", role=Role.ma),
                            now=NOW, actor=ACTOR)

    thread = threading.Thread(target=a_saves_slowly)
    thread.start()
    try:
        assert held.wait(5)
        _add_person(b, "Bea")
        finished = time.monotonic()
    finally:
        thread.join()
    assert finished - held_at[0] >= hold
    assert _names(a) == ["Ann", "Bea"]


def test_a_lock_held_past_the_busy_timeout_says_try_again(two) -> None:
    a, b = two
    impatient(b, 200)
    with store.write_session(a) as holder:
        holder.connection()
        with pytest.raises(OperationalError) as refused:
            _add_person(b, "Bea")
    assert database_refusal(refused.value) == BUSY
    assert "try again in a moment — nothing was saved" in BUSY
    assert _names(a) == []
    _add_person(b, "Bea")  # once A is done, the same write goes through
    assert _names(a) == ["Bea"]


def error_line(form: StaffForm) -> str:
    line = form.query_one("#form-error", Static)
    return str(line.render()) if line.display else ""


async def _open_staff_form(app, pilot) -> StaffForm:  # type: ignore[no-untyped-def]
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    form = app.screen
    assert isinstance(form, StaffForm)
    return form


async def test_saving_a_form_on_a_record_changed_elsewhere_is_refused_in_the_form(two) -> None:
    a, b = two
    with store.write_session(a) as session:
        person_id = make_staff(session).id
    app = make_app(a, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_staff_form(app, pilot)
        # Meanwhile, at the front desk, B saves a new phone number for the same person.
        with store.write_session(b) as session:
            _staff(session, person_id, "(555) 222-2222", 1)
        form.query_one("#f-phone", Input).value = "(555) 111-1111"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "changed by someone else" in error_line(form)
    with store.read_session(a) as session:
        person = session.get(Staff, person_id)
        assert (person.phone, person.version) == ("(555) 222-2222", 2)


async def test_saving_a_form_while_another_copy_holds_the_lock_says_busy(two) -> None:
    a, b = two
    with store.write_session(a) as session:
        person_id = make_staff(session).id
    impatient(a, 200)
    app = make_app(a, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        form = await _open_staff_form(app, pilot)
        form.query_one("#f-phone", Input).value = "(555) 111-1111"
        with store.write_session(b) as holder:
            holder.connection()
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form
            assert error_line(form) == BUSY
        # The other copy is done: the same save now goes through and closes the form.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is not form
    with store.read_session(b) as session:
        assert session.get(Staff, person_id).phone == "(555) 111-1111"
