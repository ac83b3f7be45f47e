"""A modal record form: fields with inline errors, ctrl+s saves, escape cancels.

A form holds layout and validation only: `build` turns the fields into its pydantic schema `S` on the UI thread
(validation is pure), and the view that opens the form hands it the save call, a function of a session and the
schema, which runs in a worker. The form closes once the service has committed; `result` then holds what the
save call returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from pydantic import ValidationError
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from officemgr.models.validation import explain, parse_date, unsafe_text
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork, Refused, Saved, Session

S = TypeVar("S")
# The most rows the fields take before they scroll, as in officemgr.tcss; a small terminal gets fewer.
FIELDS_HEIGHT = 36
SaveCall = Callable[[Session, S], object]


@dataclass
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | date | select | check
    options: list[tuple[str, Any]] = field(default_factory=list)
    placeholder: str = ""
    optional: bool = False


@runtime_checkable
class ResettableField(Protocol):
    """A field widget of a form's own (the patient picker): refill() empties it."""

    def reset(self) -> None: ...


class FieldErrors(Exception):
    """Problems found while turning the form's text into values, by field name."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


class FieldsForm(ModalScreen[bool], Generic[S]):
    """Fields with inline errors; ctrl+s turns them into an `S` with `build` and hands it to `submit`. By itself it
    writes nothing: a filter form closes with True and its `result` holds what was chosen."""

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
        self.result: object = None
        self.specs = self.fields()
        self.saving = False

    def fields(self) -> list[FieldSpec]:
        raise NotImplementedError

    def initial(self) -> dict[str, Any]:
        return {}

    def build(self, values: dict[str, Any]) -> S:
        """Turn the collected values into the validated schema (may raise ValidationError/FieldErrors)."""
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
            elif isinstance(widget, ResettableField):
                widget.reset()
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
        self.fit_fields()
        first = next((spec.name for spec in self.specs if spec.name in errors), None)
        if first:
            self.query_one(f"#f-{first}").focus()
            # The message is the line under the field: scroll it into view with the field.
            line = self.query_one(f"#e-{first}")
            self.call_after_refresh(self.query_one(".form-fields", VerticalScroll).scroll_to_widget, line)

    def on_mount(self) -> None:
        self.fit_fields()

    def on_resize(self) -> None:
        self.fit_fields()

    def fit_fields(self) -> None:
        """On a small terminal (80x24) the fields scroll inside the form, so the form's own message under them
        (a conflict's question) and the key hint stay on the screen."""
        error = self.query_one("#form-error", Static)
        form_width = self.query_one(".form").size.width or min(self.app.size.width, 80)
        width = max(20, form_width - 4)
        lines = -(-len(str(error.render())) // width) if error.display else 0
        # The border (2), the title and its margin (2), the hint and its margin (2), and the message's lines take
        # the rest of 90%.
        room = int(self.app.size.height * 0.9) - 6 - lines
        self.query_one(".form-fields", VerticalScroll).styles.max_height = max(3, min(FIELDS_HEIGHT, room))

    def _error_line(self, selector: str, message: str) -> None:
        line = self.query_one(selector, Static)
        line.update(Text(message))
        line.display = bool(message)

    def action_save(self) -> None:
        if self.saving:
            return
        try:
            model = self.build(checked(self.collect()))
        except FieldErrors as exc:
            self.show_errors(exc.errors)
            return
        except ValidationError as exc:
            self.show_errors(validation_errors(exc))
            return
        self.show_errors({})
        self.submit(model)

    def submit(self, model: S) -> None:
        self.result = model
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    @on(Input.Submitted)
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()


class RecordForm(DatabaseWork, FieldsForm[S]):
    """A form that saves: the view that opens it hands it the save call, a function of a session and the `S` that
    `build` made, run in one write transaction in a worker. The form closes once it committed; `result` then
    holds what the save call returned. A refusal shows in the form, under its fields."""

    def __init__(self, ctx: AppContext, save: SaveCall[S]) -> None:
        self.ctx = ctx
        self.save = save
        super().__init__()

    def submit(self, model: S) -> None:
        self.saving = True
        save = self.save
        self.run_write(lambda session: save(session, model), group="form-save")

    def when_saved(self, message: Saved[Any]) -> None:
        self.saving = False
        self.result = message.result
        self.dismiss(True)

    def when_refused(self, message: Refused) -> None:
        self.saving = False
        self.show_errors({"__form__": message.message})


def checked(values: dict[str, Any]) -> dict[str, Any]:
    """The collected values, or FieldErrors for each text field holding a control character or a text-direction
    override (a paste can carry an ESC): refused in every form, whichever schema or service it goes on to."""
    errors = {name: refusal for name, value in values.items()
              if isinstance(value, str) and (refusal := unsafe_text(value)) is not None}
    if errors:
        raise FieldErrors(errors)
    return values


def validation_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for err in exc.errors():
        name = str(err["loc"][0]) if err["loc"] else "__form__"
        errors.setdefault(name, explain(err))
    return errors
