"""Find a patient as you type (name, date of birth or phone) and pick one from the matches."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from officemgr.services.schedule import search_patients
from officemgr.store import read_session


class PatientPicker(Vertical):
    DEFAULT_CSS = """
    PatientPicker { height: auto; width: 1fr; }
    PatientPicker OptionList { height: auto; max-height: 7; display: none; }
    PatientPicker .chosen { color: $success; height: auto; }
    """

    def __init__(self, *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
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

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self.value = None
        self.query_one(".chosen", Static).update("")
        self._search(event.value)

    @work(thread=True, exclusive=True, group="patient-search")
    def _search(self, text: str) -> None:
        with read_session(self.app.engine) as session:  # type: ignore[attr-defined]
            found = search_patients(session, text, limit=8)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, found)

    def _show(self, found: list) -> None:  # type: ignore[type-arg]
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

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
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
