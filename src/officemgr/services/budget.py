"""The operating budget: what the practice plans to spend per category (models.finance.BudgetCategory) in each
month of a year, in whole cents. The manager changes it (Area.finance); the manager, biller and auditor see it.

A month with no amount stored plans nothing ($0). Copying a year applies one percentage change to every amount,
rounded to the nearest cent (half a cent rounds up). The CSV file has the columns category, jan..dec and total:
money may be written with $ and commas, an empty month is $0, the total may be left empty (it is checked against
the months when given), and the category is its name as the screen shows it ("Medical supplies") or as stored
("medical_supplies"). An import is all or nothing; the categories it lists replace that year's amounts, the others
are left as they were.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from sqlmodel import Session, select

from officemgr.models.finance import BudgetAmount, BudgetCategory
from officemgr.outfiles import OutputRefused, write_private
from officemgr.services import audit
from officemgr.services.access import Area, require
from officemgr.services.common import ServiceError, record
from officemgr.services.csv_files import (
    Cells,
    FileRefused,
    Layout,
    amount,
    by_line,
    column_name,
    echo,
    read_table,
    refusal,
)
from officemgr.services.csv_out import csv_text, dollars
from officemgr.services.format import money

MONTHS = tuple(calendar.month_abbr[m].lower() for m in range(1, 13))  # jan .. dec
COLUMNS = ("category", *MONTHS, "total")
MOST_CENTS = 100_000_000_00  # $100 million a month: far beyond a practice, short of a typo's extra zeros
FIRST_YEAR, LAST_YEAR = 2000, 2100
LAYOUT = Layout(command="import budget", columns=COLUMNS, noun="categories", required=("category", *MONTHS))
_MONTH_CELL = amount(MOST_CENTS, "2,500.00", " a month")
_TOTAL_CELL = amount(MOST_CENTS * 12, "30,000.00")


class BudgetRefused(FileRefused):
    """A budget file not imported; the message lists each bad line."""


@dataclass(frozen=True)
class BudgetRow:
    category: BudgetCategory
    months: tuple[int, ...]  # twelve amounts in cents, January first

    @property
    def total_cents(self) -> int:
        return sum(self.months)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError(f"a budget year is from {FIRST_YEAR} to {LAST_YEAR}, not {year}")


def _check_cents(cents: int) -> None:
    if cents < 0:
        raise ServiceError("a budget amount cannot be negative")
    if cents > MOST_CENTS:
        raise ServiceError(f"a budget amount is at most {money(MOST_CENTS)} a month")


def _stored(session: Session, year: int) -> dict[tuple[BudgetCategory, int], BudgetAmount]:
    rows = session.exec(select(BudgetAmount).where(BudgetAmount.year == year)).all()
    return {(BudgetCategory(row.category), row.month): row for row in rows}


def month_amounts(session: Session, month_first: date) -> dict[BudgetCategory, int]:
    """The month's planned amount per category (only those stored). No area check: the Inventory tab's supplies
    panel reads its categories' plan for whoever may see inventory."""
    rows = session.exec(select(BudgetAmount).where(BudgetAmount.year == month_first.year,
                                                   BudgetAmount.month == month_first.month)).all()
    return {BudgetCategory(row.category): row.amount_cents for row in rows}


def year_amounts(session: Session, year: int) -> dict[BudgetCategory, tuple[int, ...]]:
    """Twelve amounts per category that has any stored (no area check: for services that checked their own)."""
    found: dict[BudgetCategory, list[int]] = {}
    for (category, month), row in _stored(session, year).items():
        found.setdefault(category, [0] * 12)[month - 1] = row.amount_cents
    return {category: tuple(months) for category, months in found.items()}


def budget_year(session: Session, year: int, *, actor: str) -> list[BudgetRow]:
    """Every category (in the list's order) with its twelve monthly amounts; $0 where none is stored."""
    require(actor, Area.finance, write=False, what="seeing the budget")
    _check_year(year)
    stored = year_amounts(session, year)
    return [BudgetRow(category, stored.get(category, (0,) * 12)) for category in BudgetCategory]


def has_budget(session: Session, year: int) -> bool:
    return session.exec(select(BudgetAmount.id).where(BudgetAmount.year == year).limit(1)).first() is not None


def _put(session: Session, year: int, month: int, category: BudgetCategory, cents: int,
         stored: dict[tuple[BudgetCategory, int], BudgetAmount], *, now: datetime, actor: str) -> bool:
    """One amount written and audited (nothing if unchanged); True when it changed."""
    row = stored.get((category, month))
    old = row.amount_cents if row is not None else 0
    if row is not None and old == cents:
        return False
    if row is None:
        if cents == 0:
            return False  # nothing stored already plans $0
        row = BudgetAmount(year=year, month=month, category=category, amount_cents=cents)
        session.add(row)
        session.flush()
        stored[(category, month)] = row
    else:
        row.amount_cents = cents
        row.version += 1
        session.add(row)
    assert row.id is not None  # read or flushed
    record(session, actor=actor, entity="budget_amount", entity_id=row.id, action="set",
           changes={"year": year, "month": month, "category": category.value, "amount_cents": [old, cents]},
           now=now)
    return True


def set_amount(session: Session, year: int, month: int, category: BudgetCategory, cents: int, *, now: datetime,
               actor: str) -> bool:
    """Plan `cents` for one category in one month; True when it changed."""
    require(actor, Area.finance, what="changing the budget")
    _check_year(year)
    if not 1 <= month <= 12:
        raise ServiceError(f"a month is 1 to 12, not {month}")
    _check_cents(cents)
    changed = _put(session, year, month, category, cents, _stored(session, year), now=now, actor=actor)
    session.commit()
    return changed


def set_row(session: Session, year: int, category: BudgetCategory, months: list[int] | tuple[int, ...], *,
            now: datetime, actor: str) -> int:
    """Plan one category's twelve months at once (the same amount twelve times for "same every month"); returns
    how many months changed."""
    require(actor, Area.finance, what="changing the budget")
    _check_year(year)
    if len(months) != 12:
        raise ServiceError("give an amount for each of the twelve months")
    for cents in months:
        _check_cents(cents)
    stored = _stored(session, year)
    changed = sum(_put(session, year, month, category, cents, stored, now=now, actor=actor)
                  for month, cents in enumerate(months, start=1))
    session.commit()
    return changed


def parse_percent(text: str) -> Decimal:
    """'+3', '-2.5', '3%' as a Decimal; refused outside -100 to +1,000 or when it is not a number."""
    cleaned = text.strip().rstrip("%").strip()
    try:
        percent = Decimal(cleaned)
    except InvalidOperation:
        raise ServiceError(f"'{echo(text)}' is not a percentage (e.g. 3, +3, -2.5)") from None
    if not percent.is_finite() or not Decimal(-100) <= percent <= Decimal(1000):
        raise ServiceError("the change is a percentage from -100 to +1,000")
    return percent


def changed_by(cents: int, percent: Decimal) -> int:
    """`cents` changed by `percent`, to the nearest whole cent (half a cent rounds up)."""
    return int((Decimal(cents) * (100 + percent) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def copy_year(session: Session, from_year: int, to_year: int, percent: Decimal | float | str, *, now: datetime,
              actor: str, replace: bool = False) -> int:
    """Plan `to_year` as `from_year` changed by `percent` (see changed_by); returns how many amounts were written.

    Refused when `from_year` has no budget, and when `to_year` already has one unless `replace` (then every
    category and month of `to_year` takes the copied amount, $0 where `from_year` had none)."""
    require(actor, Area.finance, what="changing the budget")
    _check_year(from_year)
    _check_year(to_year)
    change = percent if isinstance(percent, Decimal) else parse_percent(str(percent))
    if from_year == to_year:
        raise ServiceError("copy a budget to another year")
    source = year_amounts(session, from_year)
    if not source:
        raise ServiceError(f"{from_year} has no budget to copy")
    stored = _stored(session, to_year)
    if any(row.amount_cents for row in stored.values()) and not replace:
        raise ServiceError(f"{to_year} already has a budget; copying would replace it (confirm to replace)")
    planned = {category: [changed_by(cents, change) for cents in source.get(category, (0,) * 12)]
               for category in BudgetCategory}
    for months in planned.values():
        for cents in months:
            _check_cents(cents)  # before anything is written
    written = 0
    for category, months in planned.items():
        for month, cents in enumerate(months, start=1):
            written += _put(session, to_year, month, category, cents, stored, now=now, actor=actor)
    session.commit()
    return written


# --- CSV --------------------------------------------------------------------------------------------------


def budget_csv(session: Session, year: int, *, actor: str) -> str:
    """The year's budget as CSV: category, jan..dec, total (plain dollars, as a spreadsheet adds them up)."""
    rows = budget_year(session, year, actor=actor)
    return csv_text(COLUMNS, ([row.category.label, *(dollars(c) for c in row.months), dollars(row.total_cents)]
                              for row in rows))


def export_budget_file(session: Session, year: int, path: Path, *, now: datetime, actor: str,
                       force: bool = False) -> Path:
    """Write the year's CSV to `path` (0600, never over an existing file unless `force`) and log the export."""
    if path.suffix.lower() != ".csv":
        raise ServiceError(f"the budget is written as a .csv file, not '{echo(path.suffix) or 'no extension'}'")
    text = budget_csv(session, year, actor=actor)
    try:
        write_private(path, text.encode("utf-8"), force=force)
    except OutputRefused as exc:
        raise ServiceError(str(exc)) from None
    audit.record_export(session, what="budget", actor=actor, now=now,
                        details={"file": str(path), "rows": len(BudgetCategory), "year": year})
    return path


def _category(text: str) -> BudgetCategory | None:
    wanted = column_name(text, {})
    return next((c for c in BudgetCategory if c.value == wanted), None)


def _read_row(cells: Cells) -> tuple[BudgetCategory | None, list[int]]:
    category = None
    if cells.required("category"):
        category = _category(cells.text("category"))
        if category is None:
            names = ", ".join(c.label.lower() for c in BudgetCategory)
            cells.problems.append(f"category: '{echo(cells.text('category'), 60)}' is not a budget category "
                                  f"({names})")
    months = [cells.read(name, _MONTH_CELL) for name in MONTHS]
    total = cells.read("total", _TOTAL_CELL)
    whole = [m or 0 for m in months]
    if total is not None and not cells.problems and total != sum(whole):
        cells.problems.append(f"total: {cells.text('total')} is not the sum of the months ({money(sum(whole))})")
    return category, whole


def import_budget_csv(session: Session, path: Path, year: int, *, now: datetime, actor: str) -> int:
    """Plan `year` from a .csv file (this module's docstring), all or nothing; returns how many amounts changed.

    Raises BudgetRefused naming each bad line (an unknown or repeated category, a negative or unreadable amount,
    a total that disagrees with its months); then nothing is written."""
    require(actor, Area.finance, what="importing a budget")
    _check_year(year)
    table = read_table(Path(path), LAYOUT, BudgetRefused)
    problems = list(table.problems)
    plans: list[tuple[BudgetCategory, list[int]]] = []
    seen: dict[BudgetCategory, int] = {}
    for row in table.rows:
        cells = Cells(row)
        category, months = _read_row(cells)
        if category is not None and category in seen:
            cells.problems.append(f"{category.label} is already on line {seen[category]}")
        if cells.problems:
            problems.append((row.line, "; ".join(cells.problems)))
        elif category is not None:
            seen[category] = row.line
            plans.append((category, months))
    if problems:
        listed = by_line(problems)
        raise BudgetRefused(refusal(table.name, listed, len(table.rows)), listed)
    try:
        stored = _stored(session, year)
        changed = 0
        for category, months in plans:
            for month, cents in enumerate(months, start=1):
                changed += _put(session, year, month, category, cents, stored, now=now, actor=actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return changed
