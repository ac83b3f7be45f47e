"""Close the practice, or one provider, for a day or from a time (a half day)."""

from __future__ import annotations

from typing import Any

from officemgr.models import ClosureCreate
from officemgr.models.validation import parse_time
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall


class ClosureForm(RecordForm[ClosureCreate]):
    FORM_TITLE = "Close the practice (or one provider) for a day"

    def __init__(self, ctx: AppContext, save: SaveCall[ClosureCreate], providers: list[tuple[str, int]]) -> None:
        self.providers = providers
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("day", "Day", kind="date", placeholder="e.g. 12/24/2026"),
            FieldSpec("closes_at", "Closes at", optional=True, placeholder="empty: all day; 12:00: a half day"),
            FieldSpec("provider_id", "Provider", kind="select", options=self.providers, optional=True),
            FieldSpec("reason", "Reason", placeholder="e.g. Staff retreat, Christmas Eve, conference"),
        ]

    def build(self, values: dict[str, Any]) -> ClosureCreate:
        closes = values.get("closes_at")
        if closes is not None:
            try:
                values["closes_at"] = parse_time(closes)
            except ValueError as exc:
                raise FieldErrors({"closes_at": str(exc)}) from None
        return ClosureCreate.model_validate(values)
