"""Work RVUs from the CMS physician fee schedule: the yearly "PPRRVU" file (its .csv form), or the practice's own
list, and the rate a claim line earns.

Two layouts are read:
- the CMS file as CMS exports it: copyright and title lines, then the column header, one row ("HCPCS", "MOD", ...,
  "WORK RVU") or split over two rows ("WORK" over "RVU"); the header is the row with a cell "HCPCS" (joined with
  the row above or below it, column by column, when that is how the work RVU column is named); the data rows
  follow, then perhaps footer text;
- a simple CSV with the header code,modifier,work_rvu (modifier may be left out).

Only the code, its modifier and the work RVUs are kept: CPT descriptions are the AMA's and never stored.
A work RVU of "NA" or blank (a code not paid on the fee schedule) is SKIPPED, not stored as 0, so a claim line with
that code counts as "without an RVU rate" rather than as zero work; a printed 0.00 (a TC component) is kept as 0.
A line with one cell filled that is not a code (a footer, a note) and blank lines are skipped.

All or nothing: a code of the wrong shape, a negative or non-number RVU, or a code and modifier twice with
different values refuses the whole file, listing the first 20 bad lines and how many there are. A re-import of a
year replaces that year's rates, audited once with the counts (the audit's entity id is the year).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import delete, func, insert
from sqlmodel import Session, col, select

from officemgr.models.finance import RvuRate
from officemgr.services.access import Area, require
from officemgr.services.common import record
from officemgr.services.csv_files import FileRefused, echo, read_limited
from officemgr.services.format import plural

LISTED = 20  # bad lines a refusal lists
MAX_DATA_ROWS = 100_000  # the real file has about 19,000
INSERT_CHUNK = 1_000  # rows a statement inserts: memory stays small for the 19,000 of the real file
TITLE_LINES = 30  # lines searched for the title's year and for the header
FIRST_YEAR, LAST_YEAR = 2000, 2100  # as RvuRate.year allows
# CPT (99213), HCPCS Level II (G0438), and CPT's lettered codes: Category II (0001F), III (0001T), PLA (0001U),
# vaccine administration (0001A) and others.
CODE = re.compile(r"\d{5}|[A-Z]\d{4}|\d{4}[A-Z]")
MODIFIER = re.compile(r"[0-9A-Z]{2}")
_TITLE_YEAR = re.compile(r"\b(20\d\d)\b[^\n]*physician fee schedule", re.IGNORECASE)
_NO_VALUE = frozenset({"", "NA", "N/A"})


class RvuRefused(FileRefused):
    """An RVU file not imported: the message lists the first bad lines; nothing was saved."""


@dataclass(frozen=True)
class RvuImportResult:
    year: int
    rates: int  # codes (with modifier) stored
    replaced: int  # the year's rates there were before
    skipped: int  # rows with an "NA" or blank work RVU, not stored


@dataclass(frozen=True)
class _Columns:
    code: int
    modifier: int | None
    work: int


def title_year(text: str) -> int | None:
    """The year a CMS file's title names ("2026 National Physician Fee Schedule Relative Value File"), or None."""
    for n, line in enumerate(io.StringIO(text)):
        if n >= TITLE_LINES:
            break
        found = _TITLE_YEAR.search(line)
        if found:
            return int(found.group(1))
    return None


def read_rvu_file(path: Path) -> str:
    """The file's text (UTF-8, else Windows-1252 as CMS's files are), refused when it is too big or a workbook."""
    data = read_limited(path, RvuRefused, "import rvu")
    if data.startswith(b"PK\x03\x04"):
        raise RvuRefused(f"{echo(path.name)} is a spreadsheet workbook (.xlsx); use the .csv file of the CMS release, "
                         "or save the sheet as CSV; nothing was imported")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def import_rvu(session: Session, text: str, *, year: int, now: datetime, actor: str) -> RvuImportResult:
    """Replace `year`'s work RVUs with those of `text` (a CMS PPRRVU .csv or code,modifier,work_rvu), or refuse
    (RvuRefused listing the bad lines) and save nothing. The manager's (Area.finance)."""
    require(actor, Area.finance, what="importing work RVUs")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise RvuRefused(f"the year must be between {FIRST_YEAR} and {LAST_YEAR}, not {year}; nothing was imported")
    rates, skipped = _read(text)
    if not rates:
        raise RvuRefused("the file has no row with a work RVU; nothing was imported")
    try:
        old = session.exec(select(func.count()).select_from(RvuRate).where(RvuRate.year == year)).one()
        session.execute(delete(RvuRate).where(col(RvuRate.year) == year))
        keys = list(rates)
        for start in range(0, len(keys), INSERT_CHUNK):
            session.execute(insert(RvuRate), [{"year": year, "code": code, "modifier": modifier,
                                               "work_rvu": rates[(code, modifier)]}
                                              for code, modifier in keys[start:start + INSERT_CHUNK]])
        record(session, actor=actor, entity="rvu_rate", entity_id=year, action="import",
               changes={"year": year, "rates": len(rates), "replaced": old, "skipped": skipped}, now=now)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return RvuImportResult(year, len(rates), old, skipped)


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record of the CSV text with the line it starts on, streamed."""
    reader = csv.reader(io.StringIO(text))
    line = 1
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:  # a NUL byte, a cell past the csv module's limit: not a CSV file as CMS writes it
        raise RvuRefused(f"line {line}: this is not a CSV file as CMS writes it ({exc}); nothing was imported") \
            from None


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _header(rows: Iterator[tuple[int, list[str]]]) -> _Columns:
    """The columns, from the header among the first lines (the rows after it are left to read)."""
    above: list[str] = []
    for n, (_line, cells) in enumerate(rows):
        if n >= TITLE_LINES:
            break
        upper = [" ".join(c.split()).upper() for c in cells]
        if "CODE" in upper and "WORK_RVU" in upper:
            return _Columns(upper.index("CODE"), _index(upper, "MODIFIER"), upper.index("WORK_RVU"))
        if "HCPCS" in upper:
            work = _work_column(above, upper)
            below: list[str] = []
            if work is None:
                following = next(rows, None)
                below = [" ".join(c.split()).upper() for c in following[1]] if following else []
                work = _work_column(upper, below)
            if work is None:
                raise RvuRefused("the header has no WORK RVU column; nothing was imported")
            modifier = _index(upper, "MOD")
            return _Columns(upper.index("HCPCS"), modifier if modifier is not None else _index(below, "MOD"), work)
        above = [" ".join(c.split()).upper() for c in cells]
    raise RvuRefused("no column header was found: a CMS RVU file has a row with HCPCS, MOD and WORK RVU, and the "
                     "practice's own list starts with the row code,modifier,work_rvu; nothing was imported")


def _index(cells: list[str], name: str) -> int | None:
    return cells.index(name) if name in cells else None


def _work_column(top: list[str], bottom: list[str]) -> int | None:
    """The column whose header reads WORK RVU on its own row, or with the cell above it joined to it."""
    for index, cell in enumerate(bottom):
        above = top[index] if index < len(top) else ""
        if cell == "WORK RVU" or f"{above} {cell}".strip() == "WORK RVU":
            return index
    return None


def _value(text: str) -> float | None:
    """Work RVUs as written ("0.93", ".93", "  1.30"): None for NA or blank; ValueError saying why otherwise."""
    if text.upper() in _NO_VALUE:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"work RVU '{echo(text, 40)}' is not a number (like 0.93, or NA)") from None
    if not value.is_finite():
        raise ValueError(f"work RVU '{echo(text, 40)}' is not a number (like 0.93, or NA)")
    if value < 0:
        raise ValueError(f"work RVU {echo(text, 40)} is negative")
    if value > 1000:
        raise ValueError(f"work RVU {echo(text, 40)} is more than any code has (at most 1000)")
    return float(value)


def _read(text: str) -> tuple[dict[tuple[str, str], float], int]:
    """{(code, modifier): work RVUs} and how many rows had no value; or RvuRefused listing the bad lines."""
    rows = _rows(text)
    columns = _header(rows)
    rates: dict[tuple[str, str], float] = {}
    first_line: dict[tuple[str, str], int] = {}
    problems: list[str] = []
    bad = skipped = data = 0
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        code = _cell(cells, columns.code).upper()
        if sum(1 for c in cells if c.strip()) == 1 and not CODE.fullmatch(code):
            continue  # a footer or a note: text in one cell, not a code
        data += 1
        if data > MAX_DATA_ROWS:
            raise RvuRefused(f"the file has more than {MAX_DATA_ROWS:,} rows; the CMS file has about 19,000 — "
                             "is this the right file? Nothing was imported")
        found = _problems(code, _cell(cells, columns.modifier).upper(), _cell(cells, columns.work))
        if isinstance(found, str):
            bad += 1
            if len(problems) < LISTED:
                problems.append(f"line {line}: {found}")
            continue
        if found is None:
            skipped += 1
            continue
        key, value = found
        if key in rates and rates[key] != value:
            bad += 1
            if len(problems) < LISTED:
                shown = f"{key[0]} with modifier {key[1]}" if key[1] else f"{key[0]} (no modifier)"
                problems.append(f"line {line}: {shown} is also on line {first_line[key]} with another work RVU "
                                f"({rates[key]:g}, here {value:g})")
            continue
        first_line.setdefault(key, line)
        rates[key] = value
    if bad:
        more = [f"... and {bad - LISTED} more"] if bad > LISTED else []
        head = f"nothing was imported; {plural(bad, 'line')} {'has' if bad == 1 else 'have'} problems:"
        raise RvuRefused("\n".join([head, *problems, *more]), [*problems, *more])
    return rates, skipped


def _problems(code: str, modifier: str, work: str) -> str | tuple[tuple[str, str], float] | None:
    """A data row's ((code, modifier), value); None when its value is NA or blank; or what is wrong with it."""
    wrong = []
    if not CODE.fullmatch(code):
        wrong.append(f"code '{echo(code, 40)}' is not a CPT/HCPCS code (5 characters: 99213, G0438 or 0001F)")
    if modifier and not MODIFIER.fullmatch(modifier):
        wrong.append(f"modifier '{echo(modifier, 40)}' is not 2 letters or digits (like 26 or TC)")
    value: float | None = None
    try:
        value = _value(work)
    except ValueError as exc:
        wrong.append(str(exc))
    if wrong:
        return "; ".join(wrong)
    if value is None:
        return None
    return (code, modifier), value


def work_rvu_for(session: Session, code: str, modifier: str, year: int) -> float | None:
    """The work RVUs of `code` with `modifier` for a service in `year`: from `year`'s file, or the newest file before
    it that has the code; that modifier's rate, else the code's own (no modifier). None when no file has it."""
    rates = rates_for(session, {code.upper()}, year)
    return lookup(rates, code, [modifier] if modifier else [], year)


def rates_for(session: Session, codes: set[str], year: int) -> dict[tuple[str, str], list[tuple[int, float]]]:
    """{(code, modifier): [(year, work RVUs), newest first]} for `codes` in `year` and the years before: what
    `lookup` reads, loaded once for a period's claim lines (bounded by the codes asked)."""
    found: dict[tuple[str, str], list[tuple[int, float]]] = {}
    wanted = sorted(codes)
    for start in range(0, len(wanted), 500):
        for rate in session.exec(select(RvuRate).where(col(RvuRate.code).in_(wanted[start:start + 500]),
                                                       col(RvuRate.year) <= year)
                                 .order_by(col(RvuRate.year).desc())):
            found.setdefault((rate.code, rate.modifier), []).append((rate.year, rate.work_rvu))
    return found


def lookup(rates: dict[tuple[str, str], list[tuple[int, float]]], code: str, modifiers: list[str],
           year: int) -> float | None:
    """The rate `rates_for` loaded for a line: from the newest file up to the year of service that has the code,
    the first of the line's modifiers with a rate there, else the code alone (a newer file replaces an older)."""
    code = code.upper()
    keys = [*((code, m.upper()) for m in modifiers), (code, "")]
    newest = max((y for key in keys for y, _ in rates.get(key, []) if y <= year), default=None)
    for key in keys:
        value = next((v for y, v in rates.get(key, []) if y == newest), None)
        if value is not None:
            return value
    return None
