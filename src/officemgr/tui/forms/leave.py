"""A leave plan (for a person, their role or everyone) and an adjustment by hand: the manager's."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.widgets import Input, Select

from officemgr.models import Role
from officemgr.models.timeclock import AccrualMethod, LeaveKind
from officemgr.services.leave import PER_YEAR, Plan
from officemgr.services.leave_edit import AdjustmentInput, PlanInput
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldSpec, RecordForm, SaveCall

METHODS = [("Hours each pay period", AccrualMethod.per_period), ("Hours per hours worked", AccrualMethod.per_hour)]


class PlanForm(RecordForm[PlanInput]):
    """Starts from the plan the person has now for PTO (choosing sick leave shows that one instead); saving writes
    the row for whom "Applies to" says."""

    def __init__(self, ctx: AppContext, save: SaveCall[PlanInput], *, staff_id: int, name: str, role: Role,
                 plans: dict[LeaveKind, Plan]) -> None:
        self.staff_id, self.role, self.plans = staff_id, role, plans
        self.targets = [(f"{name} only", "person"), (f"Every {role.label.lower()}", "role"), ("Everyone", "all")]
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Leave plan: {name}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("kind", "Kind of leave", kind="select", options=[(k.label, k) for k in LeaveKind]),
            FieldSpec("target", "Applies to", kind="select", options=self.targets),
            FieldSpec("method", "Accrues", kind="select", options=METHODS),
            FieldSpec("hours", "Hours accrued", placeholder="3.08"),
            FieldSpec("per_hours_worked", "Per hours worked", optional=True, placeholder="30 (hours worked only)"),
            FieldSpec("carry_over_cap", "Carry-over cap (hours)", optional=True,
                      placeholder="empty: all carries · 0: use it or lose it"),
            FieldSpec("reset_month", "Leave year starts: month", placeholder="1 to 12"),
            FieldSpec("reset_day", "Leave year starts: day", placeholder="1 to 31"),
        ]

    def initial(self) -> dict[str, Any]:
        return _plan_values(self.plans[LeaveKind.pto])

    @on(Select.Changed, "#f-kind")
    def _kind_chosen(self, event: Select.Changed) -> None:
        plan = self.plans.get(LeaveKind(event.value)) if isinstance(event.value, str) else None
        if plan is None:
            return
        for name, value in _plan_values(plan).items():
            widget = self.query_one(f"#f-{name}")
            if name != "kind" and isinstance(widget, Select):
                widget.value = value
            elif isinstance(widget, Input):
                widget.value = "" if value is None else str(value)

    def build(self, values: dict[str, Any]) -> PlanInput:
        target = values.pop("target")
        return PlanInput.model_validate({**values, "staff_id": self.staff_id if target == "person" else None,
                                         "role": self.role if target == "role" else None})


def _plan_values(plan: Plan) -> dict[str, Any]:
    """The form's fields for `plan`; the staff record's yearly allowance offers its share of 26 pay periods."""
    target = {"this person": "person", "their role": "role", "everyone": "all"}.get(plan.applies_to, "all")
    method = AccrualMethod.per_period if plan.method == PER_YEAR else AccrualMethod(plan.method)
    return {"kind": plan.kind, "target": target, "method": method,
            "hours": f"{plan.hours / 26:.2f}" if plan.method == PER_YEAR else f"{plan.hours:g}",
            "per_hours_worked": f"{plan.per_hours_worked:g}" if plan.per_hours_worked else None,
            "carry_over_cap": None if plan.carry_over_cap is None else f"{plan.carry_over_cap:g}",
            "reset_month": plan.reset_month, "reset_day": plan.reset_day}


class AdjustmentForm(RecordForm[AdjustmentInput]):
    def __init__(self, ctx: AppContext, save: SaveCall[AdjustmentInput], *, staff_id: int, name: str) -> None:
        self.staff_id = staff_id
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Adjust a leave balance: {name} (today)"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("kind", "Kind of leave", kind="select", options=[(k.label, k) for k in LeaveKind]),
            FieldSpec("hours", "Hours (minus to take off)", placeholder="16 or -4.5"),
            FieldSpec("reason", "Why", placeholder="opening balance, correction…"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"kind": LeaveKind.pto}

    def build(self, values: dict[str, Any]) -> AdjustmentInput:
        return AdjustmentInput.model_validate({**values, "staff_id": self.staff_id})
