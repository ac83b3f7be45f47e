"""The practice's default recurring compliance checklist: an editable CSV, validated on load.

Columns: title, category, rrule, evidence, owner_role. `rrule` is an RFC 5545 RRULE body without
DTSTART (e.g. `FREQ=WEEKLY;BYDAY=MO`); each task's anchor date supplies the start.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from dateutil.rrule import rrulestr

from officemgr.models.compliance import ComplianceCategory, ComplianceTask
from officemgr.models.people import Role

COLUMNS = ("title", "category", "rrule", "evidence", "owner_role")
# Any start date will do to check that a rule parses and ever occurs.
_PROBE_START = datetime(2000, 1, 3)
_EXTRA = "\0extra"  # where DictReader puts fields beyond the header
T = TypeVar("T")


class ChecklistError(Exception):
    """A checklist file that cannot be used; the message names the line and what is wrong.

    `problems` lists every problem found (one line each, in file order); the message is them joined by
    newlines, so a file with several bad lines is fixed in one pass."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems) if problems else [message]
        super().__init__(message)


class _RowProblem(Exception):
    """One problem with one row (collected by `_read_rows`, never raised to callers)."""


def _fail(problems: list[str]) -> ChecklistError:
    return ChecklistError("\n".join(problems), problems)


@dataclass(frozen=True)
class ChecklistRow:
    title: str
    category: ComplianceCategory
    rrule: str
    evidence: str
    owner_role: str  # a Role value, kept as text like ComplianceTask.owner_role


def checklist_path() -> Path:
    """The default checklist shipped with the project."""
    return Path(__file__).resolve().parents[2] / "data" / "compliance_checklist.csv"


def load_checklist(path: str | Path) -> list[ChecklistRow]:
    """Read and validate every row; raise ChecklistError listing every bad line (all of them, not the first)."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _read_rows(csv.DictReader(handle, restkey=_EXTRA), path.name)
    except OSError as exc:
        raise ChecklistError(f"cannot read {path}: {exc.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ChecklistError(f"{path.name}: not a readable CSV file ({exc})") from None


def _read_rows(reader: csv.DictReader, name: str) -> list[ChecklistRow]:
    header = reader.fieldnames
    if header is None:
        raise ChecklistError(f"{name} line 1: the file is empty; expected the header {','.join(COLUMNS)}")
    missing = [column for column in COLUMNS if column not in [h.strip() for h in header]]
    if missing:
        raise ChecklistError(f"{name} line 1: missing column(s) {', '.join(missing)}")
    rows: list[ChecklistRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as exc:  # a broken quote or NUL byte: the rest of the file cannot be read
            problems.append(f"{name} line {reader.line_num}: not readable as CSV ({exc})")
            break
        line = reader.line_num
        where = f"{name} line {line}"
        if any(value.strip() for value in record.pop(_EXTRA, [])):
            problems.append(f"{where}: more fields than the header has columns")
            continue
        values = {key.strip(): value for key, value in record.items()}
        cells = {column: (values.get(column) or "").strip() for column in COLUMNS}
        if not any(cells.values()):
            continue  # a blank line
        row_problems: list[str] = []
        row = _parse_row(cells, where, row_problems)
        problems.extend(row_problems)
        title = cells["title"].lower()
        if title and title in seen:
            problems.append(f"{where}: the title '{cells['title']}' is already used on line {seen[title]}")
        elif title:
            seen[title] = line
        if row is not None:
            rows.append(row)
    if problems:
        raise _fail(problems)
    return rows


def _parse_row(cells: dict[str, str], where: str, problems: list[str]) -> ChecklistRow | None:
    """The row, or None when it has problems; each one is appended to `problems` (this row's own list)."""
    title = cells["title"]
    if not title:
        problems.append(f"{where}: the title is empty")
    for column in ("title", "evidence"):
        _collect(problems, _check_length, where, column, cells[column], ComplianceTask)
    categories = {c.value for c in ComplianceCategory}
    if cells["category"].lower() not in categories:
        problems.append(
            f"{where}: unknown category '{cells['category']}' (use one of {', '.join(sorted(categories))})"
        )
    roles = {r.value for r in Role}
    if cells["owner_role"].lower() not in roles:
        problems.append(
            f"{where}: unknown owner_role '{cells['owner_role']}' (use one of {', '.join(r.value for r in Role)})"
        )
    rrule = _collect(problems, _check_rrule, cells["rrule"], where)
    if problems or rrule is None:
        return None
    return ChecklistRow(
        title=title,
        category=ComplianceCategory(cells["category"].lower()),
        rrule=rrule,
        evidence=cells["evidence"],
        owner_role=cells["owner_role"].lower(),
    )


def _collect(problems: list[str], check: Callable[..., T], *args: Any) -> T | None:
    """`check(*args)`, or None with its problem appended to `problems`."""
    try:
        return check(*args)
    except _RowProblem as exc:
        problems.append(str(exc))
        return None


def _check_length(where: str, column: str, value: str, table: type) -> None:
    limit = table.__table__.c[column].type.length
    if limit is not None and len(value) > limit:
        raise _RowProblem(f"{where}: the {column} is {len(value)} characters long; the limit is {limit}")


def _check_rrule(text: str, where: str) -> str:
    text = text.strip()
    if not text:
        raise _RowProblem(f"{where}: the rrule is empty (e.g. FREQ=WEEKLY;BYDAY=MO)")
    if "DTSTART" in text.upper() or "\n" in text:
        raise _RowProblem(f"{where}: the rrule must be a single RRULE body without DTSTART, got '{text}'")
    if not text.upper().startswith("FREQ=") and ";FREQ=" not in text.upper():
        raise _RowProblem(f"{where}: the rrule '{text}' has no FREQ= part (e.g. FREQ=MONTHLY)")
    _check_length(where, "rrule", text, ComplianceTask)
    try:
        rule = rrulestr(text, dtstart=_PROBE_START)
        first = rule.after(_PROBE_START, inc=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise _RowProblem(f"{where}: '{text}' is not a valid RRULE ({exc})") from None
    if first is None:
        raise _RowProblem(f"{where}: the rrule '{text}' never produces a due date")
    return text
