"""The monthly stock count: walk the count sheet one lot at a time, type what is on the shelf, enter saves it.

`CountScreen(ctx)` is pushed by the Inventory tab. The sheet (services.movements.count_sheet) is read once, in
walking order; each enter saves that one line (an adjustment movement) in a worker and moves on, so leaving
halfway keeps what was counted. It dismisses with True when it saved anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, Label, Static

from officemgr.services import movements
from officemgr.services.common import StaleEdit
from officemgr.services.format import plural
from officemgr.services.movements import CountLine, LotStock
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Refused, Session
from officemgr.tui.widgets.base import ListScreen, plain

MOST = 100_000  # a count above this is a typo (receiving refuses more than this at once, too)
WHOLE = re.compile(r"\d+")


@dataclass
class Counted:
    was: int  # what the database held before this line's first count
    counted: int
    version: int  # the lot's version after the save, so a second count of the line can be checked too

    @property
    def difference(self) -> int:
        return self.counted - self.was


@dataclass(frozen=True)
class LineSaved:
    """What saving one line's count did: the adjustment, or None when the lot's stock moved since it was read
    (nothing saved); and the lot as it is now (None: gone)."""

    difference: int | None
    lot: LotStock | None


class CountInput(Input):
    """The counted-quantity box; `=` is left to the screen (fill in the expected number), never typed."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != "=" and super().check_consume_key(key, character)


def parse_count(text: str) -> int | str:
    """The counted quantity, or why the text is not one."""
    text = text.strip().replace(",", "")
    if not WHOLE.fullmatch(text):
        return "a count is a whole number, 0 or more (e.g. 12); nothing was saved"
    if int(text) > MOST:
        return f"more than {MOST:,}? check the count; nothing was saved"
    return int(text)


def line_text(line: CountLine, number: int, total: int) -> Text:
    text = Text()
    text.append(f"Line {number} of {total}\n", style="dim")
    text.append("Location: ", style="bold")
    text.append(line.location or "(no location)")
    text.append(" · ")
    text.append(line.category)
    text.append("\nItem: ", style="bold")
    text.append(f"{line.item_name} ({line.unit})")
    if line.lot_number:
        text.append("\nLot: ", style="bold")
        text.append(line.lot_number)
        text.append(f" · expires {line.expires:%m/%d/%Y}" if line.expires else " · no expiry")
    text.append("\nExpected: ", style="bold")
    text.append(f"{line.expected} {line.unit}")
    return text


class CountScreen(ListScreen):
    DEFAULT_CSS = """
    CountScreen > .count {
        width: 95%;
        max-width: 120;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    CountScreen .count-line {
        height: auto;
    }
    CountScreen #count-entry {
        height: auto;
        margin-top: 1;
    }
    CountScreen #count-entry Label {
        width: 18;
    }
    CountScreen #count-input {
        width: 20;
    }
    CountScreen #count-error {
        color: $error;
        padding-left: 18;
    }
    CountScreen #count-diffs {
        height: 1fr;
    }
    CountScreen #count-hint {
        color: $text-muted;
    }
    """
    # Priority: the counted-quantity box has the focus throughout, and these must reach the screen first.
    BINDINGS = [
        Binding("escape", "close", "Close", id="count_close"),
        Binding("=", "fill_expected", "Fill expected", priority=True, id="count_fill"),
        Binding("ctrl+n,down", "skip", "Skip line", priority=True, id="count_skip"),
        Binding("up", "back", "Previous line", priority=True, id="count_back"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.lines: list[CountLine] | None = None
        self.index = 0
        self.counted: dict[int, Counted] = {}  # by line index
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="count"):
            yield Label(Text("Stock count"), classes="form-title")
            yield Static(Text("loading the count sheet…"), id="count-progress", classes="count-line")
            yield Static("", id="count-current", classes="count-line")
            with Horizontal(id="count-entry"):
                yield Label(Text("Counted on shelf:"))
                yield CountInput(placeholder="e.g. 12", id="count-input", compact=True)
            yield Static("", id="count-error", classes="count-line")
            yield Label(Text("Differences"), classes="subtitle")
            yield DataTable(id="count-diffs", cursor_type="row", zebra_stripes=True)
            yield Static(Text("enter saves the line and moves on · = fills in the expected number · "
                              "ctrl+n or down skips · up goes back · escape leaves (saved lines stay saved)"),
                         id="count-hint", classes="count-line")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#count-diffs", DataTable).add_columns("Item", "Lot", "Expected", "Counted", "Difference")
        self.query_one("#count-input", Input).focus()
        self.reload()

    def fetch(self, session: Session) -> list[CountLine]:
        return movements.count_sheet(session)

    def show(self, lines: list[CountLine]) -> None:
        self.lines = lines
        self.show_line()

    # -- showing

    @property
    def line(self) -> CountLine | None:
        """The line being counted; None before the sheet is loaded and past its end."""
        if self.lines is None or self.index >= len(self.lines):
            return None
        return self.lines[self.index]

    def show_line(self) -> None:
        lines = self.lines or []
        line = self.line
        box = self.query_one("#count-input", Input)
        box.display = line is not None
        self.error("")
        if line is None:
            self.query_one("#count-current", Static).update(self._end_text(lines))
        else:
            self.query_one("#count-current", Static).update(line_text(line, self.index + 1, len(lines)))
            done = self.counted.get(self.index)
            box.value = "" if done is None else str(done.counted)
            box.focus()
        differences = [n for n in sorted(self.counted) if self.counted[n].difference]
        self.query_one("#count-progress", Static).update(
            Text(f"{len(self.counted)} of {len(lines)} counted · {plural(len(differences), 'difference')}"))
        table = self.query_one("#count-diffs", DataTable)
        table.clear()
        for n in differences:
            item, done = lines[n], self.counted[n]
            table.add_row(plain(item.item_name), plain(item.lot_number or "—"), Text(str(done.was)),
                          Text(str(done.counted)),
                          Text(f"{done.difference:+d}", style="bold red" if done.difference < 0 else "yellow"),
                          key=str(n))

    def _end_text(self, lines: list[CountLine]) -> Text:
        if not lines:
            return Text("Nothing to count: there are no active items. escape closes.")
        skipped = len(lines) - len(self.counted)
        text = Text("End of the count sheet. ", style="bold")
        text.append(f"{plural(len(self.counted), 'line')} counted")
        if skipped:
            text.append(f", {plural(skipped, 'line')} skipped", style="yellow")
        text.append(". The differences are below (the stock now matches the counts). up goes back · escape closes.")
        return text

    def error(self, message: str) -> None:
        line = self.query_one("#count-error", Static)
        line.update(Text(message))
        line.display = bool(message)

    # -- keys

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_fill_expected(self) -> None:
        line = self.line
        if line is not None:
            self.query_one("#count-input", Input).value = str(line.expected)

    def action_skip(self) -> None:
        if self.line is not None and not self.saving:
            self.index += 1
            self.show_line()

    def action_back(self) -> None:
        if self.index > 0 and not self.saving:
            self.index -= 1
            self.show_line()

    @on(Input.Submitted, "#count-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = self.line
        if line is None or self.saving:
            return
        value = parse_count(event.value)
        if isinstance(value, str):
            self.error(value)
            return
        done = self.counted.get(self.index)
        if done is not None and done.counted == value:
            self.index += 1  # the same number again: nothing to save
            self.show_line()
            return
        self.saving = True
        index, version, ctx = self.index, line.lot_version if done is None else done.version, self.ctx

        def save(session: Session) -> LineSaved:
            try:
                difference: int | None = movements.count(session, line.lot_id, value, expected_version=version,
                                                         now=ctx.now(), actor=ctx.actor)
            except StaleEdit:
                difference = None  # stock moved (used, received) since the sheet was read
            lot = next((lot for lot in movements.lots(session, line.item_id, with_empty=True)
                        if lot.lot_id == line.lot_id), None)
            return LineSaved(difference, lot)

        self.run_write(save, then=lambda outcome: self._line_saved(index, value, version, outcome),
                       group="count-save")

    # -- saving one line

    def _line_saved(self, index: int, counted: int, version: int, outcome: LineSaved) -> None:
        if outcome.difference is None:
            self._moved(index, outcome.lot)
        else:
            self._counted(index, counted, outcome.difference, outcome.lot.version if outcome.lot else version + 1)

    def when_refused(self, message: Refused) -> None:
        if not message.write:
            super().when_refused(message)  # the sheet could not be read: the notification says so
            return
        # A line's count that was refused says why under the box, not as a notification; the sheet stays as it is.
        self.saving = False
        self.error(message.message)

    def _moved(self, index: int, lot: LotStock | None) -> None:
        self.saving = False
        if lot is None or self.lines is None:
            self.error("that lot no longer exists; ctrl+n skips it")
            return
        self.lines[index] = replace(self.lines[index], lot_version=lot.version, expected=lot.quantity)
        done = self.counted.get(index)
        if done is not None:
            self.counted[index] = Counted(done.was, done.counted, lot.version)
        if self.is_mounted and index == self.index:
            self.show_line()
            self.error(f"stock of this lot changed while counting (now {lot.quantity} expected): "
                       "check the shelf again and enter the count; nothing was saved")

    def _counted(self, index: int, counted: int, difference: int, version: int) -> None:
        self.saving = False
        self.changed = True
        before = self.counted.get(index)
        self.counted[index] = Counted(before.was if before else counted - difference, counted, version)
        if self.is_mounted:
            self.index = index + 1
            self.show_line()
