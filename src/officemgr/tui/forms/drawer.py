"""Closing the day's drawer: the cash and checks counted, the difference from what was recorded shown as it is
typed, and a note required when they do not agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.containers import Vertical
from textual.widgets import Input, Static

from officemgr.models.validation import parse_money
from officemgr.services.deposit_slip import over_short
from officemgr.services.format import money
from officemgr.services.ledger import MAX_PAYMENT_CENTS
from officemgr.tui.context import AppContext
from officemgr.tui.forms.base import FieldErrors, FieldSpec, RecordForm, SaveCall
from officemgr.tui.forms.desk_money import AMOUNT_ERROR

MAX_COUNT_CENTS = MAX_PAYMENT_CENTS  # a day's cash or checks at the desk, like one payment, stays under it


@dataclass(frozen=True)
class Count:
    cash_cents: int
    checks_cents: int
    note: str


def counted(text: str) -> int | None | str:
    """Cents counted, None when nothing is typed yet, or what is wrong with the text."""
    text = text.strip()
    if not text:
        return None
    if text.startswith("-"):
        return "a count cannot be negative"
    cents = parse_money(text)
    if cents is None:
        return AMOUNT_ERROR
    return f"at most {money(MAX_COUNT_CENTS)}: more is a typing slip" if cents > MAX_COUNT_CENTS else cents


class DrawerForm(RecordForm[Count]):
    def __init__(self, ctx: AppContext, save: SaveCall[Count], *, day: date, cash_cents: int, checks_cents: int,
                 checks: int) -> None:
        self.recorded = {"cash": cash_cents, "checks": checks_cents}
        self.FORM_TITLE = f"Close the drawer for {day:%a %m/%d/%Y}"
        self.check_count = checks
        super().__init__(ctx, save)

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("cash", "Cash counted ($)", placeholder="what is in the drawer, e.g. 120.00"),
                FieldSpec("checks", "Checks ($)", placeholder=f"the {self.check_count} check(s) added up"),
                FieldSpec("note", "Note", optional=True, placeholder="required when the count is over or short")]

    def on_mount(self) -> None:
        self.query_one(".form", Vertical).mount(Static("", id="drawer-difference"), before="#form-error")
        self._show_difference()

    @on(Input.Changed)
    def _typed(self) -> None:
        if self.query("#drawer-difference"):  # not before on_mount added the line
            self._show_difference()

    def differences(self) -> dict[str, int | None | str]:
        """Counted less recorded for cash and checks (None: not typed; a str: not an amount)."""
        found: dict[str, int | None | str] = {}
        for name in ("cash", "checks"):
            value = counted(self.query_one(f"#f-{name}", Input).value)
            found[name] = value - self.recorded[name] if isinstance(value, int) else value
        return found

    def _show_difference(self) -> None:
        line = Text(f"Recorded: cash {money(self.recorded['cash'])}, checks {money(self.recorded['checks'])} "
                    f"({self.check_count})\nCounted: ")
        diffs = {name: diff for name, diff in self.differences().items() if isinstance(diff, int)}
        line.append("; ".join(f"{name} {over_short(diff)}" for name, diff in diffs.items())
                    or "type what you counted", style="bold" if any(diffs.values()) else "")
        self.query_one("#drawer-difference", Static).update(line)

    def build(self, values: dict[str, Any]) -> Count:
        errors: dict[str, str] = {}
        cents: dict[str, int] = {}
        for name in ("cash", "checks"):
            value = counted(str(values.get(name) or ""))
            if value is None:
                errors[name] = "type what you counted (0 if none)"
            elif isinstance(value, str):
                errors[name] = value
            else:
                cents[name] = value
        note = str(values.get("note") or "").strip()
        if not errors and not note and any(cents[n] != self.recorded[n] for n in cents):
            errors["note"] = "the count is over or short: say why (e.g. change given wrong)"
        if errors:
            raise FieldErrors(errors)
        return Count(cents["cash"], cents["checks"], note)
