"""The practice's default recurring compliance checklist: an editable CSV, validated on load.

Columns: title, category, rrule, evidence, owner_role. `rrule` is an RFC 5545 RRULE body without
DTSTART (e.g. `FREQ=WEEKLY;BYDAY=MO`); each task's anchor date supplies the start.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from annotated_types import MaxLen
from dateutil.rrule import rrulestr
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator

from officemgr.models.compliance import ComplianceCategory, ComplianceTask
from officemgr.models.people import Role
from officemgr.services.csv_files import Layout, by_line, named, read_table, validate

COLUMNS = ("title", "category", "rrule", "evidence", "owner_role")
LAYOUT = Layout("check-list", COLUMNS, "checklist items", required=COLUMNS, other_columns=True)
# Any start date will do to check that a rule parses and ever occurs.
_PROBE_START = datetime(2000, 1, 3)


class ChecklistError(Exception):
    """A checklist file that cannot be used; the message names the line and what is wrong.

    `problems` lists every problem found (one line each, in file order); the message is them joined by
    newlines, so a file with several bad lines is fixed in one pass."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems) if problems else [message]
        super().__init__(message)


def _limit(column: str) -> int:
    """The longest text the task table keeps in `column` (its field's max_length)."""
    return next(m.max_length for m in ComplianceTask.model_fields[column].metadata if isinstance(m, MaxLen))


class ChecklistRow(BaseModel):
    """One duty of the checklist, validated; each error's message names its column."""

    model_config = ConfigDict(frozen=True)

    title: str
    category: ComplianceCategory
    rrule: str
    evidence: str
    owner_role: str  # a Role value, kept as text like ComplianceTask.owner_role

    @field_validator("title", "evidence")
    @classmethod
    def _length(cls, value: str, info: ValidationInfo) -> str:
        column = str(info.field_name)
        if column == "title" and not value:
            raise named("the title is empty")
        if len(value) > _limit(column):
            raise named(f"the {column} is {len(value)} characters long; the limit is {_limit(column)}")
        return value

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: str) -> ComplianceCategory:
        categories = {c.value for c in ComplianceCategory}
        if value.lower() not in categories:
            raise named(f"unknown category '{value}' (use one of {', '.join(sorted(categories))})")
        return ComplianceCategory(value.lower())

    @field_validator("owner_role")
    @classmethod
    def _owner_role(cls, value: str) -> str:
        if value.lower() not in {r.value for r in Role}:
            raise named(f"unknown owner_role '{value}' (use one of {', '.join(r.value for r in Role)})")
        return value.lower()

    @field_validator("rrule")
    @classmethod
    def _rrule(cls, value: str) -> str:
        if not value:
            raise named("the rrule is empty (e.g. FREQ=WEEKLY;BYDAY=MO)")
        if "DTSTART" in value.upper() or "\n" in value:
            raise named(f"the rrule must be a single RRULE body without DTSTART, got '{value}'")
        if not value.upper().startswith("FREQ=") and ";FREQ=" not in value.upper():
            raise named(f"the rrule '{value}' has no FREQ= part (e.g. FREQ=MONTHLY)")
        if len(value) > _limit("rrule"):
            raise named(f"the rrule is {len(value)} characters long; the limit is {_limit('rrule')}")
        try:
            rule = rrulestr(value, dtstart=_PROBE_START)
            first = rule.after(_PROBE_START, inc=True)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
            raise named(f"'{value}' is not a valid RRULE ({exc})") from None
        if first is None:
            raise named(f"the rrule '{value}' never produces a due date")
        return value


def checklist_path() -> Path:
    """The default checklist shipped with the project."""
    return Path(__file__).resolve().parents[2] / "data" / "compliance_checklist.csv"


def load_checklist(path: str | Path) -> list[ChecklistRow]:
    """Read and validate every row; raise ChecklistError listing every bad line (all of them, not the first).

    The file is read as every CSV import reads one (services.csv_files: its limits, and a cell holding a control
    character is refused); each problem is "<file> line N: ...", with the file's text shown as `echo` shows it.
    """
    table = read_table(Path(path), LAYOUT, ChecklistError)
    problems = [(line, problem) for line, problem in table.problems]
    bad = {line for line, _ in problems}
    rows: list[ChecklistRow] = []
    seen: dict[str, int] = {}
    for record in table.rows:
        if record.line in bad:
            continue
        cells = {column: record.cells.get(column, "") for column in COLUMNS}
        row, found = validate(ChecklistRow, cells)
        problems.extend((record.line, problem) for problem in found)
        title = cells["title"].lower()
        if title and title in seen:
            problems.append((record.line, f"the title '{cells['title']}' is already used on line {seen[title]}"))
        elif title:
            seen[title] = record.line
        if row is not None:
            rows.append(row)
    if problems:
        listed = [f"{table.name} {problem}" for problem in by_line(problems)]
        raise ChecklistError("\n".join(listed), listed)
    return rows
