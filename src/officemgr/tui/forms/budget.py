"""Forms of the budget screen: one amount (a month, or every month of a category), copying another year with a
percentage change, and the file to export to or import from."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from officemgr.models.validation import parse_money
from officemgr.services.budget import FIRST_YEAR, LAST_YEAR, MOST_CENTS, parse_percent
from officemgr.services.common import ServiceError
from officemgr.services.format import money
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall


@dataclass(frozen=True)
class Amount:
    cents: int


@dataclass(frozen=True)
class CopyPlan:
    from_year: int
    percent: Decimal
    replace: bool


@dataclass(frozen=True)
class BudgetFile:
    path: Path
    overwrite: bool


def amount_cents(text: str) -> int:
    """Dollars typed in the form as cents, or FieldErrors saying what is wrong."""
    if text.startswith("-") or text.startswith("$-"):
        raise FieldErrors({"amount": "a budget amount cannot be negative"})
    cents = parse_money(text)
    if cents is None:
        raise FieldErrors({"amount": "an amount in dollars, e.g. 2500 or $2,500.00"})
    if cents > MOST_CENTS:
        raise FieldErrors({"amount": f"at most {money(MOST_CENTS)} a month"})
    return cents


class AmountForm(RecordForm[Amount]):
    """One amount: `what` says for which month (or "every month of 2027")."""

    def __init__(self, ctx: AppContext, save: SaveCall[Amount], *, what: str, cents: int) -> None:
        self.FORM_TITLE = f"Budget: {what}"
        self.cents = cents
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("amount", "Amount ($)", placeholder="e.g. 2,500.00 (0 plans nothing)")]

    def initial(self) -> dict[str, Any]:
        return {"amount": f"{self.cents / 100:,.2f}"}

    def build(self, values: dict[str, Any]) -> Amount:
        return Amount(amount_cents(str(values["amount"] or "")))


class CopyForm(RecordForm[CopyPlan]):
    """Copy another year's budget into this one, changed by a percentage."""

    def __init__(self, ctx: AppContext, save: SaveCall[CopyPlan], *, year: int) -> None:
        self.year = year
        self.FORM_TITLE = f"Plan {year} from another year's budget"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("from_year", "Copy from year", placeholder="e.g. 2026"),
            FieldSpec("percent", "Change (%)", placeholder="e.g. 3 for +3%, -2.5 for 2.5% less"),
            FieldSpec("replace", f"Replace {self.year}'s budget if it has one", kind="check"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"from_year": str(self.year - 1), "percent": "0"}

    def build(self, values: dict[str, Any]) -> CopyPlan:
        errors: dict[str, str] = {}
        text = str(values["from_year"] or "")
        from_year = int(text) if text.isdigit() else 0
        if not FIRST_YEAR <= from_year <= LAST_YEAR:
            errors["from_year"] = f"a year from {FIRST_YEAR} to {LAST_YEAR}"
        elif from_year == self.year:
            errors["from_year"] = "copy from another year than the one shown"
        percent = Decimal(0)
        try:
            percent = parse_percent(str(values["percent"] or ""))
        except ServiceError as exc:
            errors["percent"] = str(exc)
        if errors:
            raise FieldErrors(errors)
        return CopyPlan(from_year, percent, bool(values["replace"]))


class FileForm(RecordForm[BudgetFile]):
    """The .csv file to write (export, with overwrite) or to read (import)."""

    def __init__(self, ctx: AppContext, save: SaveCall[BudgetFile], *, title: str, path: Path,
                 writing: bool) -> None:
        self.FORM_TITLE = title
        self.path, self.writing = path, writing
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        specs = [FieldSpec("path", "File (.csv)", placeholder="a full path, e.g. /home/me/budget-2027.csv")]
        if self.writing:
            specs.append(FieldSpec("overwrite", "Replace the file if it exists", kind="check"))
        return specs

    def initial(self) -> dict[str, Any]:
        return {"path": str(self.path)}

    def build(self, values: dict[str, Any]) -> BudgetFile:
        text = str(values["path"] or "")
        if not text:
            raise FieldErrors({"path": "type the file's name"})
        path = Path(text).expanduser()
        if path.suffix.lower() != ".csv":
            raise FieldErrors({"path": "the file's name ends in .csv"})
        return BudgetFile(path, bool(values.get("overwrite")))
