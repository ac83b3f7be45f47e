"""Workflow 5: the checklist's fridge/freezer duty and the temperature log are one record. Logging a day's readings
completes that day's duty, a day without them is a missed duty, and the compliance report shows the same days and
readings on both sides."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlmodel import Session

from factories import ACTOR, make_compliance_task
from officemgr.models import CompletionCreate, StorageKind
from officemgr.services import compliance, compliance_report, temperature
from officemgr.services.common import ServiceError
from officemgr.services.temperature import ReadingCreate, UnitCreate

WORKDAYS = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
TITLE = "Vaccine fridge/freezer temperature log"
FIRST, LAST = date(2026, 11, 16), date(2026, 11, 27)  # two weeks, Thanksgiving (Thu 11/26) in the second
NOW = datetime(2026, 11, 27, 9, 0)  # Friday, after the morning readings
ADDED = datetime(2026, 11, 13, 12, 0)


def read(session: Session, unit_id: int, day: date, value: str, initials: str = "MJ") -> None:
    data = ReadingCreate.model_validate({"unit_id": unit_id, "at": datetime.combine(day, time(8, 5)),
                                         "reading_c": value, "initials": initials})
    temperature.log_reading(session, data, now=NOW, actor=ACTOR)


@pytest.fixture
def logged(session: Session) -> int:
    """Two units added the Friday before; every open day read but Wed 11/18 (no reading) and Tue 11/24 (the
    freezer only); the duty on the checklist since January."""
    fridge = temperature.add_unit(session, UnitCreate(name="Fridge", kind=StorageKind.fridge), now=ADDED,
                                  actor=ACTOR)
    freezer = temperature.add_unit(session, UnitCreate(name="Freezer", kind=StorageKind.freezer), now=ADDED,
                                   actor=ACTOR)
    for day in (16, 17, 19, 20, 23, 24, 25, 27):
        if day != 24:
            read(session, fridge.id, date(2026, 11, day), "4.5")
        read(session, freezer.id, date(2026, 11, day), "-20", "KI")
    task = make_compliance_task(session, title=TITLE, rrule=WORKDAYS, anchor=date(2026, 1, 5),
                                evidence="Reading, min/max, time, initials")
    assert task.id is not None
    return task.id


def duty_lines(session: Session, today: date) -> list[compliance_report.OccurrenceLine]:
    report = compliance_report.compliance_report(session, FIRST, LAST, today)
    return [line for line in report.lines if line.title == TITLE]


def test_the_report_shows_the_log_on_both_sides(session: Session, logged: int) -> None:
    report = compliance_report.compliance_report(session, FIRST, LAST, LAST)
    lines = [line for line in report.lines if line.task_id == logged]
    # The same days: the practice's open days, no weekend, no Thanksgiving.
    assert [line.due for line in lines] == temperature.expected_days(session, FIRST, LAST) == [
        date(2026, 11, d) for d in (16, 17, 18, 19, 20, 23, 24, 25, 27)]
    assert {line.due: line.status for line in lines} == {
        date(2026, 11, 16): "on time", date(2026, 11, 17): "on time", date(2026, 11, 18): "MISSED",
        date(2026, 11, 19): "on time", date(2026, 11, 20): "on time", date(2026, 11, 23): "on time",
        date(2026, 11, 24): "MISSED", date(2026, 11, 25): "on time", date(2026, 11, 27): "on time"}
    # A missed duty is a day the log lists as missing, and the other way round.
    missing = next(section for section in report.extra if section.title == "Missing temperature readings")
    assert sorted({line.due.isoformat() for line in lines if line.status == "MISSED"}) == sorted(
        {cell for row in missing.rows for cell in row if cell[:4] == "2026"})
    # The same readings.
    monday = next(line for line in lines if line.due == date(2026, 11, 23))
    assert (monday.reading, monday.done_by, monday.done_at) == (
        "Fridge 4.5 °C; Freezer -20.0 °C", "MJ, KI", datetime(2026, 11, 23, 8, 5))
    tuesday = next(line for line in lines if line.due == date(2026, 11, 24))
    assert (tuesday.reading, tuesday.evidence) == ("Freezer -20.0 °C", "no reading for Fridge")


def test_logging_the_days_readings_completes_the_duty(session: Session, logged: int) -> None:
    [row] = [r for r in compliance.task_status(session, date(2026, 11, 30)) if r.task_id == logged]
    assert (row.due, row.last_done, row.state) == (date(2026, 11, 30), date(2026, 11, 27), "due today")
    assert duty_lines(session, date(2026, 11, 30))[-1].status == "on time"
    month = compliance.month_due(session, date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 30))
    # From the day the units were added (Fri 11/13, never read: missed).
    assert [(due.due.day, due.done) for day in sorted(month) for due in month[day] if due.task_id == logged] == [
        (13, False), (16, True), (17, True), (18, False), (19, True), (20, True), (23, True), (24, False), (25, True),
        (27, True), (30, False)]


def test_a_day_without_its_readings_is_a_missed_duty_until_logged(session: Session, logged: int) -> None:
    today = date(2026, 11, 27)
    fridge, freezer = (u.id for u in temperature.units(session))
    # Friday's readings: both taken, so the duty is next due on Monday.
    [row] = [r for r in compliance.task_status(session, today) if r.task_id == logged]
    assert row.due == date(2026, 11, 30)
    # Tuesday's missing fridge reading, logged late, completes Tuesday's duty.
    read(session, fridge, date(2026, 11, 24), "5.0")
    statuses = {line.due: line.status for line in duty_lines(session, today)}
    assert (statuses[date(2026, 11, 24)], statuses[date(2026, 11, 18)]) == ("on time", "MISSED")
    assert freezer != fridge


def test_the_duty_is_not_completed_by_hand(session: Session, logged: int) -> None:
    with pytest.raises(ServiceError, match="logging each fridge's and freezer's reading in the Temperature log"):
        compliance.complete(session, CompletionCreate(task_id=logged, due_date=date(2026, 11, 18), done_by="Kim",
                                                      reading="4.0 C"), now=NOW, actor=ACTOR)
    assert [line.status for line in duty_lines(session, LAST) if line.due == date(2026, 11, 18)] == ["MISSED"]
