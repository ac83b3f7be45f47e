"""Timesheets (issue 23, part 3): the manager approves each person's hours for a pay period (not while a punch is
missed or a fix pending), payroll pays the approved minutes, and `export timesheet` refuses until all are approved."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from factories import make_shift, make_staff
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import AuditEvent, Staff, UserAccount, UserRole
from officemgr.models.timeclock import Punch, Timesheet
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError
from officemgr.services.payroll import Period, payroll
from officemgr.services.timeclock import approve_fix, ask_fix, fix_directly
from officemgr.services.timesheets import approve_timesheet, timesheet_rows

MON = date(2026, 11, 23)
PERIOD = Period(MON, date(2026, 12, 6))
AFTER = datetime(2026, 12, 7, 9, 0)
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")


def t(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def punch(session: Session, person: Staff, start: datetime, end: datetime | None) -> Punch:
    assert person.id is not None
    row = Punch(staff_id=person.id, clock_in=start, clock_out=end)
    session.add(row)
    session.commit()
    return row


def test_the_timesheet_shows_scheduled_and_punched_hours_and_the_counts(session: Session) -> None:
    person = make_staff(session)
    tue = MON + timedelta(days=1)
    make_shift(session, person, start=t(MON, 8), end=t(MON, 17))
    make_shift(session, person, start=t(tue, 8), end=t(tue, 17))
    punch(session, person, t(MON, 8, 12), t(MON, 16, 50))
    [row] = timesheet_rows(session, PERIOD, now=AFTER, actor=MANAGER)
    assert (row.scheduled_minutes, row.punched_minutes, row.worked_minutes, row.source) == (
        18 * 60, 8 * 60 + 38, 8 * 60 + 38 + 9 * 60, "mixed")
    assert (row.late, row.early, row.missed, row.approved) == (1, 1, 1, False)
    assert row.blocked == "1 missed punch"


def test_approval_is_blocked_by_a_missed_punch_and_by_a_pending_fix(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    make_shift(session, person, start=t(MON, 8), end=t(MON, 17))
    open_punch = punch(session, person, t(MON, 8), None)
    with pytest.raises(ServiceError, match="cannot be approved yet: 1 missed punch"):
        approve_timesheet(session, person.id, PERIOD, now=AFTER, actor=MANAGER)
    me = Actor("mary", {UserRole.front_desk}, staff_id=person.id)
    fix_id = ask_fix(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 17), reason="forgot to punch out",
                     punch_id=open_punch.id, today=AFTER.date(), now=AFTER, actor=me)
    with pytest.raises(ServiceError, match="1 missed punch and 1 punch fix to decide"):
        approve_timesheet(session, person.id, PERIOD, now=AFTER, actor=MANAGER)
    assert session.exec(select(Timesheet)).all() == []
    approve_fix(session, fix_id, today=AFTER.date(), now=AFTER, actor=MANAGER)
    sheet_id = approve_timesheet(session, person.id, PERIOD, now=AFTER, actor=MANAGER)
    sheet = session.get(Timesheet, sheet_id)
    assert sheet is not None and (sheet.worked_minutes, sheet.from_punches, sheet.approved_by) == (
        540, True, "pat@office")
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "timesheet")).one()
    assert json.loads(event.changes)["worked_minutes"] == 540


def test_only_the_manager_approves_a_timesheet(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    make_shift(session, person, start=t(MON, 8), end=t(MON, 17))
    with pytest.raises(NotAllowed, match="approving a timesheet needs the manager role"):
        approve_timesheet(session, person.id, PERIOD, now=AFTER,
                          actor=Actor("bo", {UserRole.biller}, staff_id=person.id))


@pytest.mark.parametrize(("now", "allowed"), [
    (t(MON, 17), False),  # the first day, with 8 h
    (datetime(2026, 12, 6, 23, 59), False),  # the period's last day
    (datetime(2026, 12, 7, 0, 0), True),  # the day after
])
def test_a_timesheet_is_approved_only_once_its_pay_period_is_over(session: Session, now: datetime,
                                                                   allowed: bool) -> None:
    person = make_staff(session)
    assert person.id is not None
    punch(session, person, t(MON, 8), t(MON, 16))
    if allowed:
        approve_timesheet(session, person.id, PERIOD, now=now, actor=MANAGER)
        assert session.exec(select(Timesheet)).one().worked_minutes == 480
    else:
        with pytest.raises(ServiceError) as refused:
            approve_timesheet(session, person.id, PERIOD, now=now, actor=MANAGER)
        assert str(refused.value) == "the pay period 11/23–12/06 is not over yet: approve it from 12/07"
        assert session.exec(select(Timesheet)).all() == []


def unapprovals(session: Session) -> list[dict[str, object]]:
    return [json.loads(e.changes) for e in session.exec(select(AuditEvent).where(
        AuditEvent.entity == "timesheet", AuditEvent.action == "unapprove"))]


def test_a_fix_approved_after_the_timesheet_clears_the_approval_so_stale_hours_are_not_paid(
        session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    punch(session, person, t(MON, 8), t(MON, 16))
    approve_timesheet(session, person.id, PERIOD, now=AFTER, actor=MANAGER)
    [row] = payroll(session, PERIOD, actor="tests")
    assert (row.worked_hours, row.approved_by) == (8.0, "pat@office")
    done = fix_directly(session, person.id, clock_in=t(MON, 17), clock_out=t(MON, 18), reason="came back for inventory",
                        today=AFTER.date(), now=AFTER, actor=MANAGER)
    assert done.notice == ("Fix approved; the timesheet for 11/23–12/06 was approved before it and needs approving "
                           "again")
    assert session.exec(select(Timesheet)).all() == []
    assert unapprovals(session) == [{"worked_minutes": [480, None], "approved_by": ["pat@office", None],
                                     "approved_at": ["2026-12-07T09:00:00", None]}]
    [row] = payroll(session, PERIOD, actor="tests")
    assert (row.worked_hours, row.approved_by) == (9.0, "")
    approve_timesheet(session, person.id, PERIOD, now=AFTER, actor=MANAGER)
    [row] = payroll(session, PERIOD, actor="tests")
    assert (row.worked_hours, row.approved_by, row.notes) == (9.0, "pat@office", ())


@pytest.mark.parametrize(("day", "cleared"), [(PERIOD.end, True), (PERIOD.end + timedelta(days=1), False)])
def test_a_fix_clears_only_the_timesheet_of_its_own_period(session: Session, day: date, cleared: bool) -> None:
    person = make_staff(session)
    assert person.id is not None
    punch(session, person, t(MON, 8), t(MON, 16))
    approve_timesheet(session, person.id, PERIOD, now=AFTER, actor=MANAGER)
    me = Actor("mary", {UserRole.front_desk}, staff_id=person.id)
    later = datetime(2026, 12, 8, 9, 0)
    fix_id = ask_fix(session, person.id, clock_in=t(day, 8), clock_out=t(day, 12), reason="kiosk down",
                     today=later.date(), now=later, actor=me)
    done = approve_fix(session, fix_id, today=later.date(), now=later, actor=MANAGER)
    assert (done.cleared_start, done.cleared_end) == ((PERIOD.start, PERIOD.end) if cleared else (None, None))
    assert len(session.exec(select(Timesheet)).all()) == (0 if cleared else 1)
    assert len(unapprovals(session)) == (1 if cleared else 0)


def test_export_timesheet_refuses_after_a_fix_cleared_an_approval(db: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    approve_all(db, "Mary", "Zoe")
    engine = store.open_database(path=db)
    with store.write_session(engine) as session:
        zoe = session.exec(select(Staff).where(Staff.first_name == "Zoe")).one()
        assert zoe.id is not None
        fix_directly(session, zoe.id, clock_in=t(MON, 8), clock_out=t(MON, 12), reason="kiosk down",
                     today=AFTER.date(), now=AFTER, actor=MANAGER)
    engine.dispose()
    target = tmp_path / "sheets.csv"
    assert main(["--db", str(db), "export", "timesheet", "--period", "2026-11-23", "--out", str(target)]) == 1
    assert "still to approve: Zoe Zed" in capsys.readouterr().err
    assert not target.exists()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Mary Jones punched 8 h on 2026-11-23; Zoe Zed has a shift of 4 h on 2026-11-24."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        punch(session, make_staff(session), t(MON, 8), t(MON, 16))
        zed = make_staff(session, first_name="Zoe", last_name="Zed")
        make_shift(session, zed, start=t(MON + timedelta(days=1), 8), end=t(MON + timedelta(days=1), 12))
        session.add(UserAccount(login="pat", name="Pat Manager", roles="manager", pin_hash="-",
                                os_user=os_account()))
        session.commit()
    engine.dispose()
    return path


def approve_all(path: Path, *names: str) -> None:
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        for person in session.exec(select(Staff)):
            if person.first_name in names:
                assert person.id is not None
                approve_timesheet(session, person.id, PERIOD, now=AFTER, actor=MANAGER)
    engine.dispose()


def test_export_timesheet_refuses_naming_who_is_not_approved_and_writes_no_file(
        db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    approve_all(db, "Mary")
    target = tmp_path / "sheets.csv"
    assert main(["--db", str(db), "export", "timesheet", "--period", "2026-11-23", "--out", str(target)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "officemgr: not every timesheet for 2026-11-23 to 2026-12-06 is approved; still to approve: Zoe Zed "
        "(Staff tab, T) — no file was written"]
    assert not target.exists()


def test_export_timesheet_writes_the_approved_timesheets(db: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    approve_all(db, "Mary", "Zoe")
    target = tmp_path / "sheets.csv"
    assert main(["--db", str(db), "export", "timesheet", "--period", "2026-11-23", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8").splitlines() == [
        "name,role,period,worked_hours,regular_hours,overtime_hours,source,approved_by,approved_at",
        "Mary Jones,Medical assistant,2026-11-23 to 2026-12-06,8.00,8.00,0.00,punches,pat@office,2026-12-07 09:00",
        "Zoe Zed,Medical assistant,2026-11-23 to 2026-12-06,4.00,4.00,0.00,shifts,pat@office,2026-12-07 09:00",
    ]
    assert capsys.readouterr().out.startswith("Timesheets 2026-11-23 to 2026-12-06: 2 people, all approved")


def test_export_payroll_names_who_is_not_yet_approved(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    approve_all(db, "Mary")
    assert main(["export", "payroll", "--period", "2026-11-23", "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1:] == [
        "1,Jones,Mary,Medical assistant,8.00,0.00,0.00,0.00,0.00,0.00,8.00,punches",
        "2,Zed,Zoe,Medical assistant,4.00,0.00,0.00,0.00,0.00,0.00,4.00,shifts",
    ]
    assert err.splitlines()[-1] == "  timesheets not yet approved (hours as recorded): Zoe Zed"


@pytest.mark.parametrize(("day", "first", "last"), [
    (date(2028, 2, 29), date(2028, 2, 16), date(2028, 2, 29)),  # a leap year's February ends on the 29th
    (date(2026, 11, 30), date(2026, 11, 16), date(2026, 11, 30)),
    (date(2026, 12, 1), date(2026, 12, 1), date(2026, 12, 15)),
])
def test_a_punch_on_a_period_edge_is_paid_and_approved_in_its_own_period(
        session: Session, day: date, first: date, last: date) -> None:
    from officemgr.services import settings

    settings.put(session, "pay_period", {"kind": "semimonthly"}, now=AFTER, actor="test")
    person = make_staff(session)
    assert person.id is not None
    punch(session, person, t(day, 8), t(day, 12, 30))
    period = Period(first, last)
    [row] = payroll(session, period, actor="tests")
    assert (row.worked_minutes, row.source) == (270, "punches")
    approve_timesheet(session, person.id, period, now=datetime.combine(last + timedelta(days=1), datetime.min.time()),
                      actor=MANAGER)
    sheet = session.exec(select(Timesheet)).one()
    assert (sheet.period_start, sheet.period_end, sheet.worked_minutes) == (first, last, 270)
    neighbour = Period(last + timedelta(days=1), last + timedelta(days=15))
    assert [r.worked_minutes for r in payroll(session, neighbour, actor="tests")] == [0]


def test_a_timesheet_is_approved_only_for_a_whole_pay_period(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    punch(session, person, t(MON, 8), t(MON, 16))
    with pytest.raises(ServiceError, match="2026-11-24 is not the start of a pay period"):
        approve_timesheet(session, person.id, Period(MON + timedelta(days=1), PERIOD.end), now=AFTER, actor=MANAGER)
    with pytest.raises(ServiceError, match="2026-11-23 to 2026-11-30 is not one pay period"):
        approve_timesheet(session, person.id, Period(MON, MON + timedelta(days=7)), now=AFTER, actor=MANAGER)
    assert session.exec(select(Timesheet)).all() == []
