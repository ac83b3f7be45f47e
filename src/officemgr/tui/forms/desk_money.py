"""The desk's money forms: a patient's payment, an insurance plan and an eligibility check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from officemgr.models import Eligibility, EligibilityCheck, PayMethod, PlanCreate, PlanRank, Relationship
from officemgr.models.validation import parse_money
from officemgr.services.insurance import PlanRow
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

METHODS = [("cash", PayMethod.cash.value), ("check", PayMethod.check.value), ("card", PayMethod.card.value)]
AMOUNT_ERROR = "an amount in dollars, e.g. 25 or 25.00"


def _cents(values: dict[str, Any], name: str, errors: dict[str, str], *, required: bool = True) -> int:
    text = str(values.get(name) or "").strip()
    if not text and not required:
        return 0
    cents = parse_money(text)
    if cents is None:
        errors[name] = AMOUNT_ERROR
        return 0
    return cents


@dataclass(frozen=True)
class PaymentEntry:
    cents: int
    method: PayMethod
    reference: str


class PaymentForm(RecordForm[PaymentEntry]):
    """Take a payment (copay, balance, prepayment). `result` then holds the Receipt."""

    def __init__(self, ctx: AppContext, save: SaveCall[PaymentEntry], *, name: str, suggested_cents: int) -> None:
        self.suggested = suggested_cents
        self.FORM_TITLE = f"Payment from {name}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("amount", "Amount ($)", placeholder="e.g. 25.00"),
                FieldSpec("method", "Paid by", kind="select", options=METHODS),
                FieldSpec("reference", "Reference", optional=True,
                          placeholder="check number, or card's last four and authorization")]

    def initial(self) -> dict[str, Any]:
        amount = f"{self.suggested / 100:.2f}" if self.suggested > 0 else ""
        return {"amount": amount, "method": PayMethod.cash.value}

    def build(self, values: dict[str, Any]) -> PaymentEntry:
        errors: dict[str, str] = {}
        cents = _cents(values, "amount", errors)
        if not errors and cents <= 0:
            errors["amount"] = "more than $0.00"
        if values.get("method") is None:
            errors["method"] = "choose how it was paid"
        if errors:
            raise FieldErrors(errors)
        return PaymentEntry(cents, PayMethod(values["method"]), str(values.get("reference") or ""))


@dataclass(frozen=True)
class PlanTerms:
    cents: int
    day_of_month: int


class PaymentPlanForm(RecordForm[PlanTerms]):
    """A monthly payment plan: how much, on which day of the month (from today)."""

    def __init__(self, ctx: AppContext, save: SaveCall[PlanTerms], *, name: str) -> None:
        self.FORM_TITLE = f"Payment plan for {name}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("amount", "Each month ($)", placeholder="e.g. 50.00"),
                FieldSpec("day", "Day of the month", placeholder="1 to 31 (29-31: a shorter month's last day)")]

    def build(self, values: dict[str, Any]) -> PlanTerms:
        errors: dict[str, str] = {}
        cents = _cents(values, "amount", errors)
        text = str(values.get("day") or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 31:
            errors["day"] = "a day of the month, 1 to 31"
        if not errors and cents <= 0:
            errors["amount"] = "more than $0.00"
        if errors:
            raise FieldErrors(errors)
        return PlanTerms(cents, int(text))


RANKS = [(r.value, r.value) for r in PlanRank]
RELATIONS = [("self (the patient holds the plan)", Relationship.self_.value), ("spouse", Relationship.spouse.value),
             ("child", Relationship.child.value), ("other", Relationship.other.value)]


class PlanForm(RecordForm[PlanCreate]):
    """Add (row=None) or edit one of the patient's insurance plans."""

    def __init__(self, ctx: AppContext, save: SaveCall[PlanCreate], payers: list[tuple[str, int]],
                 row: PlanRow | None = None) -> None:
        self.payers, self.row = payers, row
        self.FORM_TITLE = f"Edit the {row.rank} plan" if row else "Add an insurance plan"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("payer_id", "Payer", kind="select", options=self.payers),
                FieldSpec("rank", "Pays", kind="select", options=RANKS),
                FieldSpec("member_id", "Member ID"),
                FieldSpec("group_number", "Group", optional=True),
                FieldSpec("relationship", "Patient is", kind="select", options=RELATIONS),
                FieldSpec("subscriber_name", "Subscriber", optional=True, placeholder="who holds the plan, if not "
                                                                                     "the patient"),
                FieldSpec("subscriber_dob", "Their birth date", kind="date", optional=True),
                FieldSpec("effective", "Effective", kind="date", optional=True),
                FieldSpec("termination", "Ends", kind="date", optional=True),
                FieldSpec("copay", "Copay ($)", optional=True),
                FieldSpec("deductible", "Deductible ($)", optional=True)]

    def initial(self) -> dict[str, Any]:
        row = self.row
        if row is None:
            return {"rank": PlanRank.primary.value, "relationship": Relationship.self_.value}
        return {"payer_id": row.payer_id, "rank": row.rank, "member_id": row.member_id,
                "group_number": row.group_number, "effective": row.effective, "termination": row.termination,
                "relationship": Relationship.self_.value,
                "copay": f"{row.copay_cents / 100:.2f}", "deductible": f"{row.deductible_cents / 100:.2f}"}

    def build(self, values: dict[str, Any]) -> PlanCreate:
        errors: dict[str, str] = {}
        copay = _cents(values, "copay", errors, required=False)
        deductible = _cents(values, "deductible", errors, required=False)
        if errors:
            raise FieldErrors(errors)
        data = {k: v for k, v in values.items() if k not in ("copay", "deductible")}
        data = {k: ("" if v is None and k in ("group_number", "subscriber_name") else v) for k, v in data.items()}
        return PlanCreate.model_validate({**data, "copay_cents": copay, "deductible_cents": deductible})


RESULTS = [("active", Eligibility.active.value), ("inactive", Eligibility.inactive.value),
           ("not found", Eligibility.not_found.value)]


class EligibilityForm(RecordForm[EligibilityCheck]):
    """Today's eligibility check of one plan: the result, how (portal, call), and a note."""

    def __init__(self, ctx: AppContext, save: SaveCall[EligibilityCheck], *, plan: str) -> None:
        self.FORM_TITLE = f"Eligibility check: {plan}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("result", "Result", kind="select", options=RESULTS),
                FieldSpec("by", "Checked by", placeholder="portal, or who you spoke to"),
                FieldSpec("note", "Note", optional=True)]

    def initial(self) -> dict[str, Any]:
        return {"result": Eligibility.active.value}

    def build(self, values: dict[str, Any]) -> EligibilityCheck:
        return EligibilityCheck.model_validate({k: ("" if v is None and k == "note" else v)
                                                for k, v in values.items()})
