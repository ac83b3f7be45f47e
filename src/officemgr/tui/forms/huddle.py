"""The huddle's forms: assign an action on an item, snooze an item to a date, and finish (save) the huddle.

The action and snooze forms also mark the item's outcome in the same transaction when a huddle is running.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from officemgr.models.huddle import ActionCreate, HuddleFinish, ReviewOutcome
from officemgr.services import huddle_actions
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, validation_errors


def next_workday(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


class ActionForm(RecordForm):
    """What, who (from the active staff) and when. Dismisses with True once saved."""

    FORM_TITLE = "Assign an action"

    def __init__(self, today: date, *, what: str, item_key: str, staff: list[tuple[str, int]],
                 huddle_id: int | None = None) -> None:
        self.today = today
        self.what = what
        self.item_key = item_key
        self.staff = staff
        self.huddle_id = huddle_id
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("what", "What", placeholder="what is to be done"),
            FieldSpec("owner_id", "Who", kind="select", options=self.staff),
            FieldSpec("due", "Due", kind="date", placeholder="MM/DD/YYYY"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"what": self.what[:200], "due": next_workday(self.today)}

    def build(self, values: dict[str, Any]) -> BaseModel:
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

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, ActionCreate)
        now, actor = self.app.now(), self.app.actor  # type: ignore[attr-defined]
        huddle_actions.add_action(session, model, today=self.today, now=now, actor=actor, huddle_id=self.huddle_id)
        if self.huddle_id is not None and self.item_key:
            huddle_actions.mark(session, self.huddle_id, self.item_key, ReviewOutcome.action, now=now)


class SnoozeForm(RecordForm):
    """Set an item aside until a date (default: a week from today)."""

    def __init__(self, today: date, *, text: str, item_key: str, huddle_id: int | None = None) -> None:
        self.today = today
        self.item_key = item_key
        self.huddle_id = huddle_id
        self.FORM_TITLE = f"Snooze: {text}"[:80]
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("until", "Until", kind="date", placeholder="MM/DD/YYYY")]

    def initial(self) -> dict[str, Any]:
        return {"until": self.today + timedelta(days=7)}

    def build(self, values: dict[str, Any]) -> BaseModel:
        until = values["until"]
        if not isinstance(until, date):
            raise FieldErrors({"until": "a date like 12/01/2026"})
        if until <= self.today:
            raise FieldErrors({"until": f"must be after today ({self.today:%m/%d/%Y})"})
        return _Until(until=until)

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, _Until)
        now, actor = self.app.now(), self.app.actor  # type: ignore[attr-defined]
        huddle_actions.snooze(session, self.item_key, model.until, today=self.today, now=now, actor=actor)
        if self.huddle_id is not None:
            huddle_actions.mark(session, self.huddle_id, self.item_key, ReviewOutcome.snoozed, now=now)


class _Until(BaseModel):
    until: date


class FinishForm(RecordForm):
    """Who attended and notes; saving finishes the huddle with the items as they stood (the snapshot)."""

    FORM_TITLE = "Finish the huddle"

    def __init__(self, huddle_id: int, snapshot: Any, attendees: str = "") -> None:
        self.huddle_id = huddle_id
        self.snapshot = snapshot
        self.attendees = attendees
        super().__init__()

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("attendees", "Attended", optional=True, placeholder="names, comma separated"),
            FieldSpec("notes", "Notes", optional=True, placeholder="anything decided that is not an action"),
        ]

    def initial(self) -> dict[str, Any]:
        return {"attendees": self.attendees[:500]}

    def build(self, values: dict[str, Any]) -> BaseModel:
        return HuddleFinish.model_validate({k: v or "" for k, v in values.items()})

    def write(self, session: Session, model: BaseModel) -> None:
        assert isinstance(model, HuddleFinish)
        now, actor = self.app.now(), self.app.actor  # type: ignore[attr-defined]
        huddle_actions.finish(session, self.huddle_id, model, self.snapshot, now=now, actor=actor)
