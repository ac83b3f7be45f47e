"""The huddle's forms: assign an action on an item, snooze an item to a date, and finish (save) the huddle.

The review screen hands each its save call (the action and snooze calls also mark the item's outcome).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError

from officemgr.models.huddle import ActionCreate, HuddleFinish
from officemgr.services.format import plural
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors


class ActionForm(RecordForm[ActionCreate]):
    """What, who (from the active staff) and when. Dismisses with True once saved."""

    FORM_TITLE = "Assign an action"

    def __init__(self, ctx: AppContext, save: SaveCall[ActionCreate], *, what: str, item_key: str,
                 staff: list[tuple[str, int]], due: date) -> None:
        """`due`: the default due date, the practice's next business day."""
        self.today: date = ctx.today
        self.due = due
        self.what = what
        self.item_key = item_key
        self.staff = staff
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("what", "What", placeholder="what is to be done"),
            FieldSpec("owner_id", "Who", kind="select", options=self.staff),
            FieldSpec("due", "Due", kind="date", placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"what": self.what[:200], "due": self.due}

    def build(self, values: dict[str, Any]) -> ActionCreate:
        errors: dict[str, str] = {}
        model = None
        try:
            model = ActionCreate.model_validate({**values, "what": values["what"] or "", "item_key": self.item_key})
        except ValidationError as exc:
            errors = validation_errors(exc)
        if values["owner_id"] is None:
            errors["owner_id"] = "choose who will do it"
        if isinstance(values["due"], date) and values["due"] < self.today:
            errors.setdefault("due", f"cannot be before today ({self.today:%m/%d/%Y})")
        if errors or model is None:
            raise FieldErrors(errors)
        return model


class Until(BaseModel):
    until: date


class SnoozeForm(RecordForm[Until]):
    """Set an item aside until a date (default: a week from today)."""

    def __init__(self, ctx: AppContext, save: SaveCall[Until], *, text: str) -> None:
        self.today: date = ctx.today
        self.FORM_TITLE = f"Snooze: {text}"[:80]
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("until", "Until", kind="date", placeholder="MM/DD/YYYY")]

    def initial(self) -> dict[str, Any]:
        return {"until": self.today + timedelta(days=7)}

    def build(self, values: dict[str, Any]) -> Until:
        until = values["until"]
        if not isinstance(until, date):
            raise FieldErrors({"until": "a date like 12/01/2026"})
        if until <= self.today:
            raise FieldErrors({"until": f"must be after today ({self.today:%m/%d/%Y})"})
        return Until(until=until)


class FinishForm(RecordForm[HuddleFinish]):
    """Who attended and notes; saving finishes the huddle with the items as they stood (the snapshot). With items
    left unreviewed, the first ctrl+s asks (saying how many) and the second finishes anyway."""

    FORM_TITLE = "Finish the huddle"

    def __init__(self, ctx: AppContext, save: SaveCall[HuddleFinish], attendees: str = "", *,
                 unreviewed: int = 0, total: int = 0) -> None:
        self.attendees = attendees
        self.unreviewed, self.total = unreviewed, total
        self.asked = False
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("attendees", "Attended", optional=True, placeholder="names, comma separated"),
            FieldSpec("notes", "Notes", optional=True, placeholder="anything decided that is not an action"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"attendees": self.attendees[:500]}

    def build(self, values: dict[str, Any]) -> HuddleFinish:
        model = HuddleFinish.model_validate({k: v or "" for k, v in values.items()})
        if self.unreviewed and not self.asked:
            self.asked = True
            left = "is" if self.unreviewed == 1 else "are"
            raise FieldErrors({"__form__": f"{self.unreviewed} of {plural(self.total, 'item')} {left} not reviewed "
                                           "yet. Finish anyway? Press ctrl+s again to save the huddle as it stands, "
                                           "or escape to go back and review them."})
        return model
