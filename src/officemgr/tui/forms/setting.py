"""Change one practice setting: its value typed as text (a number, yes/no, a list with commas, or JSON), read and
checked by the settings catalogue when saved; what is wrong shows under the field and nothing is saved."""

from __future__ import annotations

from typing import Any

from officemgr.services.settings_catalog import SettingRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall

LABEL_WIDTH = 7
DEFAULT_SHOWN = 100  # characters of the default in the title


class SettingForm(RecordForm[str]):
    def __init__(self, ctx: AppContext, save: SaveCall[str], row: SettingRow) -> None:
        self.row = row
        super().__init__(ctx, save)
        # A long default is cut: the title must leave a small terminal room for the field and its message.
        default = row.default if len(row.default) <= DEFAULT_SHOWN else row.default[:DEFAULT_SHOWN - 1] + "…"
        self.FORM_TITLE = f"{row.label}\n{row.meaning}\nType {row.hint}. Default: {default}"

    def fields(self) -> list[FieldSpec]:
        # Optional: an empty list is a value some settings take (no tab in privacy mode); the catalogue decides.
        return [FieldSpec("value", "Value", placeholder=self.row.hint, optional=True)]

    def on_mount(self) -> None:
        # One field: its label short, so a JSON value and its message have the form's width (inline styles: the
        # app's stylesheet sets every form's label column).
        self.query_one(".field-label").styles.width = LABEL_WIDTH
        self.query_one("#e-value").styles.padding = (0, 0, 0, LABEL_WIDTH)

    def initial(self) -> dict[str, Any]:
        return {"value": self.row.value}

    def build(self, values: dict[str, Any]) -> str:
        text = values["value"] or ""
        if len(text) > 4000:
            raise FieldErrors({"value": "this is too long: at most 4,000 characters"})
        return str(text)

    def when_refused(self, message: Refused) -> None:
        # The one field's value is what the catalogue refused (or the whole edit, stale): say so beside it.
        self.saving = False
        self.show_errors({"value": message.message})
