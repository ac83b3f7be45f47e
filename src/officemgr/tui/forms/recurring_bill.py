"""Add or change a recurring bill (rent, a service contract, software), and end one; and the paid-bills export's
period and file (the A/P aging screen's x)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, field_validator

from officemgr.models.finance import BudgetCategory
from officemgr.models.payables import Frequency
from officemgr.models.validation import parse_money
from officemgr.services.recurring_bills import RecurringIn, RecurringRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldsForm, FieldSpec, RecordForm, SaveCall

FREQUENCY_LABELS = {Frequency.monthly: "Monthly", Frequency.quarterly: "Quarterly (every 3 months)",
                    Frequency.yearly: "Yearly"}


def _cents(text: str | None) -> int:
    cents = parse_money(text or "")
    if cents is None or cents <= 0:
        raise FieldErrors({"amount": "an amount in dollars and cents, more than $0.00, e.g. 4500.00"})
    return cents


def _day(text: str | None) -> int:
    day = (text or "").strip()
    if not day.isdigit() or not 1 <= int(day) <= 31:
        raise FieldErrors({"day_of_month": "a day of the month, 1 to 31 (29–31: the last day in shorter months)"})
    return int(day)


class RecurringBillForm(RecordForm[RecurringIn]):
    FORM_TITLE = "Recurring bill"

    def __init__(self, ctx: AppContext, save: SaveCall[RecurringIn], vendors: list[tuple[str, int]],
                 row: RecurringRow | None = None) -> None:
        self.vendors, self.row = vendors, row
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Recurring bill: {row.description}" if row else "New recurring bill"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("vendor_id", "Vendor", kind="select", options=self.vendors),
            FieldSpec("description", "What it is", placeholder="Rent, Phone service, EHR subscription"),
            FieldSpec("category", "Budget category", kind="select", options=[(c.label, c) for c in BudgetCategory]),
            FieldSpec("amount", "Amount", placeholder="4500.00"),
            FieldSpec("frequency", "Every", kind="select", options=[(v, k) for k, v in FREQUENCY_LABELS.items()]),
            FieldSpec("day_of_month", "Day of the month", placeholder="1 to 31 (31: each month's last day)"),
            FieldSpec("start", "Starts", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("end", "Ends", kind="date", optional=True, placeholder="MM/DD/YYYY, empty: no end"),
        ]

    def initial(self) -> dict[str, Any]:
        if self.row is None:
            return {"category": BudgetCategory.rent, "frequency": Frequency.monthly, "day_of_month": "1",
                    "start": self.ctx.today.replace(day=1)}
        r = self.row
        return {"vendor_id": r.vendor_id, "description": r.description, "category": r.category,
                "amount": f"{r.amount_cents / 100:.2f}", "frequency": r.frequency, "day_of_month": str(r.day_of_month),
                "start": r.start, "end": r.end}

    def build(self, values: dict[str, Any]) -> RecurringIn:
        errors: dict[str, str] = {}
        parsed: dict[str, Any] = {}
        for name, parse in (("amount", _cents), ("day_of_month", _day)):
            try:
                parsed[name] = parse(values[name])
            except FieldErrors as exc:
                errors.update(exc.errors)
        if values["vendor_id"] is None:
            errors["vendor_id"] = "choose the vendor (add one on the Inventory tab first)"
        if errors:
            raise FieldErrors(errors)
        return RecurringIn.model_validate({**values, "amount_cents": parsed["amount"],
                                           "day_of_month": parsed["day_of_month"]})


class EndDate(BaseModel):
    end: date


class EndRecurringForm(RecordForm[EndDate]):
    """The last day a bill may be dated: a lease's last month."""

    FORM_TITLE = "End a recurring bill"

    def __init__(self, ctx: AppContext, save: SaveCall[EndDate], row: RecurringRow) -> None:
        self.row = row
        super().__init__(ctx, save)
        self.FORM_TITLE = f"End: {row.description} ({row.vendor})"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("end", "Last bill dated by", kind="date", placeholder="MM/DD/YYYY")]

    def initial(self) -> dict[str, Any]:
        return {"end": self.row.end or self.ctx.today}

    def build(self, values: dict[str, Any]) -> EndDate:
        return EndDate.model_validate(values)


class PaidExport(BaseModel):
    """The paid-bills file: the payments' first and last day and where to write it."""

    first: date
    last: date
    path: str
    replace: bool = False

    @field_validator("path")
    @classmethod
    def _csv(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("name the file to write, e.g. paid-bills.csv")
        if Path(value.strip()).suffix.lower() != ".csv":
            raise ValueError("the file name must end in .csv")
        return value.strip()


@dataclass(frozen=True)
class ExportDefaults:
    first: date
    last: date
    path: str


class PaidExportForm(FieldsForm[PaidExport]):
    """Asks only: the screen writes the file once the form closes (a filter form's way)."""

    FORM_TITLE = "Export paid bills for the accountant (CSV)"

    def __init__(self, defaults: ExportDefaults) -> None:
        self.defaults = defaults
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("first", "Paid from", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("last", "Paid to", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("path", "File", placeholder="paid-bills.csv"),
            FieldSpec("replace", "Replace the file if it is there", kind="check"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"first": self.defaults.first, "last": self.defaults.last, "path": self.defaults.path,
                "replace": False}

    def build(self, values: dict[str, Any]) -> PaidExport:
        return PaidExport.model_validate(values)
