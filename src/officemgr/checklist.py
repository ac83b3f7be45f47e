"""The practice's default recurring compliance checklist: an editable CSV, validated on load.

Columns: title, category, rrule, evidence, owner_role. `rrule` is an RFC 5545 RRULE body without
DTSTART (e.g. `FREQ=WEEKLY;BYDAY=MO`); each task's anchor date supplies the start.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dateutil.rrule import rrulestr

from officemgr.models.compliance import ComplianceCategory, ComplianceTask
from officemgr.models.people import Role

COLUMNS = ("title", "category", "rrule", "evidence", "owner_role")
# Any start date will do to check that a rule parses and ever occurs.
_PROBE_START = datetime(2000, 1, 3)
_EXTRA = "\0extra"  # where DictReader puts fields beyond the header


class ChecklistError(Exception):
    """A checklist file that cannot be used; the message names the line and what is wrong."""


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
    """Read and validate every row; raise ChecklistError on the first problem."""
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
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if any(value.strip() for value in record.pop(_EXTRA, [])):
            raise ChecklistError(f"{name} line {line}: more fields than the header has columns")
        values = {key.strip(): value for key, value in record.items()}
        cells = {column: (values.get(column) or "").strip() for column in COLUMNS}
        if not any(cells.values()):
            continue  # a blank line
        row = _parse_row(cells, f"{name} line {line}")
        if row.title.lower() in seen:
            raise ChecklistError(
                f"{name} line {line}: the title '{row.title}' is already used on line {seen[row.title.lower()]}"
            )
        seen[row.title.lower()] = line
        rows.append(row)
    return rows


def _parse_row(cells: dict[str, str], where: str) -> ChecklistRow:
    title = cells["title"]
    if not title:
        raise ChecklistError(f"{where}: the title is empty")
    _check_length(where, "title", title, ComplianceTask)
    _check_length(where, "evidence", cells["evidence"], ComplianceTask)
    categories = {c.value for c in ComplianceCategory}
    if cells["category"].lower() not in categories:
        raise ChecklistError(
            f"{where}: unknown category '{cells['category']}' (use one of {', '.join(sorted(categories))})"
        )
    roles = {r.value for r in Role}
    if cells["owner_role"].lower() not in roles:
        raise ChecklistError(
            f"{where}: unknown owner_role '{cells['owner_role']}' (use one of {', '.join(r.value for r in Role)})"
        )
    return ChecklistRow(
        title=title,
        category=ComplianceCategory(cells["category"].lower()),
        rrule=_check_rrule(cells["rrule"], where),
        evidence=cells["evidence"],
        owner_role=cells["owner_role"].lower(),
    )


def _check_length(where: str, column: str, value: str, table: type) -> None:
    limit = table.__table__.c[column].type.length
    if limit is not None and len(value) > limit:
        raise ChecklistError(f"{where}: the {column} is {len(value)} characters long; the limit is {limit}")


def _check_rrule(text: str, where: str) -> str:
    text = text.strip()
    if not text:
        raise ChecklistError(f"{where}: the rrule is empty (e.g. FREQ=WEEKLY;BYDAY=MO)")
    if "DTSTART" in text.upper() or "\n" in text:
        raise ChecklistError(f"{where}: the rrule must be a single RRULE body without DTSTART, got '{text}'")
    if not text.upper().startswith("FREQ=") and ";FREQ=" not in text.upper():
        raise ChecklistError(f"{where}: the rrule '{text}' has no FREQ= part (e.g. FREQ=MONTHLY)")
    _check_length(where, "rrule", text, ComplianceTask)
    try:
        rule = rrulestr(text, dtstart=_PROBE_START)
        first = rule.after(_PROBE_START, inc=True)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise ChecklistError(f"{where}: '{text}' is not a valid RRULE ({exc})") from None
    if first is None:
        raise ChecklistError(f"{where}: the rrule '{text}' never produces a due date")
    return text
