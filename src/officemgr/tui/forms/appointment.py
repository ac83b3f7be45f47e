"""Book an appointment: patient search, provider, type, date, time; conflicts explained first.

A name that finds nobody can be registered on the spot (ctrl+n: the Patients screen's registration form, prefilled
with what was typed); once a patient is chosen, the line under the field says what they owe and what their
insurance lacks for the visit's day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Button, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from officemgr.models import AppointmentCreate
from officemgr.models.validation import parse_date
from officemgr.services import insurance, ledger, patients
from officemgr.services.access import Area, may
from officemgr.services.common import ServiceError
from officemgr.services.format import money
from officemgr.services.patients import PatientHit
from officemgr.services.schedule import BookingChoices, Choice
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused, Session
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall, validation_errors
from officemgr.tui.forms.patient import PatientEntry, PatientForm, typed_start
from officemgr.tui.widgets.patient_picker import PatientPicker

# How the save call ends a refusal that saving the same booking again overrides (a conflict).
BOOK_ANYWAY = "Press ctrl+s again to book anyway, or change it."
# Refusals of a booking that are not conflicts: saving again would not book it anyway.
NOT_CONFLICTS = ("choose a", "the repeat rule", "say how many", "at most", "changed by someone else",
                 "that waitlist entry", "this waitlist entry", "the waitlist entry")


def booking_refusal(exc: ServiceError) -> ServiceError:
    """A refused booking as the form shows it: a conflict says that saving again books it anyway."""
    return exc if str(exc).startswith(NOT_CONFLICTS) else ServiceError(f"{exc}. {BOOK_ANYWAY}")


def choice_of(hit: PatientHit) -> Choice:
    """A patient as the picker lists them (as schedule.search_patients does)."""
    return Choice(hit.id, f"{hit.name}  {hit.dob:%m/%d/%Y}  {hit.phone}")


def facts_line(owed: int | None, warning: str | None, day: date | None) -> Text:
    """What the desk should know about the chosen patient: the balance (None: not theirs to see) and the insurance
    for the visit's day."""
    parts = []
    if owed is not None:
        parts.append(f"Balance due {money(owed)}" if owed > 0 else
                     f"Credit {money(-owed)}" if owed < 0 else "No balance due")
    if day is None:
        parts.append("Insurance: give the date to check it")
    else:
        parts.append(f"Insurance: {warning}" if warning else f"Insurance verified for {day:%m/%d/%Y}")
    return Text(" · ".join(parts), style="bold" if warning or (owed or 0) > 0 else "")


class BookingPatientPicker(PatientPicker):
    """The booking form's patient field: what is typed finds nobody, it offers to register them; a patient
    chosen, it says so (Chosen) so the form can show their balance and insurance under the field."""

    DEFAULT_CSS = """
    BookingPatientPicker #new-patient { display: none; }
    BookingPatientPicker .patient-facts { height: auto; display: none; }
    """

    class Chosen(Message):
        """The chosen patient changed: one was chosen (`value`), or none is any more."""

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Button("Nobody found: New patient… (ctrl+n)", id="new-patient", compact=True)
        yield Static("", classes="patient-facts")

    @property
    def typed(self) -> str:
        return self.query_one(Input).value.strip()

    @on(Input.Changed)
    def _retyped(self) -> None:
        # Runs before the picker's own handler, which searches afresh: what was chosen is no longer.
        self.show_facts(Text(""))
        self.post_message(self.Chosen())

    def _show(self, found: list[Choice]) -> None:
        super()._show(found)
        self.query_one("#new-patient").display = not found and bool(self.typed) and self.value is None

    def _choose(self, option: Option) -> None:
        super()._choose(option)
        self.post_message(self.Chosen())

    def choose(self, choice: Choice) -> None:
        super().choose(choice)
        self.query_one(OptionList).display = False
        self.query_one("#new-patient").display = False
        self.post_message(self.Chosen())

    def reset(self) -> None:
        super().reset()
        self.query_one("#new-patient").display = False
        self.show_facts(Text(""))

    def show_facts(self, line: Text) -> None:
        facts = self.query_one(".patient-facts", Static)
        facts.update(line)
        facts.display = bool(line.plain)  # no blank line under a field with no patient chosen


class Booking(BaseModel):
    """What the form books: the appointment, its repeat rule, and whether its conflicts were explained already."""

    model_config = ConfigDict(frozen=True)

    appointment: AppointmentCreate
    repeat: str = ""
    confirmed: bool = False


class AppointmentForm(RecordForm[Booking]):
    FORM_TITLE = "Book an appointment"
    BINDINGS = [Binding("ctrl+n", "new_patient", "New patient", id="booking_new_patient")]

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

    @property
    def picker(self) -> BookingPatientPicker:
        return self.query_one(BookingPatientPicker)

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
            yield BookingPatientPicker(self.ctx, id=f"f-{spec.name}")
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
        if "patient_id" in errors and self.picker.typed:
            errors["patient_id"] = "choose one from the list, or press ctrl+n to register a new patient"
        if errors:
            raise FieldErrors(errors)
        self.attempt = (model, repeat)
        return Booking(appointment=model, repeat=repeat, confirmed=self.refused == self.attempt)

    def when_refused(self, message: Refused) -> None:
        # A conflict is explained once: the same booking saved again is booked anyway.
        if message.message.endswith(BOOK_ANYWAY):
            self.refused = self.attempt
        super().when_refused(message)

    def action_new_patient(self) -> None:
        """Register the patient being booked (prefilled with what was typed); once saved, or a record on file
        chosen instead, they are the chosen patient and the rest of the booking is as it was."""
        ctx = self.ctx

        def save(session: Session, entry: PatientEntry) -> PatientHit:
            return patients.register(session, entry.data, today=ctx.today, actor=ctx.actor, now=ctx.now(),
                                     different_person=entry.different_person)

        form = PatientForm(ctx, save, typed=typed_start(self.picker.typed))
        self.app.push_screen(form, lambda saved: self._registered(form, saved))

    @on(Button.Pressed, "#new-patient")
    def _new_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_new_patient()

    def _registered(self, form: PatientForm, saved: bool | None) -> None:
        hit = form.result
        if not saved or not isinstance(hit, PatientHit):
            return
        self.picker.choose(choice_of(hit))
        self.say(f"Booking {hit.name}, already registered as #{hit.account}" if form.used_existing
                 else f"{hit.name} registered (account #{hit.account})")
        self.query_one("#f-provider_id").focus()

    @on(BookingPatientPicker.Chosen)
    def _patient_chosen(self, event: BookingPatientPicker.Chosen) -> None:
        event.stop()
        self.load_facts()

    @on(Input.Changed, "#f-day")
    def _day_changed(self) -> None:
        self.load_facts()

    def load_facts(self) -> None:
        """The chosen patient's balance (for those who may see the desk's money) and insurance for the day, read in
        a worker; the line stays empty while no patient is chosen."""
        patient_id = self.picker.value
        if patient_id is None:
            self.picker.show_facts(Text(""))
            return
        day = parse_date(self.query_one("#f-day", Input).value)
        sees_money = may(self.ctx.actor, Area.desk_money, write=False)

        def fetch(session: Session) -> tuple[int | None, str | None]:
            owed = ledger.balance(session, patient_id) if sees_money else None
            return owed, insurance.warning(session, patient_id, day) if day else None

        def show(found: tuple[int | None, str | None]) -> None:
            if self.picker.value == patient_id:  # not another patient chosen meanwhile
                self.picker.show_facts(facts_line(*found, day))

        self.read(fetch, show, group="patient-facts")
