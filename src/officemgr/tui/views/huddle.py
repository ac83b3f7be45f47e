"""Huddle tab: the numbers that matter on one line, then every section of the morning stand-up in the order the
meeting goes, each item with the one-line reason it is there. `r` runs the meeting item by item (review mode),
`A` the open actions, `h` past huddles, `p` writes the printable sheet, `enter` opens the item in its tab.
Privacy mode (setting "privacy_tabs"): patients show as initials and age; `v` shows one row's name for a moment."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import DataTable, Label, Static

from officemgr.outfiles import OutputRefused
from officemgr.plaintext import visible
from officemgr.services import audit, huddle_actions, huddle_sheet, settings
from officemgr.services.access import Area, may
from officemgr.services.format import money, plural
from officemgr.services.huddle import Huddle, HuddleItem, Numbers, huddle
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.messages import OpenRecord
from officemgr.tui.views.huddle_actions import ActionsScreen, PastHuddlesScreen
from officemgr.tui.views.huddle_review import SCREEN_NAME, ReviewScreen
from officemgr.tui.widgets.base import TabView, plain, selected_key
from officemgr.tui.widgets.fast_table import FastTable


def numbers_text(n: Numbers) -> str:
    ar = [] if n.ar_over_90_cents is None else [f"A/R over 90 days {money(n.ar_over_90_cents)}"]
    return " · ".join([
        plural(n.appointments, "appointment"), plural(n.open_slots, "open slot"), f"{n.staff_out} staff out",
        *ar, plural(n.overdue_duties, "overdue duty", "overdue duties"),
    ])


@dataclass(frozen=True)
class Sheet:
    """The sheet's two files once written (or why they could not be), and how many items it holds."""

    markdown: Path
    html: Path
    items: int = 0
    error: str = ""

ITEM_WIDTH = 62
MIN_ITEM_WIDTH = 34  # "08:15 M.F. 27 Acute (Ralph Morgan)"
WHY_ROOM = 44  # what the "Why" column, the cursor mark and the scroll bar need


class HuddleView(TabView):
    BINDINGS = [
        *TabView.BINDINGS,
        Binding("enter", "open", "Open in its tab", id="huddle_open"),
        Binding("r", "review", "Review mode", id="huddle_review"),
        Binding("A", "actions", "Actions", id="huddle_actions"),
        Binding("h", "past", "Past huddles", id="huddle_past"),
        Binding("p", "sheet", "Print sheet", id="huddle_sheet"),
        Binding("v", "reveal", "Show name", id="huddle_reveal"),
        Binding("ctrl+r", "refresh", "Refresh", show=False, id="huddle_refresh"),
    ]
    REVEAL_SECONDS = 10.0  # how long `v` shows a patient's full name

    def compose(self) -> ComposeResult:
        yield Label("", classes="view-title", id="huddle-title")
        yield Static("", id="huddle-numbers")
        yield FastTable(cursor_type="row", id="huddle-table")
        yield from self.compose_filter()

    def on_mount(self) -> None:
        self.items: dict[str, HuddleItem] = {}
        self.data: Huddle | None = None
        self.review: ReviewScreen | None = None
        self.revealed: str | None = None
        self.reveal_timer: Timer | None = None
        # A fixed item width keeps the reasons in view: 62 columns from a 120-column terminal up, less on a smaller one
        # (80 columns leave the "Why" 36); long items are cut, enter opens them.
        table = self.query_one(DataTable)
        width = max(MIN_ITEM_WIDTH, min(ITEM_WIDTH, self.app.size.width - WHY_ROOM))
        self.item_column = table.add_column("Item", width=width)
        table.add_column("Why it is here")
        super().on_mount()

    def fetch(self, session: Session) -> Huddle:
        privacy = "huddle" in settings.get(session, "privacy_tabs")
        return huddle(session, self.ctx.today, actor=self.ctx.actor, privacy=privacy)

    def show(self, data: Huddle) -> None:
        self.data = data
        self.conceal()
        table = self.query_one(DataTable)
        keep = selected_key(table)
        table.clear()
        self.items = {}
        self.query_one("#huddle-title", Label).update(
            Text(f"Huddle for {data.today:%A %B %-d}: {plural(data.total, 'item')} to decide")
        )
        self.query_one("#huddle-numbers", Static).update(Text(numbers_text(data.numbers), style="bold"))
        for section in data.sections:
            items = [i for i in section.items if self.matches(i.text, i.reason)]
            table.add_row(Text(f"{section.title} ({len(items)})", style="bold"), "", key=section.key)
            self.items[section.key] = HuddleItem(section.title, "", section.tab)
            if not items:
                table.add_row(Text(f"  {section.empty}", style="dim"), "", key=f"{section.key}:empty")
                self.items[f"{section.key}:empty"] = HuddleItem("", "", section.tab)
            for n, item in enumerate(items):
                key = f"{section.key}:{n}"
                table.add_row(item_cell(item, item.text), plain(item.reason, "bold red" if item.urgent else ""),
                              key=key)
                self.items[key] = item
        if keep in self.items:
            table.move_cursor(row=table.get_row_index(keep))
        self.set_status("r review mode · A actions · h past huddles · p print the sheet · enter opens the item · "
                        "/ filters")

    def action_refresh(self) -> None:
        self.reload()

    # -- privacy: one row's name for a few seconds

    def action_reveal(self) -> None:
        key = selected_key(self.query_one(DataTable))
        item = self.items.get(key) if key is not None else None
        if key is None or item is None or not item.full_text:
            self.say("This row names no patient by initials; nothing to show.", "warning")
            return
        self.conceal()
        self.query_one(DataTable).update_cell(key, self.item_column, item_cell(item, item.full_text))
        self.revealed = key
        self.reveal_timer = self.set_timer(self.REVEAL_SECONDS, self.conceal)

    def conceal(self) -> None:
        """Back to initials (the reveal timed out, the cursor moved, the data reloaded or the screen locked)."""
        if self.reveal_timer is not None:
            self.reveal_timer.stop()
            self.reveal_timer = None
        key, self.revealed = self.revealed, None
        item = self.items.get(key) if key is not None else None
        if key is not None and item is not None:
            self.query_one(DataTable).update_cell(key, self.item_column, item_cell(item, item.text))

    @on(DataTable.RowHighlighted)
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        if self.revealed is not None and event.row_key.value != self.revealed:
            self.conceal()

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._open(event.row_key.value)

    def action_open(self) -> None:
        self._open(selected_key(self.query_one(DataTable)))

    def _open(self, key: str | None) -> None:
        item = self.items.get(key or "")
        if item is not None and item.key.startswith("evaluation:staff:") and item.record_id is not None \
                and may(self.ctx.actor, Area.staff):
            # An evaluation due opens its form (the manager's), not just the Staff tab.
            from officemgr.tui.views.evaluation import EvaluationScreen

            self.app.push_screen(EvaluationScreen(self.ctx, item.record_id, "", open_form=True),
                                 lambda _: self.reload())
        elif item is not None and item.key.startswith("bills:"):
            self._open_bills(item.key)
        elif item is not None:
            self.post_message(OpenRecord(item.tab, item.record_id))

    def _open_bills(self, key: str) -> None:
        """A bills line opens the bills it counts (there is no tab for the practice's money)."""
        from officemgr.services.bills import BillFilter
        from officemgr.tui.views.bills import BillsScreen
        from officemgr.tui.views.recurring_bills import RecurringBillsScreen

        screen = RecurringBillsScreen(self.ctx) if key == "bills:recurring" else BillsScreen(
            self.ctx, BillFilter.overdue if key == "bills:overdue" else BillFilter.due_soon)
        self.app.push_screen(screen, lambda changed: self.reload() if changed else None)

    # -- the meeting

    def action_review(self) -> None:
        if self.app.is_screen_installed(SCREEN_NAME):
            # A review left for a record in another tab: carry on where it was.
            self.app.push_screen(SCREEN_NAME)
            return
        if self.data is None:
            self.say("The huddle is still loading; try again in a moment.", "warning")
            return
        self.app.push_screen(ReviewScreen(self.ctx, self.data, closed=self.reload))

    def action_actions(self) -> None:
        self.app.push_screen(ActionsScreen(self.ctx), lambda changed: self.reload() if changed else None)

    def action_past(self) -> None:
        self.app.push_screen(PastHuddlesScreen(self.ctx))

    def action_sheet(self) -> None:
        folder, today, actor = sheet_folder(self.ctx), self.ctx.today, self.ctx.actor

        def write_files(session: Session) -> Sheet:
            """Read the day and write both files, in the worker (the disk too is kept off the UI thread); a sheet
            printed earlier today is kept and this one gets the next free name."""
            h = huddle_sheet.for_paper(huddle(session, today, actor=actor, privacy=True))
            actions = huddle_actions.open_actions(session, today)
            try:
                markdown, page = huddle_sheet.save_sheet(folder, today, huddle_sheet.markdown(h, actions),
                                                         huddle_sheet.html(h, actions))
            except OutputRefused as exc:
                return Sheet(folder, folder, error=visible(f"Could not write the sheet: {exc}"))
            return Sheet(markdown, page, h.total)

        self.read(write_files, self._sheet_written, group="huddle-sheet")

    def _sheet_written(self, sheet: Sheet) -> None:
        if sheet.error:
            self.say(sheet.error, "error")
            return
        ctx = self.ctx
        self.run_write(lambda session: audit.record_export(
            session, what="huddle", actor=ctx.actor, now=ctx.now(),
            details={"file": f"{sheet.html} and {sheet.markdown}", "rows": sheet.items, "names": False}),
            visible(f"Huddle sheet written: {sheet.html} (and {sheet.markdown.name}); patient names are masked"),
            then=_nothing, group="huddle-sheet-log")


def item_cell(item: HuddleItem, text: str) -> Text:
    return plain(("! " if item.urgent else "  ") + text, "bold red" if item.urgent else "")


def _nothing(_: object) -> None:
    """After the sheet's export is logged: the tab shows nothing of it, so it does not reload."""


def sheet_folder(ctx: AppContext) -> Path:
    """Beside the database file when there is one, else (a server's database) in officemgr's own data folder on
    this computer, where the default database would be: never wherever the app happened to be started."""
    from officemgr.dbfile import default_path
    from officemgr.tui.dbwork import database_file

    database = database_file(ctx)
    return database.resolve().parent if database is not None else default_path().parent
