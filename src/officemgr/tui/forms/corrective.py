"""Log a corrective action for one staff member (the manager's). The policy is picked from the compliance
register's policies (read once the form shows), or "Other (type it)" with its name typed."""

from __future__ import annotations

from typing import Any

from textual.widgets import Select

from officemgr.models.people import CorrectiveKind
from officemgr.services import policies
from officemgr.services.corrective import CorrectiveCreate
from officemgr.services.policies import PolicyChoice
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

OTHER = 0  # the Select's value for a policy typed rather than picked (no policy has id 0)


class CorrectiveForm(RecordForm[CorrectiveCreate]):
    FORM_TITLE = "Corrective action"

    def __init__(self, ctx: AppContext, save: SaveCall[CorrectiveCreate], staff_id: int, name: str) -> None:
        self.staff_id = staff_id
        super().__init__(ctx, save)
        self.FORM_TITLE = f"Corrective action: {name}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("happened_on", "Date", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("kind", "Kind", kind="select", options=[(k.label, k) for k in CorrectiveKind]),
            FieldSpec("policy_task_id", "Policy involved", kind="select", optional=True,
                      options=[("Other (type it)", OTHER)]),
            FieldSpec("policy", "Other policy", optional=True, placeholder="when Other: its name"),
            FieldSpec("detail", "What happened"),
            FieldSpec("resolution", "What was agreed", optional=True),
            FieldSpec("follow_up", "Follow-up date", optional=True, kind="date", placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"happened_on": self.ctx.today, "kind": CorrectiveKind.coaching, "policy_task_id": OTHER}

    def on_mount(self) -> None:
        # Textual runs the base form's on_mount too (every class's handler in the MRO).
        self.read(policies.policy_choices, self._policies, group="form-policies")

    def _policies(self, choices: list[PolicyChoice]) -> None:
        """The register's policies in effect (a retired one is not named in a new entry)."""
        picker: Select[int] = self.query_one("#f-policy_task_id", Select)
        keep = picker.value
        picker.set_options([(c.title, c.task_id) for c in choices if c.active] + [("Other (type it)", OTHER)])
        picker.value = keep if keep is not Select.NULL else OTHER

    def build(self, values: dict[str, Any]) -> CorrectiveCreate:
        picked = values["policy_task_id"] or None
        if picked is not None and values["policy"]:
            raise FieldErrors({"policy": "a policy from the register is chosen above: clear this, or choose "
                                         "Other (type it)"})
        return CorrectiveCreate.model_validate({**values, "staff_id": self.staff_id, "policy_task_id": picked,
                                                "policy": values["policy"] or "",
                                                "resolution": values["resolution"] or ""})
