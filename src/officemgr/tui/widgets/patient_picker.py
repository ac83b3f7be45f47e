"""Find a patient as you type (name, date of birth or phone) and pick one from the matches."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from officemgr.services.schedule import Choice, search_patients
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import DatabaseWork


class PatientPicker(DatabaseWork, Vertical):
    DEFAULT_CSS = """
    PatientPicker { height: auto; width: 1fr; }
    PatientPicker OptionList { height: auto; max-height: 7; display: none; }
    PatientPicker .chosen { color: $success; height: auto; }
    """

    def __init__(self, ctx: AppContext, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.ctx = ctx
        self.value: int | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="name, date of birth (MM/DD/YYYY) or phone", compact=True)
        yield OptionList()
        yield Static("", classes="chosen")

    def reset(self) -> None:
        """No patient chosen and nothing typed (the booking form starting afresh)."""
        self.query_one(Input).value = ""
        self.value = None
        self.query_one(OptionList).display = False
        self.query_one(".chosen", Static).update("")

    def choose(self, choice: Choice) -> None:
        """Start with `choice` chosen (a patient from the waitlist); typing searches afresh."""
        self.value = choice.id
        self.query_one(".chosen", Static).update(Text(f"✓ {choice.label}"))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.value = None
        self.query_one(".chosen", Static).update("")
        text = event.value
        self.read(lambda session: search_patients(session, text, limit=8), self._show, group="patient-search")

    def _show(self, found: list[Choice]) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Text(choice.label), id=str(choice.id)) for choice in found])
        options.display = bool(found)
        if found:
            options.highlighted = 0

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.display and options.highlighted is not None:
            event.stop()
            self._choose(options.get_option_at_index(options.highlighted))

    def on_key(self, event: events.Key) -> None:
        options = self.query_one(OptionList)
        if event.key == "down" and self.query_one(Input).has_focus and options.display:
            event.stop()
            options.focus()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option)

    def _choose(self, option: Option) -> None:
        self.value = int(option.id or 0) or None
        self.query_one(OptionList).display = False
        self.query_one(".chosen", Static).update(Text(f"✓ {option.prompt}"))
        self.screen.focus_next()
