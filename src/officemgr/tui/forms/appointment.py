"""Book an appointment: patient search, provider, type, date, time; conflicts explained first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from textual.app import ComposeResult
from textual.widgets import Input, Select

from officemgr.models import AppointmentCreate
from officemgr.services.common import ServiceError
from officemgr.services.schedule import BookingChoices, Choice
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors
from officemgr.tui.widgets.patient_picker import PatientPicker

# How the save call ends a refusal that saving the same booking again overrides (a conflict).
BOOK_ANYWAY = "Press ctrl+s again to book anyway, or change it."
# Refusals of a booking that are not conflicts: saving again would not book it anyway.
NOT_CONFLICTS = ("choose a", "the repeat rule", "say how many", "at most", "changed by someone else",
                 "that waitlist entry", "this waitlist entry", "the waitlist entry")


def booking_refusal(exc: ServiceError) -> ServiceError:
    """A refused booking as the form shows it: a conflict says that saving again books it anyway."""
    return exc if str(exc).startswith(NOT_CONFLICTS) else ServiceError(f"{exc}. {BOOK_ANYWAY}")


class Booking(BaseModel):
    """What the form books: the appointment, its repeat rule, and whether its conflicts were explained already."""

    model_config = ConfigDict(frozen=True)

    appointment: AppointmentCreate
    repeat: str = ""
    confirmed: bool = False


class AppointmentForm(RecordForm[Booking]):
    FORM_TITLE = "Book an appointment"

    def __init__(self, ctx: AppContext, save: SaveCall[Booking], choices: BookingChoices, *, day: date,
                 provider_id: int | None = None, start: datetime | None = None, type_id: int | None = None,
                 patient: Choice | None = None) -> None:
        """`choices` come from schedule.booking_choices, read in a worker before the form opens; `patient` starts
        chosen (booking someone from the waitlist)."""
        self._take(choices, day, provider_id, start, type_id)
        self.patient = patient
        super().__init__(ctx, save)

    def on_mount(self) -> None:
        if self.patient is not None:
            self.query_one(PatientPicker).choose(self.patient)

    def _take(self, choices: BookingChoices, day: date, provider_id: int | None, start: datetime | None,
              type_id: int | None) -> None:
        self.choices = choices
        self.types = {t.id: t for t in choices.types}
        self.day = day
        self.prefill: dict[str, Any] = {"provider_id": provider_id, "type_id": type_id,
                                        "start_time": f"{start:%H:%M}" if start else None}
        self.attempt: tuple[AppointmentCreate, str] | None = None
        self.refused: tuple[AppointmentCreate, str] | None = None

    def renew(self, choices: BookingChoices, *, day: date, provider_id: int | None = None,
              start: datetime | None = None, type_id: int | None = None) -> AppointmentForm:
        """This form, already composed, as a new booking (the Schedule tab keeps one: see ScheduleView)."""
        self._take(choices, day, provider_id, start, type_id)
        self.specs = self.fields()
        self.refill()
        return self

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("patient_id", "Patient", kind="patient"),
            FieldSpec("provider_id", "Provider", kind="select",
                      options=[(p.label, p.id) for p in self.choices.providers]),
            FieldSpec("type_id", "Type", kind="select", options=[(t.label, t.id) for t in self.types.values()]),
            FieldSpec("day", "Date", kind="date", placeholder="MM/DD/YYYY"),
            FieldSpec("start_time", "Time", placeholder="09:30 or 2:15 PM"),
            FieldSpec("minutes", "Minutes", placeholder="from the type"),
            FieldSpec("reason", "Reason", optional=True),
            FieldSpec("repeat", "Repeat", optional=True, placeholder="every 4 weeks, 6 times  (or an RRULE)"),
        ]

    def initial(self) -> dict[str, Any]:
        values = {"day": self.day, **{k: v for k, v in self.prefill.items() if v is not None}}
        if self.prefill["type_id"] in self.types:
            values["minutes"] = self.types[self.prefill["type_id"]].minutes
        return values

    def field_widget(self, spec: FieldSpec, value: Any) -> ComposeResult:
        if spec.kind == "patient":
            yield PatientPicker(self.ctx, id=f"f-{spec.name}")
        elif spec.kind == "select":
            # Blank allowed even when prefilled: a renewed form may start with no provider or type chosen.
            yield Select(spec.options, value=value if value is not None else Select.NULL, id=f"f-{spec.name}",
                         allow_blank=True, prompt="choose…", compact=True)
        else:
            yield from super().field_widget(spec, value)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "f-type_id" and event.value in self.types:
            self.query_one("#f-minutes", Input).value = str(self.types[event.value].minutes)

    def build(self, values: dict[str, Any]) -> Booking:
        errors = {}
        repeat = values.pop("repeat") or ""
        try:
            model = AppointmentCreate.model_validate({**values, "reason": values["reason"] or ""})
        except ValidationError as exc:
            errors = validation_errors(exc)
        errors.update({name: "choose one" for name in ("patient_id", "provider_id", "type_id") if not values[name]})
        if errors:
            raise FieldErrors(errors)
        self.attempt = (model, repeat)
        return Booking(appointment=model, repeat=repeat, confirmed=self.refused == self.attempt)

    def when_refused(self, message: Refused) -> None:
        # A conflict is explained once: the same booking saved again is booked anyway.
        if message.message.endswith(BOOK_ANYWAY):
            self.refused = self.attempt
        super().when_refused(message)
