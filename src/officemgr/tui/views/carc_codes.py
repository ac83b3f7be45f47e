"""CARC codes (claim adjustment reason codes) and what each means to the practice: `e` edits a meaning, `a` adds
a code. The common ones ship with the app; the meanings show wherever a denial does.

`CarcScreen(ctx)` is pushed by the Billing tab (key c); it dismisses with True when it saved anything.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import denials
from officemgr.services.common import ServiceError
from officemgr.services.denials import CodeRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall
from officemgr.tui.widgets.base import ListScreen, plain, select_key, selected_key


class CarcMeaning(BaseModel):
    code: str = Field(min_length=1, max_length=5, pattern=r"^[A-Z0-9]+$")
    meaning: str = Field(min_length=1, max_length=300)

    @field_validator("code", "meaning", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value


class CarcForm(RecordForm[CarcMeaning]):
    """Add a code (`row` None) or edit the meaning of `row`."""

    def __init__(self, ctx: AppContext, save: SaveCall[CarcMeaning], row: CodeRow | None, *, known: set[str]) -> None:
        self.row = row
        self.known = known
        self.FORM_TITLE = f"CARC {row.code}: what it means" if row else "Add a CARC code"
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        meaning = FieldSpec("meaning", "Meaning", placeholder="e.g. Not medically necessary")
        if self.row is not None:
            return [meaning]
        return [FieldSpec("code", "Code", placeholder="e.g. 96, 252 or B7"), meaning]

    def initial(self) -> dict[str, Any]:
        return {"meaning": self.row.meaning} if self.row else {}

    def build(self, values: dict[str, Any]) -> CarcMeaning:
        code = self.row.code if self.row else (values["code"] or "").strip().upper()
        if self.row is None:
            if not code:
                raise FieldErrors({"code": "the code as the remittance gives it, e.g. 96"})
            try:
                code = denials.clean_code(code)  # '0197' and 'CO-197' are 197
            except ServiceError as exc:
                raise FieldErrors({"code": str(exc)}) from None
            if code in self.known:
                raise FieldErrors({"code": f"{code} is already in the list: select it and press e to edit it"})
        if not values["meaning"]:
            raise FieldErrors({"meaning": "say what the code means"})
        return CarcMeaning(code=code, meaning=values["meaning"])


class CarcScreen(ListScreen):
    DEFAULT_CSS = """
    CarcScreen > .carc {
        width: 110;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    CarcScreen #carc-table {
        height: 1fr;
    }
    CarcScreen #carc-hint {
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="carc_close"),
        Binding("e", "edit", "Edit meaning", id="carc_edit"),
        Binding("a", "add", "Add code", id="carc_add"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, CodeRow] = {}
        self.focus_code: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="carc"):
            yield Label(Text("CARC codes: claim adjustment reasons and what they mean"), classes="form-title",
                        id="carc-title")
            yield DataTable(id="carc-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("e or enter edit the meaning · a add a code · escape close"), id="carc-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#carc-table", DataTable)
        table.add_columns("Code", "Meaning")
        table.focus()
        self.reload()

    def fetch(self, session: Session) -> list[CodeRow]:
        return denials.codes(session)

    def show(self, rows: list[CodeRow]) -> None:
        table = self.query_one("#carc-table", DataTable)
        keep = self.focus_code or selected_key(table)
        self.focus_code = None
        table.clear()
        self.rows = {row.code: row for row in rows}
        for row in rows:
            table.add_row(plain(row.code), plain(row.meaning), key=row.code)
        select_key(table, keep)
        self.query_one("#carc-title", Label).update(
            Text(f"CARC codes: claim adjustment reasons and what they mean ({len(rows)} codes)"))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_edit(self) -> None:
        key = selected_key(self.query_one("#carc-table", DataTable))
        if key is None or key not in self.rows:
            self.say("No code selected: a adds one.", "warning")
            return
        self._open_form(self.rows[key])

    def action_add(self) -> None:
        self._open_form(None)

    def _open_form(self, row: CodeRow | None) -> None:
        def save(session: Session, carc: CarcMeaning) -> CodeRow:
            return denials.set_meaning(session, carc.code, carc.meaning, now=self.ctx.now(), actor=self.ctx.actor,
                                       expected_version=row.version if row else None)

        form = CarcForm(self.ctx, save, row, known=set(self.rows))
        self.app.push_screen(form, lambda saved: self._after_form(form, saved))

    def _after_form(self, form: CarcForm, saved: bool | None) -> None:
        if saved and isinstance(form.result, CodeRow):
            self.focus_code = form.result.code
            self.say(f"CARC {form.result.code} saved")
            self.saved()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()
