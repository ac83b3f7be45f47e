"""A modal record form: fields with inline errors, ctrl+s saves, escape cancels.

Validation (the pydantic schema) runs on the UI thread because it is pure; the write runs in a
worker thread and the form closes only once the service has committed it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError
from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from officemgr.models.validation import explain, parse_date
from officemgr.services.common import ServiceError, database_refusal
from officemgr.store import write_session


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | date | select | check
    options: list[tuple[str, Any]] = field(default_factory=list)
    placeholder: str = ""
    optional: bool = False


class FieldErrors(Exception):
    """Problems found while turning the form's text into values, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class RecordForm(ModalScreen[bool]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form_save"),
        Binding("escape", "cancel", "Cancel", id="form_cancel"),
    ]
    FORM_TITLE = ""
    # The first field, focused as the screen shows: focusing it from on_mount instead restyles the whole form
    # a second time (about 50 ms on the booking form).
    AUTO_FOCUS = ".form-fields Input, .form-fields Select, .form-fields Checkbox"

    def __init__(self) -> None:
        super().__init__()
        self.specs = self.fields()
        self.saving = False

    def fields(self) -> list[FieldSpec]:
        raise NotImplementedError

    def initial(self) -> dict[str, Any]:
        return {}

    def build(self, values: dict[str, Any]) -> BaseModel:
        """Turn the collected values into the validated schema (may raise ValidationError/FieldErrors)."""
        raise NotImplementedError

    def write(self, session: Session, model: BaseModel) -> None:
        """Save through the service, in a worker thread (may raise ServiceError)."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        start = self.initial()
        with Vertical(classes="form"):
            yield Label(Text(self.FORM_TITLE), classes="form-title")
            with VerticalScroll(classes="form-fields"):
                for spec in self.specs:
                    with Horizontal(classes="field-row"):
                        required = "" if spec.optional or spec.kind == "check" else " *"
                        yield Label(Text(spec.label + required), classes="field-label")
                        yield from self.field_widget(spec, start.get(spec.name))
                    yield Static("", id=f"e-{spec.name}", classes="field-error")
            yield Static("", id="form-error", classes="field-error")
            yield Static(Text("ctrl+s save · escape cancel · tab next field"), classes="form-hint")

    def field_widget(self, spec: FieldSpec, value: Any) -> ComposeResult:
        wid = f"f-{spec.name}"
        if spec.kind == "select":
            yield Select(spec.options, value=value if value is not None else Select.NULL, id=wid,
                         allow_blank=spec.optional or value is None, prompt="choose…", compact=True)
        elif spec.kind == "check":
            yield Checkbox("yes", value=bool(value), id=wid)
        else:
            text = f"{value:%m/%d/%Y}" if isinstance(value, date) else ("" if value is None else str(value))
            yield Input(text, placeholder=spec.placeholder, id=wid, compact=True)

    def refill(self) -> None:
        """Start afresh from `initial()`: every field's value, no errors, the first field focused. For a form
        kept and shown again (composing one costs more than a frame; refilling it does not)."""
        start = self.initial()
        for spec in self.specs:
            widget = self.query_one(f"#f-{spec.name}")
            value = start.get(spec.name)
            if isinstance(widget, Select):
                widget.set_options(spec.options)
                widget.value = value if value is not None else Select.NULL
            elif isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, Input):
                widget.value = f"{value:%m/%d/%Y}" if isinstance(value, date) else ("" if value is None else str(value))
            else:
                widget.reset()  # type: ignore[attr-defined]  (a field widget of the form's own: PatientPicker)
        self.show_errors({})
        self.saving = False
        self.query(self.AUTO_FOCUS).first().focus()

    def collect(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for spec in self.specs:
            widget = self.query_one(f"#f-{spec.name}")
            if isinstance(widget, Select):
                value = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, (Checkbox, Input)):
                value = widget.value
            else:
                value = getattr(widget, "value", None)
            if isinstance(value, str):
                value = value.strip()
                if value == "" and spec.optional:
                    value = None
                elif spec.kind == "date":
                    # Unparseable text is passed on as typed, so the schema reports it next to the field.
                    value = parse_date(value) or value
            values[spec.name] = value
        return values

    def show_errors(self, errors: dict[str, str]) -> None:
        names = {spec.name for spec in self.specs}
        general = [msg for name, msg in errors.items() if name not in names]
        for spec in self.specs:
            self._error_line(f"#e-{spec.name}", errors.get(spec.name, ""))
        self._error_line("#form-error", "; ".join(general))
        first = next((spec.name for spec in self.specs if spec.name in errors), None)
        if first:
            self.query_one(f"#f-{first}").focus()

    def _error_line(self, selector: str, message: str) -> None:
        line = self.query_one(selector, Static)
        line.update(Text(message))
        line.display = bool(message)

    def action_save(self) -> None:
        if self.saving:
            return
        try:
            model = self.build(self.collect())
        except FieldErrors as exc:
            self.show_errors(exc.errors)
            return
        except ValidationError as exc:
            self.show_errors(validation_errors(exc))
            return
        self.show_errors({})
        self.saving = True
        self._write(model)

    @work(thread=True, exclusive=True, group="form-save")
    def _write(self, model: BaseModel) -> None:
        try:
            with write_session(self.app.engine) as session:  # type: ignore[attr-defined]
                self.write(session, model)
        except ServiceError as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        except SQLAlchemyError as exc:
            self.app.call_from_thread(self._refused, database_refusal(exc))
            return
        self.app.call_from_thread(self._saved)

    def _refused(self, message: str) -> None:
        self.saving = False
        self.show_errors({"__form__": message})

    def _saved(self) -> None:
        self.saving = False
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()


def validation_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "__form__"
        errors.setdefault(name, explain(err))
    return errors
