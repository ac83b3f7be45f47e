"""The compliance report: occurrences in a period matched to completions, statuses, corrections, output."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from factories import NOW, TODAY, make_completion, make_compliance_task, make_credential, make_staff
from officemgr.models import CompletionCreate, ComplianceCategory, CredentialKind, Role
from officemgr.services import compliance, concerns
from officemgr.services.common import ServiceError
from officemgr.services.compliance_report import (
    COLUMNS,
    LATE,
    MISSED,
    NOT_YET_DUE,
    ON_TIME,
    compliance_report,
    md_cell,
    occurrence_lines,
    to_csv,
    to_markdown,
)

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 30)  # Mondays 11/02 .. 11/30; TODAY is Monday 11/23


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, datetime.min.time()).replace(hour=hour)


@pytest.fixture
def eyewash(session):
    """A weekly Monday duty: 11/02 on time, 11/09 late, 11/16 missed, 11/23 (today) and 11/30 not yet due."""
    task = make_compliance_task(session, title="Eyewash weekly", category=ComplianceCategory.safety,
                                rrule="FREQ=WEEKLY;BYDAY=MO", anchor=date(2026, 1, 5))
    make_completion(session, task, due_date=date(2026, 10, 26), done_at=at(date(2026, 10, 26)))  # before FIRST
    make_completion(session, task, due_date=date(2026, 11, 2), done_at=at(date(2026, 11, 2), 16), done_by="RB",
                    evidence="Flushed 3 min")
    make_completion(session, task, due_date=date(2026, 11, 9), done_at=at(date(2026, 11, 11)), done_by="MJ",
                    evidence="Flushed late")
    return task


def statuses(lines) -> list[tuple[date, str]]:
    return [(line.due, line.status) for line in lines]


# ------------------------------------------------------------------------------------------- occurrences


def test_each_occurrence_in_the_period_gets_its_status(session, eyewash):
    lines = occurrence_lines(session, FIRST, LAST, TODAY)

    assert statuses(lines) == [
        (date(2026, 11, 2), ON_TIME), (date(2026, 11, 9), LATE), (date(2026, 11, 16), MISSED),
        (date(2026, 11, 23), NOT_YET_DUE), (date(2026, 11, 30), NOT_YET_DUE),
    ]
    on_time = lines[0]
    assert (on_time.done_at, on_time.done_by, on_time.evidence, on_time.title) == (
        at(date(2026, 11, 2), 16), "RB", "Flushed 3 min", "Eyewash weekly")
    assert lines[2].done_at is None and lines[2].done_by == ""
    # a day later, today's undone occurrence is missed
    assert statuses(occurrence_lines(session, FIRST, LAST, date(2026, 11, 24)))[3] == (date(2026, 11, 23), MISSED)


def test_occurrences_follow_the_rule_and_anchor_and_sort_by_date(session):
    make_compliance_task(session, title="OSHA 300A", rrule="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=1",
                         anchor=date(2024, 2, 1))
    make_compliance_task(session, title="AED check", rrule="FREQ=MONTHLY", anchor=date(2026, 1, 10))
    make_compliance_task(session, title="Future duty", rrule="FREQ=MONTHLY", anchor=date(2027, 6, 1))

    lines = occurrence_lines(session, date(2026, 12, 15), date(2027, 2, 10), TODAY)

    assert [(line.due, line.title) for line in lines] == [
        (date(2027, 1, 10), "AED check"), (date(2027, 2, 1), "OSHA 300A"), (date(2027, 2, 10), "AED check")]
    assert {line.status for line in lines} == {NOT_YET_DUE}


def test_a_correction_replaces_the_entry_it_corrects(session, eyewash):
    late = compliance.history(session, eyewash.id)[0]
    assert late.evidence == "Flushed late"
    fixed = compliance.correct(
        session, late.id,
        CompletionCreate(task_id=eyewash.id, due_date=date(2026, 11, 9), done_by="RB", evidence="Flushed, logged"),
        now=NOW, actor="manager")

    lines = {line.due: line for line in occurrence_lines(session, FIRST, LAST, TODAY)}

    shown = lines[date(2026, 11, 9)]
    assert (shown.completion_id, shown.done_by, shown.evidence, shown.corrects_id) == (
        fixed.id, "RB", "Flushed, logged", late.id)
    assert shown.note == f"corrects entry #{late.id}"
    assert shown.status == LATE  # the correction was entered on NOW, after the due date
    assert len(lines) == 5


def test_a_correction_to_another_date_moves_the_completion(session, eyewash):
    late = compliance.history(session, eyewash.id)[0]
    # It was really the 11/16 check, entered against the wrong week; done 11/11 means on time for 11/16.
    make_completion(session, eyewash, due_date=date(2026, 11, 16), done_at=at(date(2026, 11, 11)), done_by="MJ",
                    evidence="Flushed", corrects_id=late.id)

    assert statuses(occurrence_lines(session, FIRST, LAST, TODAY))[1:3] == [
        (date(2026, 11, 9), MISSED), (date(2026, 11, 16), ON_TIME)]


def test_a_retired_task_owes_nothing_from_the_day_it_was_retired(session, eyewash):
    compliance.retire_task(session, eyewash.id, now=datetime(2026, 11, 16, 8), actor="manager",
                           expected_version=None)

    lines = occurrence_lines(session, FIRST, LAST, TODAY)

    assert statuses(lines) == [(date(2026, 11, 2), ON_TIME), (date(2026, 11, 9), LATE)]
    assert all(line.retired and line.note == "item since retired" for line in lines)


def test_a_retired_task_without_a_retire_event_ends_after_its_last_completion(session):
    task = make_compliance_task(session, title="Old log", rrule="FREQ=WEEKLY;BYDAY=MO", anchor=date(2026, 1, 5),
                                active=False)
    make_completion(session, task, due_date=date(2026, 11, 2))

    assert statuses(occurrence_lines(session, FIRST, LAST, TODAY)) == [(date(2026, 11, 2), ON_TIME)]


def test_a_period_that_ends_before_it_starts_is_refused(session):
    with pytest.raises(ServiceError, match="--from 2026-11-30 is after --to 2026-11-02"):
        occurrence_lines(session, LAST, FIRST, TODAY)
    with pytest.raises(ServiceError, match="at most 10 years"):
        occurrence_lines(session, date(2026, 1, 1), date(2062, 1, 1), TODAY)


# ---------------------------------------------------------------------------------------------- report


def test_the_report_summarises_and_lists_training(session, eyewash):
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.front_desk)
    make_credential(session, mary, kind=CredentialKind.hipaa_training, expires=date(2026, 11, 1))

    report = compliance_report(session, FIRST, LAST, TODAY)

    summary = report.summary
    assert (summary.due, summary.on_time, summary.late, summary.missed, summary.not_yet_due) == (5, 1, 1, 1, 2)
    assert summary.line == "5 due, 1 on time, 1 late, 1 missed, 2 not yet due"
    assert [(t.staff_name, t.status()) for t in report.training] == [("Mary Jones", "expired")]


def test_markdown_has_the_title_summary_and_one_table_per_section(session, eyewash):
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.front_desk)
    make_credential(session, mary, kind=CredentialKind.hipaa_training, expires=date(2027, 3, 1))

    text = to_markdown(compliance_report(session, FIRST, LAST, TODAY))
    lines = text.splitlines()

    assert lines[0] == "# Compliance report: 2026-11-02 to 2026-11-30"
    assert "**Summary:** 5 due, 1 on time, 1 late, 1 missed, 2 not yet due." in lines
    assert "| Due | Item | Category | Status | Done at | Done by | Evidence | Reading | Note |" in lines
    assert "| 2026-11-09 | Eyewash weekly | Safety | LATE | 2026-11-11 09:00 | MJ | Flushed late |  |  |" in lines
    assert "| 2026-11-16 | Eyewash weekly | Safety | MISSED |  |  |  |  |  |" in lines
    assert "## Staff training (as of 11/23/2026)" in lines
    assert "| Mary Jones | Front desk | HIPAA training | 2027-03-01 | current |" in lines
    assert not any("Eyewash" in line and "2026-10-26" in line for line in lines)


def test_markdown_escapes_pipes_and_line_breaks_in_user_text(session):
    task = make_compliance_task(session, title="Fridge | freezer log", rrule="FREQ=WEEKLY;BYDAY=MO",
                                anchor=date(2026, 1, 5))
    make_completion(session, task, due_date=FIRST, done_by="A|B", evidence="min 3|max 6\nok", reading="4.1 C")

    lines = to_markdown(compliance_report(session, FIRST, FIRST, TODAY)).splitlines()

    row = next(line for line in lines if line.startswith("| 2026-11-02"))
    assert row == ("| 2026-11-02 | Fridge \\| freezer log | OSHA | on time | 2026-11-02 09:00 | A\\|B | "
                   "min 3\\|max 6 ok | 4.1 C |  |")
    unescaped = row.replace("\\|", "")
    assert unescaped.count("|") == len(COLUMNS) + 1
    assert md_cell("a\\|b") == "a\\\\\\|b"  # a backslash before a pipe cannot un-escape it


def test_csv_has_the_header_and_one_row_per_occurrence(session, eyewash):
    make_completion(session, eyewash, due_date=date(2026, 11, 16), done_at=at(date(2026, 11, 16), 7),
                    done_by="RB", evidence='flushed, "clear" | ok', reading="")

    rows = list(csv.reader(io.StringIO(to_csv(compliance_report(session, FIRST, LAST, TODAY)))))

    assert rows[0] == list(COLUMNS)
    assert len(rows) == 1 + 5
    assert rows[3] == ["2026-11-16", "Eyewash weekly", "Safety", "on time", "2026-11-16 07:00", "RB",
                       'flushed, "clear" | ok', "", ""]
    assert rows[5][:4] == ["2026-11-30", "Eyewash weekly", "Safety", "not yet due"]


# --------------------------------------------------------------------------------- optional sections


@dataclass(frozen=True)
class FakeConcern:
    id: int
    reported_on: date
    kind: str
    summary: str
    status: str
    version: int = 1


def test_the_concerns_section_lists_the_concern_log(session, eyewash, monkeypatch):
    calls = []

    def concern_log(session_, first, last):
        calls.append((first, last))
        return [FakeConcern(7, date(2026, 11, 4), "complaint", "Waited | 40 min", "open")]

    monkeypatch.setattr(concerns, "concern_log", concern_log)

    report = compliance_report(session, FIRST, LAST, TODAY)

    assert calls == [(FIRST, LAST)]
    assert [s.title for s in report.extra] == ["Concerns", "Missing temperature readings",
                                               "Unsigned policy versions (as of 11/23/2026)"]
    lines = to_markdown(report).splitlines()
    assert "## Concerns" in lines and "## Missing temperature readings" in lines
    assert "| Reported on | Kind | Summary | Status |" in lines
    assert "| 2026-11-04 | complaint | Waited \\| 40 min | open |" in lines


def test_concerns_and_temperatures_are_in_every_report_even_when_empty(session, eyewash):
    report = compliance_report(session, FIRST, LAST, TODAY)

    assert [(s.title, s.rows) for s in report.extra] == [
        ("Concerns", []), ("Missing temperature readings", []), ("Unsigned policy versions (as of 11/23/2026)", [])]
    text = to_markdown(report)
    assert "## Concerns\n\nNone in this period." in text
    assert "## Missing temperature readings\n\nNone in this period." in text
    assert "**Summary:** 5 due" in text
