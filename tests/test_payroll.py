"""Payroll preparation: pay periods, regular/overtime/leave hours, PTO balances, the CSV, `export payroll`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from factories import NOW, at, make_shift, make_staff, make_time_off
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import Role, Staff, TimeOffStatus, UserAccount
from officemgr.services import settings
from officemgr.services.common import ServiceError
from officemgr.services.payroll import (
    CSV_HEADER,
    PayRow,
    Period,
    pay_period,
    payroll,
    payroll_csv,
    period_starting,
)

D = date.fromisoformat
# Default setting: biweekly from Monday 2026-01-05, so 2026-11-23 (TODAY) starts a period.
NOV23 = Period(D("2026-11-23"), D("2026-12-06"))


def set_period(session: Session, kind: str, anchor: str | None = None) -> None:
    value = {"kind": kind} if anchor is None else {"kind": kind, "anchor": anchor}
    settings.put(session, "pay_period", value, now=NOW, actor="test")


def shift(session: Session, person: Staff, day: str, start: int = 8, end: int = 17) -> None:
    make_shift(session, person, start=at(start, day=D(day)), end=at(end, day=D(day)))


def week(session: Session, person: Staff, monday: str, days: int = 5, start: int = 8, end: int = 17) -> None:
    for offset in range(days):
        shift(session, person, str(D(monday) + timedelta(days=offset)), start, end)


def row_of(rows: list[PayRow], person: Staff) -> PayRow:
    return next(r for r in rows if r.staff_id == person.id)


# --- pay periods --------------------------------------------------------------------------------------


def test_biweekly_periods_align_to_the_anchor_on_both_sides_of_it(session: Session) -> None:
    assert pay_period(session, D("2026-11-25"), actor="tests") == NOV23
    assert pay_period(session, D("2026-12-06"), actor="tests") == NOV23
    assert pay_period(session, D("2026-12-07"), actor="tests") == Period(D("2026-12-07"), D("2026-12-20"))
    assert pay_period(session, D("2026-01-05"), actor="tests") == Period(D("2026-01-05"), D("2026-01-18"))
    # Before the anchor too.
    assert pay_period(session, D("2026-01-04"), actor="tests") == Period(D("2025-12-22"), D("2026-01-04"))

    set_period(session, "biweekly", "2026-01-12")
    assert pay_period(session, D("2026-11-25"), actor="tests") == Period(D("2026-11-16"), D("2026-11-29"))
    assert NOV23.days == 14


def test_weekly_periods_follow_the_anchor_weekday(session: Session) -> None:
    set_period(session, "weekly", "2026-01-07")  # a Wednesday
    assert pay_period(session, D("2026-11-23"), actor="tests") == Period(D("2026-11-18"), D("2026-11-24"))
    assert pay_period(session, D("2026-11-25"), actor="tests") == Period(D("2026-11-25"), D("2026-12-01"))

    # Without an anchor, weekly periods are the FLSA workweeks.
    settings.put(session, "workweek_start", 6, now=NOW, actor="test")  # Sunday
    set_period(session, "weekly")
    assert pay_period(session, D("2026-11-25"), actor="tests") == Period(D("2026-11-22"), D("2026-11-28"))


def test_semimonthly_periods_split_at_the_15th_and_end_with_the_month(session: Session) -> None:
    set_period(session, "semimonthly")
    assert pay_period(session, D("2026-02-01"), actor="tests") == Period(D("2026-02-01"), D("2026-02-15"))
    assert pay_period(session, D("2026-02-15"), actor="tests") == Period(D("2026-02-01"), D("2026-02-15"))
    assert pay_period(session, D("2026-02-16"), actor="tests") == Period(D("2026-02-16"), D("2026-02-28"))
    assert pay_period(session, D("2028-02-20"), actor="tests") == Period(D("2028-02-16"), D("2028-02-29"))  # leap year
    assert pay_period(session, D("2026-04-30"), actor="tests") == Period(D("2026-04-16"), D("2026-04-30"))
    assert pay_period(session, D("2026-12-31"), actor="tests") == Period(D("2026-12-16"), D("2026-12-31"))
    assert period_starting(session, D("2026-02-16"), actor="tests") == Period(D("2026-02-16"), D("2026-02-28"))


def test_a_date_that_does_not_start_a_period_is_refused_naming_the_nearest_start(session: Session) -> None:
    assert period_starting(session, D("2026-11-23"), actor="tests") == NOV23

    with pytest.raises(ServiceError) as refused:
        period_starting(session, D("2026-11-25"), actor="tests")
    assert str(refused.value) == (
        "2026-11-25 is not the start of a pay period (biweekly from Monday 2026-01-05); the nearest start is "
        "Monday 2026-11-23 (the period holding 2026-11-25 runs 2026-11-23 to 2026-12-06)"
    )
    with pytest.raises(ServiceError, match="the nearest start is Monday 2026-12-07"):
        period_starting(session, D("2026-12-04"), actor="tests")
    with pytest.raises(ServiceError, match="the nearest starts are Monday 2026-11-09 and Monday 2026-11-23"):
        period_starting(session, D("2026-11-16"), actor="tests")

    set_period(session, "semimonthly")
    with pytest.raises(ServiceError, match="the nearest start is Sunday 2026-03-01"):
        period_starting(session, D("2026-02-27"), actor="tests")
    with pytest.raises(ServiceError, match="the nearest start is Monday 2026-11-16"):
        period_starting(session, D("2026-11-17"), actor="tests")


def test_a_pay_period_setting_that_makes_no_sense_is_refused(session: Session) -> None:
    set_period(session, "monthly")
    with pytest.raises(ServiceError, match="must be one of weekly, biweekly, semimonthly"):
        pay_period(session, D("2026-11-23"), actor="tests")
    set_period(session, "biweekly")
    with pytest.raises(ServiceError, match="needs an anchor"):
        pay_period(session, D("2026-11-23"), actor="tests")


# --- hours --------------------------------------------------------------------------------------------


def test_hours_over_40_in_a_workweek_are_overtime_counted_chronologically(session: Session) -> None:
    ma = make_staff(session)
    week(session, ma, "2026-11-23")  # 5 x 9 h = 45 h
    week(session, ma, "2026-11-30", days=4)  # 4 x 9 h = 36 h

    row = row_of(payroll(session, NOV23, actor="tests"), ma)

    assert (row.regular_hours, row.overtime_hours, row.total_paid_hours) == (76.0, 5.0, 81.0)
    assert row.notes == ()

    # A lower threshold (a setting) moves the line.
    settings.put(session, "overtime_after_hours", 35, now=NOW, actor="test")
    row = row_of(payroll(session, NOV23, actor="tests"), ma)
    assert (row.regular_hours, row.overtime_hours) == (70.0, 11.0)


def test_a_workweek_straddling_the_period_boundary_is_counted_whole_and_paid_once(session: Session) -> None:
    set_period(session, "semimonthly")
    ma = make_staff(session)
    # Workweek Mon 11-30 .. Sun 12-06: Monday is in the November period, 50 h in all.
    for day in ("2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"):
        shift(session, ma, day, 7, 17)
    # Workweek Mon 12-14 .. Sun 12-20: 4 x 12 h = 48 h; the overtime falls on Thursday, in the next period.
    for day in ("2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17"):
        shift(session, ma, day, 6, 18)

    nov = row_of(payroll(session, period_starting(session, D("2026-11-16"), actor="tests"), actor="tests"), ma)
    dec1 = row_of(payroll(session, period_starting(session, D("2026-12-01"), actor="tests"), actor="tests"), ma)
    dec16 = row_of(payroll(session, period_starting(session, D("2026-12-16"), actor="tests"), actor="tests"), ma)

    # Monday's 10 h are regular and paid in November, yet push Friday's 10 h (in December) into overtime.
    assert (nov.regular_hours, nov.overtime_hours) == (10.0, 0.0)
    assert (dec1.regular_hours, dec1.overtime_hours) == (30.0 + 24.0, 10.0)
    # Mon/Tue 12-14/15 are regular in the first December period; Wed and Thu reach 48 h in the second.
    assert (dec16.regular_hours, dec16.overtime_hours) == (16.0, 8.0)
    assert nov.worked_hours + dec1.worked_hours + dec16.worked_hours == 98.0


def test_the_workweek_start_setting_decides_which_hours_share_a_week(session: Session) -> None:
    ma = make_staff(session)
    # Wed 11-25 .. Tue 12-01, 9 h a day on all seven days: 63 h.
    for offset in range(7):
        shift(session, ma, str(D("2026-11-25") + timedelta(days=offset)))

    monday_weeks = row_of(payroll(session, NOV23, actor="tests"), ma)
    settings.put(session, "workweek_start", 2, now=NOW, actor="test")  # Wednesday
    wednesday_weeks = row_of(payroll(session, NOV23, actor="tests"), ma)

    # Mon-start: 45 h (Wed-Sun) -> 5 OT, and 18 h (Mon-Tue) in the next week. Wed-start: 63 h in one week.
    assert monday_weeks.overtime_hours == 5.0
    assert wednesday_weeks.overtime_hours == 23.0
    assert monday_weeks.worked_hours == wednesday_weeks.worked_hours == 63.0


def test_exempt_staff_get_no_overtime(session: Session) -> None:
    manager = make_staff(session, first_name="Tim", last_name="Taylor", role=Role.manager, exempt=True)
    week(session, manager, "2026-11-23", days=6, start=7, end=19)  # 72 h

    row = row_of(payroll(session, NOV23, actor="tests"), manager)

    assert (row.regular_hours, row.overtime_hours, row.total_paid_hours) == (72.0, 0.0, 72.0)


def test_paid_time_off_is_paid_but_does_not_count_toward_overtime(session: Session) -> None:
    ma = make_staff(session)
    week(session, ma, "2026-11-23", days=4, start=7, end=17)  # Mon-Thu 40 h worked
    make_time_off(session, ma, start_date=D("2026-11-27"), kind="PTO")  # Friday, 8 h paid
    make_time_off(session, ma, start_date=D("2026-12-01"), kind="Sick")
    make_time_off(session, ma, start_date=D("2026-12-02"), kind="Jury duty")

    row = row_of(payroll(session, NOV23, actor="tests"), ma)

    assert (row.regular_hours, row.overtime_hours) == (40.0, 0.0)
    assert (row.pto_hours, row.sick_hours, row.other_paid_leave_hours) == (8.0, 8.0, 8.0)
    assert row.paid_leave == {"PTO": 8.0, "Sick": 8.0, "Jury duty": 8.0}
    assert row.total_paid_hours == 64.0


def test_unpaid_kinds_are_listed_but_not_paid(session: Session) -> None:
    ma = make_staff(session)
    week(session, ma, "2026-11-23", days=3)
    make_time_off(session, ma, start_date=D("2026-12-01"), end_date=D("2026-12-02"), kind="Unpaid")
    make_time_off(session, ma, start_date=D("2026-11-30"), kind="FMLA")

    row = row_of(payroll(session, NOV23, actor="tests"), ma)

    assert row.unpaid_leave == {"Unpaid": 16.0, "FMLA": 8.0}
    assert row.unpaid_leave_hours == 24.0
    assert row.paid_leave == {}
    assert row.total_paid_hours == 27.0

    # Which kinds are paid is a setting.
    settings.put(session, "paid_time_off_kinds", ["PTO", "FMLA"], now=NOW, actor="test")
    row = row_of(payroll(session, NOV23, actor="tests"), ma)
    assert (row.other_paid_leave_hours, row.unpaid_leave_hours, row.total_paid_hours) == (8.0, 16.0, 35.0)


def test_time_off_not_approved_is_not_counted_and_a_pending_request_is_pointed_out(session: Session) -> None:
    ma = make_staff(session)
    week(session, ma, "2026-11-23", days=3)
    make_time_off(session, ma, start_date=D("2026-12-01"), end_date=D("2026-12-02"),
                  status=TimeOffStatus.requested)
    make_time_off(session, ma, start_date=D("2026-11-30"), status=TimeOffStatus.denied)

    row = row_of(payroll(session, NOV23, actor="tests"), ma)

    assert (row.pto_hours, row.paid_leave, row.total_paid_hours) == (0.0, {}, 27.0)
    assert row.notes == ("16.00 h of time off requested but not approved (not counted)",)
    assert row.flagged


def test_time_off_hours_spread_over_its_weekdays_and_only_days_in_the_period_count(session: Session) -> None:
    ma = make_staff(session)
    # Fri 12-04 .. Tue 12-08 covers three weekdays; 8 h each by default, here 30 h -> 10 h a weekday.
    make_time_off(session, ma, start_date=D("2026-12-04"), end_date=D("2026-12-08"), hours=30)
    other = make_staff(session, first_name="Ann", last_name="Lee")
    make_time_off(session, other, start_date=D("2026-12-04"), end_date=D("2026-12-08"))

    first = payroll(session, NOV23, actor="tests")
    second = payroll(session, period_starting(session, D("2026-12-07"), actor="tests"), actor="tests")

    assert (row_of(first, ma).pto_hours, row_of(second, ma).pto_hours) == (10.0, 20.0)
    assert (row_of(first, other).pto_hours, row_of(second, other).pto_hours) == (8.0, 16.0)


def test_who_is_listed_and_what_is_flagged(session: Session) -> None:
    idle = make_staff(session, first_name="Ida", last_name="Idle")
    gone = make_staff(session, first_name="Gus", last_name="Gone", active=False)
    left_early = make_staff(session, first_name="Lee", last_name="Left", active=False)
    shift(session, left_early, "2026-11-23")
    worked_off = make_staff(session, first_name="Wes", last_name="Worker")
    shift(session, worked_off, "2026-11-24")
    make_time_off(session, worked_off, start_date=D("2026-11-24"), kind="Sick")

    rows = payroll(session, NOV23, actor="tests")

    assert [r.last_name for r in rows] == ["Idle", "Left", "Worker"]
    assert gone.id not in {r.staff_id for r in rows}
    assert row_of(rows, idle).notes == ("no shifts or time off recorded in this period",)
    assert row_of(rows, left_early).notes == ("no longer active",)
    assert row_of(rows, worked_off).notes == (
        "worked a shift during approved Sick (2026-11-24): paid as worked, leave only beyond it",)


# --- CSV ----------------------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_one_row_per_person_sorted_by_last_name(session: Session) -> None:
    zed = make_staff(session, first_name="Zoe", last_name="Zed", role=Role.front_desk)
    ma = make_staff(session, first_name="Mary", last_name="Adams")
    week(session, ma, "2026-11-23")  # 45 h
    shift(session, ma, "2026-11-30", 8, 12)
    make_shift(session, ma, start=at(13, day=D("2026-12-01")), end=at(15, 20, day=D("2026-12-01")))  # 2 h 20
    make_time_off(session, ma, start_date=D("2026-12-02"), kind="Sick")
    make_time_off(session, ma, start_date=D("2026-12-03"), kind="Bereavement", hours=5)
    make_time_off(session, ma, start_date=D("2026-12-04"), kind="Unpaid", hours=2.5)

    text = payroll_csv(payroll(session, NOV23, actor="tests"), NOV23, actor="tests")

    assert text.splitlines() == [
        "employee_id,last_name,first_name,role,regular_hours,overtime_hours,pto_hours,sick_hours,"
        "other_paid_leave_hours,unpaid_leave_hours,total_paid_hours,hours_source",
        f"{ma.id},Adams,Mary,Medical assistant,46.33,5.00,0.00,8.00,5.00,2.50,64.33,shifts",
        f"{zed.id},Zed,Zoe,Front desk,0.00,0.00,0.00,0.00,0.00,0.00,0.00,",
    ]
    assert text.endswith("\r\n")
    assert ",".join(CSV_HEADER) == text.splitlines()[0]


def test_the_csv_refuses_rows_of_another_period(session: Session) -> None:
    make_staff(session)
    rows = payroll(session, NOV23, actor="tests")
    with pytest.raises(ValueError, match="not 2026-12-07 to 2026-12-20"):
        payroll_csv(rows, Period(D("2026-12-07"), D("2026-12-20")), actor="tests")


# --- CLI ----------------------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A practice file: Mary Jones (MA) worked 45 h in the week of 2026-11-23."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        week(session, make_staff(session), "2026-11-23")
        # The manager's sign-in, linked to the account running the tests: the export acts as them, no PIN asked.
        session.add(UserAccount(login="pat", name="Pat Manager", roles="manager", pin_hash="-",
                                os_user=os_account()))
        session.commit()
    engine.dispose()
    return path


def test_export_payroll_writes_the_csv_to_stdout_and_the_summary_to_stderr(db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "payroll", "--period", "2026-11-23", "--db", str(db)]) == 0

    out, err = capsys.readouterr()
    assert out.splitlines() == [
        ",".join(CSV_HEADER),
        "1,Jones,Mary,Medical assistant,40.00,5.00,0.00,0.00,0.00,0.00,45.00,shifts",
    ]
    assert err.splitlines() == [
        "Payroll 2026-11-23 to 2026-12-06: 1 person, 45.00 paid hours (5.00 overtime) written to standard output.",
        "  timesheets not yet approved (hours as recorded): Mary Jones",
    ]


def test_export_payroll_to_a_file(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "payroll.csv"

    assert main(["--db", str(db), "export", "payroll", "--period", "2026-11-23", "--out", str(target)]) == 0

    assert target.read_text(encoding="utf-8").splitlines()[1].startswith("1,Jones,Mary,")
    assert capsys.readouterr().out.startswith("Payroll 2026-11-23 to 2026-12-06: 1 person, 45.00 paid hours")


def test_export_payroll_refuses_a_date_that_does_not_start_a_period(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "payroll.csv"

    assert main(["export", "payroll", "--period", "2026-11-25", "--db", str(db), "--out", str(target)]) == 1

    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "officemgr: 2026-11-25 is not the start of a pay period (biweekly from Monday 2026-01-05); the nearest "
        "start is Monday 2026-11-23 (the period holding 2026-11-25 runs 2026-11-23 to 2026-12-06)"
    ]
    assert not target.exists()


def test_export_payroll_bad_usage_exits_2(db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as missing:
        main(["export", "payroll", "--db", str(db)])
    assert missing.value.code == 2
    with pytest.raises(SystemExit) as bad_date:
        main(["export", "payroll", "--period", "2026-11-31", "--db", str(db)])
    assert bad_date.value.code == 2
    assert "a date looks like 2026-11-23, not '2026-11-31'" in capsys.readouterr().err
