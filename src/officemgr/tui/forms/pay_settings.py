"""A staff member's pay settings (the manager's): exempt, hourly or salaried and the amount, pay period, PTO plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from officemgr.models.people import PayPeriod, PayType
from officemgr.services.common import ServiceError
from officemgr.services.format import money
from officemgr.services.pay_settings import PTO_PLAN_LENGTH, PaySettings, amount_cents
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall


@dataclass(frozen=True)
class PayInput:
    exempt: bool
    pay_type: PayType
    pay_period: PayPeriod
    amount: str
    pto_plan: str


class PaySettingsForm(RecordForm[PayInput]):
    FORM_TITLE = "Pay settings"

    def __init__(self, ctx: AppContext, save: SaveCall[PayInput], current: PaySettings) -> None:
        self.current = current
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Pay settings: {current.name}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("pay_type", "Pay type", kind="select", options=[(p.label, p) for p in PayType]),
            FieldSpec("amount", "Rate $/hour, or salary $/year",
                      placeholder="25.50 or 52,000"),
            FieldSpec("exempt", "Exempt from overtime (FLSA)", kind="check"),
            FieldSpec("pay_period", "Pay period", kind="select", options=[(p.label, p) for p in PayPeriod]),
            FieldSpec("pto_plan", "PTO plan", optional=True, placeholder="e.g. Full-time standard"),
        ]

    def initial(self) -> dict[str, Any]:
        now = self.current
        cents = now.hourly_rate_cents if now.pay_type is PayType.hourly else now.salary_cents
        return {"pay_type": now.pay_type, "amount": money(cents).lstrip("$") if cents is not None else "",
                "exempt": now.exempt, "pay_period": now.pay_period, "pto_plan": now.pto_plan}

    def build(self, values: dict[str, Any]) -> PayInput:
        errors: dict[str, str] = {}
        # The form hands a choice back as its text value (the enums are str).
        pay_type = PayType(values["pay_type"]) if values["pay_type"] in PayType._value2member_map_ else None
        period = PayPeriod(values["pay_period"]) if values["pay_period"] in PayPeriod._value2member_map_ else None
        if pay_type is None:
            errors["pay_type"] = "choose hourly or salaried"
        if period is None:
            errors["pay_period"] = "choose how often this person is paid"
        amount, plan = values["amount"] or "", values["pto_plan"] or ""
        if pay_type is not None:
            try:
                amount_cents(amount, pay_type)
            except ServiceError as exc:
                errors["amount"] = str(exc)
        if len(plan) > PTO_PLAN_LENGTH:
            errors["pto_plan"] = f"at most {PTO_PLAN_LENGTH} characters"
        if errors or pay_type is None or period is None:
            raise FieldErrors(errors)
        return PayInput(exempt=bool(values["exempt"]), pay_type=pay_type, pay_period=period, amount=amount,
                        pto_plan=plan)
