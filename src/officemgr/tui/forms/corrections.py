"""The manager's corrections to a patient's account: void an entry, refund a credit, a courtesy discount, send the
balance to collections, and ending a payment plan (the desk's). Each title says what it changes, so saving is the
confirmation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from officemgr.models import PayMethod
from officemgr.models.validation import parse_money
from officemgr.services.format import money
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall
from officemgr.tui.forms.desk_money import AMOUNT_ERROR, METHODS


def _reason(values: dict[str, Any], errors: dict[str, str], why: str) -> str:
    text = str(values.get("reason") or "").strip()
    if not text:
        errors["reason"] = why
    return text


@dataclass(frozen=True)
class Reason:
    reason: str


class VoidForm(RecordForm[Reason]):
    """Void one ledger entry: the title names it; a reason is required."""

    def __init__(self, ctx: AppContext, save: SaveCall[Reason], *, what: str) -> None:
        self.FORM_TITLE = f"Void {what}"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("reason", "Why", placeholder="e.g. entered twice, wrong patient")]

    def build(self, values: dict[str, Any]) -> Reason:
        errors: dict[str, str] = {}
        reason = _reason(values, errors, "say why it is voided")
        if errors:
            raise FieldErrors(errors)
        return Reason(reason)


@dataclass(frozen=True)
class Refund:
    cents: int
    method: PayMethod
    reference: str
    reason: str


class RefundForm(RecordForm[Refund]):
    """Give back (part of) a credit: amount (the credit to start with), how, and why."""

    def __init__(self, ctx: AppContext, save: SaveCall[Refund], *, name: str, credit_cents: int) -> None:
        self.credit = credit_cents
        self.FORM_TITLE = f"Refund to {name} (credit {money(credit_cents)})"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("amount", "Amount ($)", placeholder="e.g. 25.00"),
                FieldSpec("method", "Paid back by", kind="select", options=METHODS),
                FieldSpec("reference", "Reference", optional=True, placeholder="check number, or card refund id"),
                FieldSpec("reason", "Why", placeholder="e.g. overpaid copay")]

    def initial(self) -> dict[str, Any]:
        return {"amount": f"{self.credit / 100:.2f}" if self.credit > 0 else "", "method": PayMethod.check.value}

    def build(self, values: dict[str, Any]) -> Refund:
        errors: dict[str, str] = {}
        cents = amount(values, "amount", errors)
        if values.get("method") is None:
            errors["method"] = "choose how the money goes back"
        reason = _reason(values, errors, "say why the money is refunded")
        if errors:
            raise FieldErrors(errors)
        return Refund(cents, PayMethod(values["method"]), str(values.get("reference") or ""), reason)


@dataclass(frozen=True)
class Discount:
    cents: int
    reason: str


class CourtesyForm(RecordForm[Discount]):
    """A courtesy discount, up to what the patient owes."""

    def __init__(self, ctx: AppContext, save: SaveCall[Discount], *, name: str, owed_cents: int) -> None:
        self.FORM_TITLE = f"Courtesy discount for {name} (owes {money(owed_cents)})"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("amount", "Amount ($)", placeholder="e.g. 20.00"),
                FieldSpec("reason", "Why", placeholder="e.g. long wait, hardship")]

    def build(self, values: dict[str, Any]) -> Discount:
        errors: dict[str, str] = {}
        cents = amount(values, "amount", errors)
        reason = _reason(values, errors, "say why the discount is given")
        if errors:
            raise FieldErrors(errors)
        return Discount(cents, reason)


@dataclass(frozen=True)
class Agency:
    name: str


class CollectionsForm(RecordForm[Agency]):
    """Send the balance to a collection agency (after a final notice: the service says so otherwise)."""

    def __init__(self, ctx: AppContext, save: SaveCall[Agency], *, name: str, owed_cents: int) -> None:
        self.FORM_TITLE = f"Send {name}'s balance of {money(owed_cents)} to collections"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("agency", "Agency", placeholder="the collection agency's name")]

    def build(self, values: dict[str, Any]) -> Agency:
        text = str(values.get("agency") or "").strip()
        if not text:
            raise FieldErrors({"agency": "name the collection agency"})
        return Agency(text)


class EndPlanForm(RecordForm[None]):
    """Nothing to fill in: the title says which plan ends today; ctrl+s ends it."""

    def __init__(self, ctx: AppContext, save: SaveCall[None], *, name: str, plan: str) -> None:
        self.FORM_TITLE = f"End {name}'s payment plan ({plan}) today?"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return []

    def build(self, values: dict[str, Any]) -> None:
        return None


def amount(values: dict[str, Any], name: str, errors: dict[str, str]) -> int:
    """A required amount of more than $0.00, in cents (0 with an error in `errors` otherwise)."""
    text = str(values.get(name) or "").strip()
    if text.startswith("-"):
        errors[name] = "more than $0.00 (no minus sign)"
        return 0
    cents = parse_money(text) if text else None
    if cents is None:
        errors[name] = AMOUNT_ERROR
        return 0
    if cents <= 0:
        errors[name] = "more than $0.00"
    return cents

