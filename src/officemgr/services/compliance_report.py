"""The compliance report for a period: every checklist occurrence due in it and what became of it, the staff
training status, the concerns logged and the temperature readings missed.

Decisions that shape it:
- Occurrences are each task's due dates (services.compliance.due_dates: its RRULE from its anchor, month ends
  kept, workday duties on the practice calendar), for active and retired tasks alike. A retired
  task owes nothing from the day it was retired (the audit trail's "retire" event); when that day is unknown, it
  is taken as the day after its last recorded completion.
- An occurrence is matched to the completion whose due_date equals it. Completions are never edited: a
  correction (corrects_id set) replaces the entry it points at, so corrected entries are ignored. Two live
  entries for one occurrence count by the earlier one.
- Status: "on time" (done on or before the due date), "LATE" (done after it), "MISSED" (not done and the due
  date is before `today`), "not yet due" (not done, due today or later). Completions whose due date is not an
  occurrence of the rule (a rule changed afterwards) are not listed.
- The fridge/freezer temperature-log duty is read from the temperature log itself: its days are the days a
  reading was due, done when every unit has one (its readings shown), MISSED when one is missing; the same days
  the "Missing temperature readings" section lists.
- Training status is as of `today` (a renewal updates the credential row, so earlier status is not kept); so are
  the unsigned policy versions (services.policies: the version in effect, whoever owes it then).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from officemgr.models import AuditEvent, ComplianceCategory, ComplianceCompletion, ComplianceTask
from officemgr.plaintext import visible
from officemgr.services import concerns, policies, temperature
from officemgr.services.calendar import practice_calendar
from officemgr.services.common import ServiceError
from officemgr.services.compliance import due_dates, is_temperature_log
from officemgr.services.csv_out import csv_text
from officemgr.services.staff_duties import DUE_WITHIN_DAYS, TrainingDue, training_status

ON_TIME = "on time"
LATE = "LATE"
MISSED = "MISSED"
NOT_YET_DUE = "not yet due"
STATUSES = (ON_TIME, LATE, MISSED, NOT_YET_DUE)
# A longer span is almost surely a typo (2062 for 2026), and a daily duty would list thousands of rows.
MAX_YEARS = 10

COLUMNS = ("Due", "Item", "Category", "Status", "Done at", "Done by", "Evidence", "Reading", "Note")


@dataclass(frozen=True)
class OccurrenceLine:
    """One due date of one task in the period, with the completion that answers it (if any)."""

    task_id: int
    title: str
    category: ComplianceCategory
    due: date
    status: str
    completion_id: int | None = None
    done_at: datetime | None = None
    done_by: str = ""
    evidence: str = ""
    reading: str = ""
    corrects_id: int | None = None  # the shown entry is a correction of this one
    retired: bool = False

    @property
    def note(self) -> str:
        notes = []
        if self.corrects_id is not None:
            notes.append(f"corrects entry #{self.corrects_id}")
        if self.retired:
            notes.append("item since retired")
        return "; ".join(notes)

    def cells(self) -> list[str]:
        """The row under COLUMNS, as text."""
        return [
            self.due.isoformat(), self.title, self.category.label, self.status,
            self.done_at.strftime("%Y-%m-%d %H:%M") if self.done_at else "", self.done_by, self.evidence,
            self.reading, self.note,
        ]


@dataclass(frozen=True)
class Summary:
    due: int
    on_time: int
    late: int
    missed: int
    not_yet_due: int

    @property
    def line(self) -> str:
        text = f"{self.due} due, {self.on_time} on time, {self.late} late, {self.missed} missed"
        return text + (f", {self.not_yet_due} not yet due" if self.not_yet_due else "")


@dataclass(frozen=True)
class Section:
    """A part of the report from another area (concerns, temperatures): its rows as text under headings."""

    title: str
    columns: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class ComplianceReport:
    first: date
    last: date
    today: date
    lines: list[OccurrenceLine]
    training: list[TrainingDue]
    extra: list[Section]  # concerns, missing temperature readings

    @property
    def summary(self) -> Summary:
        count = {s: 0 for s in STATUSES}
        for line in self.lines:
            count[line.status] += 1
        return Summary(len(self.lines), count[ON_TIME], count[LATE], count[MISSED], count[NOT_YET_DUE])


# -------------------------------------------------------------------------------------------- building


def check_period(first: date, last: date) -> None:
    """ServiceError unless `first`..`last` is a usable report period."""
    if first > last:
        raise ServiceError(f"the period starts after it ends: --from {first.isoformat()} is after "
                           f"--to {last.isoformat()}")
    if (last - first).days > MAX_YEARS * 366:
        raise ServiceError(f"a report covers at most {MAX_YEARS} years; {first.isoformat()} to "
                           f"{last.isoformat()} is longer (check the years)")


def occurrence_lines(session: Session, first: date, last: date, today: date) -> list[OccurrenceLine]:
    """Every occurrence of every task (active or retired) due from `first` to `last`, by due date then title."""
    check_period(first, last)
    tasks = list(session.exec(select(ComplianceTask)))
    corrected = select(ComplianceCompletion.corrects_id).where(col(ComplianceCompletion.corrects_id).is_not(None))
    live: dict[tuple[int, date], ComplianceCompletion] = {}
    for c in session.exec(
        select(ComplianceCompletion)
        .where(ComplianceCompletion.due_date >= first, ComplianceCompletion.due_date <= last,
               col(ComplianceCompletion.id).not_in(corrected))
        .order_by(col(ComplianceCompletion.done_at), col(ComplianceCompletion.id))
    ):
        live.setdefault((c.task_id, c.due_date), c)  # the earliest live entry answers the occurrence
    ends = _retired_on(session, [t for t in tasks if not t.active])
    calendar = practice_calendar(session)
    logging = bool(temperature.units(session))
    lines: list[OccurrenceLine] = []
    for task in tasks:
        assert task.id is not None
        end = last if task.active else min(last, ends[task.id] - timedelta(days=1))
        if end < first:
            continue
        if logging and is_temperature_log(task.title):
            lines.extend(_log_line(task, day, today)
                         for day in temperature.log_days(session, max(first, task.anchor), end))
            continue
        try:
            dues = due_dates(task.rrule, task.anchor, first, end, calendar)
        except (ValueError, TypeError):
            raise ServiceError(f"the item '{task.title}' has a repeat rule that cannot be read "
                               f"('{task.rrule}'); fix it in the Compliance tab") from None
        for due in dues:
            lines.append(_line(task, due, live.get((task.id, due)), today))
    lines.sort(key=lambda line: (line.due, line.title.casefold()))
    return lines


def _line(task: ComplianceTask, due: date, done: ComplianceCompletion | None, today: date) -> OccurrenceLine:
    assert task.id is not None
    if done is None:
        return OccurrenceLine(task.id, task.title, task.category, due, MISSED if due < today else NOT_YET_DUE,
                              retired=not task.active)
    return OccurrenceLine(
        task.id, task.title, task.category, due, LATE if done.done_at.date() > due else ON_TIME, done.id,
        done.done_at, done.done_by, done.evidence, done.reading, done.corrects_id, not task.active,
    )


def _log_line(task: ComplianceTask, day: temperature.LogDay, today: date) -> OccurrenceLine:
    """The temperature-log duty on one day, as the log has it (the same days and readings as its section)."""
    assert task.id is not None
    if day.done:
        status = ON_TIME
    else:
        status = MISSED if day.day < today else NOT_YET_DUE
    evidence = f"no reading for {', '.join(day.missing)}" if day.missing and day.readings else ""
    return OccurrenceLine(task.id, task.title, task.category, day.day, status, done_at=day.last_at,
                          done_by=", ".join(day.initials), evidence=evidence, reading="; ".join(day.readings),
                          retired=not task.active)


def _retired_on(session: Session, retired: list[ComplianceTask]) -> dict[int, date]:
    """The day each retired task was retired: from the audit trail, else the day after its last completion
    (else its anchor: it owed nothing)."""
    if not retired:
        return {}
    ids = [t.id for t in retired]
    found: dict[int, date] = {}
    for event in session.exec(
        select(AuditEvent).where(AuditEvent.entity == "compliance_task", AuditEvent.action == "retire",
                                 col(AuditEvent.entity_id).in_(ids)).order_by(col(AuditEvent.at))
    ):
        found[event.entity_id] = event.at.date()  # the latest retirement counts
    for task in retired:
        assert task.id is not None
        if task.id not in found:
            last_due = max(session.exec(select(col(ComplianceCompletion.due_date))
                                        .where(ComplianceCompletion.task_id == task.id)).all(), default=None)
            found[task.id] = last_due + timedelta(days=1) if last_due else task.anchor
    return found


def compliance_report(session: Session, first: date, last: date, today: date) -> ComplianceReport:
    """The whole report for `first`..`last` as seen on `today`."""
    lines = occurrence_lines(session, first, last, today)
    extra = [
        _section("Concerns", concerns.concern_log(session, first, last)),
        _section("Missing temperature readings", temperature.missing_readings(session, first, last)),
        _unsigned_policies(session, today),
    ]
    return ComplianceReport(first, last, today, lines, training_status(session, today), extra)


def _unsigned_policies(session: Session, today: date) -> Section:
    """Signatures of the policy versions in effect still owed on `today`, by whom, and how many days overdue."""
    rows = [[o.title, o.label, o.staff_name, o.due.isoformat(),
             str((today - o.due).days) if o.due < today else "not yet due"]
            for o in policies.unsigned(session, today)]
    return Section(f"Unsigned policy versions (as of {today:%m/%d/%Y})",
                   ["Policy", "Version", "Staff member", "Due", "Days overdue"], rows)


def _section(title: str, result: Any) -> Section:
    columns, rows = _table(result)
    return Section(title, columns, rows)


# ------------------------------------------------------------------------------------ generic tables


def _table(result: Any) -> tuple[list[str], list[list[str]]]:
    """Rows of any plain read model as text under headings: a list (or a dict of lists) of dataclasses,
    pydantic models, dicts, or tuples of those and values (a tuple's record shows as its name)."""
    if isinstance(result, dict):
        items: list[Any] = [v for values in result.values()
                            for v in (values if isinstance(values, (list, tuple)) else [values])]
    else:
        items = list(result or [])
    records = [_fields(item) for item in items]
    columns: list[str] = []
    for record in records:
        columns.extend(k for k in record if k not in columns)
    return [_heading(c) for c in columns], [[_text(r.get(c)) for c in columns] for r in records]


# Fields of a concern-like record worth a column, in this order (ids, versions and long text are left out).
_PREFERRED = ("reported_on", "discovered_on", "kind", "category", "summary", "status", "owner", "due",
              "closed_on", "resolution")
_NAME_FIELDS = ("name", "title", "summary", "label")


def _record(item: Any) -> dict[str, Any] | None:
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    if hasattr(item, "model_dump"):
        return dict(item.model_dump())
    if isinstance(item, dict):
        return dict(item)
    return None


def _fields(item: Any) -> dict[str, Any]:
    record = _record(item)
    if record is not None:
        preferred = [k for k in _PREFERRED if k in record]
        if len(preferred) >= 3:
            return {k: record[k] for k in preferred}
        return {k: v for k, v in record.items() if k != "version" and k != "id" and not k.endswith("_id")}
    if isinstance(item, (list, tuple)):
        out: dict[str, Any] = {}
        for i, part in enumerate(item):
            inner = _record(part)
            if inner is not None:
                key = type(part).__name__.removesuffix("Row") or f"column {i + 1}"
                out[key] = next((inner[k] for k in _NAME_FIELDS if k in inner), part)
            elif isinstance(part, date) and not isinstance(part, datetime):
                out["day" if "day" not in out else f"column {i + 1}"] = part
            else:
                out[f"column {i + 1}"] = part
        return out
    return {"item": item}


def _heading(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, enum.Enum):
        return str(getattr(value, "label", value.value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ", ".join(_text(v) for v in value)
    return str(value)


# ---------------------------------------------------------------------------------------------- output


def md_cell(text: str) -> str:
    """User text made safe inside a Markdown table cell: pipes escaped, line breaks flattened, control characters
    spelled out."""
    return visible(" ".join(text.replace("\\", "\\\\").replace("|", "\\|").split()))


def _md_table(columns: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    headings = list(columns)
    out = ["| " + " | ".join(md_cell(c) for c in headings) + " |", "|" + "---|" * len(headings)]
    out.extend("| " + " | ".join(md_cell(cell) for cell in row) + " |" for row in rows)
    return out


def to_markdown(report: ComplianceReport) -> str:
    summary = report.summary
    out = [
        f"# Compliance report: {report.first.isoformat()} to {report.last.isoformat()}",
        "",
        f"Practice period {report.first:%m/%d/%Y} to {report.last:%m/%d/%Y}, as of {report.today:%m/%d/%Y}.",
        "",
        f"**Summary:** {summary.line}.",
        "",
        "## Checklist",
        "",
    ]
    if report.lines:
        out += _md_table(COLUMNS, (line.cells() for line in report.lines))
    else:
        out.append("Nothing on the checklist fell due in this period.")
    out += ["", f"## Staff training (as of {report.today:%m/%d/%Y})", ""]
    if report.training:
        out += _md_table(
            ("Staff member", "Role", "Training", "Valid through", "Status"),
            ([t.staff_name, t.role.label, t.label, t.expires.isoformat() if t.expires else "",
              t.status(DUE_WITHIN_DAYS)] for t in report.training),
        )
    else:
        out.append("No active staff member's role requires a yearly training.")
    for section in report.extra:
        out += ["", f"## {section.title}", ""]
        if section.rows:
            out += _md_table(section.columns, section.rows)
        else:
            out.append("None in this period.")
    return "\n".join(out) + "\n"


def to_csv(report: ComplianceReport) -> str:
    """One row per occurrence under COLUMNS (dates ISO, done-at 'YYYY-MM-DD HH:MM')."""
    return csv_text(COLUMNS, (line.cells() for line in report.lines), free_text=True)
