"""The front desk's four lists in one window: reminder calls for the next business day, recalls due, the
waitlist, and today's visits whose insurance is not verified yet; with the 90-day no-show rates below.

`FrontDeskScreen(ctx, initial="reminders")` is pushed by the Schedule tab; it dismisses with True when it saved
anything, so the caller can reload what it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Label, Static, TabbedContent, TabPane

from officemgr.models import RecallStatus, ReminderOutcome, WaitlistStatus
from officemgr.services import frontdesk, schedule
from officemgr.services.common import ServiceError
from officemgr.services.format import days_from_now
from officemgr.services.frontdesk import DeskAppt, NoShowReport, RateRow, RecallRow, ReminderList, WaitlistRow
from officemgr.services.schedule import BookingChoices, Choice
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.appointment import AppointmentForm, Booking, booking_refusal
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

LISTS = ("reminders", "recalls", "waitlist", "unverified")
REMINDER_STYLE = {
    ReminderOutcome.reached: "green",
    ReminderOutcome.left_message: "yellow",
    ReminderOutcome.wrong_number: "bold red",
}


@dataclass(frozen=True)
class DeskData:
    reminders: ReminderList
    recalls: list[RecallRow]
    waitlist: list[WaitlistRow]
    unverified: list[DeskAppt]
    rates: NoShowReport


# ------------------------------------------------------------------------------------------------ tables


class DeskTable(DataTable[Text]):
    """One list; its keys act on the selected row through the screen."""

    LIST = ""
    COLUMNS: tuple[str, ...] = ()
    HINT = ""

    def __init__(self) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, id=f"fd-{self.LIST}")

    def action_mark(self, value: str) -> None:
        screen = self.screen
        if isinstance(screen, FrontDeskScreen):
            screen.mark(self.LIST, value)


class ReminderTable(DeskTable):
    LIST = "reminders"
    # What the caller reads and marks comes first: at 80 columns the provider and type scroll off, not the call.
    COLUMNS = ("Time", "Patient", "Phone", "Reminder call", "Provider", "Type")
    HINT = "r reached · l left message · w wrong number"
    BINDINGS = [
        Binding("r", "mark('reached')", "Reached", id="frontdesk_reached"),
        Binding("l", "mark('left_message')", "Left message", id="frontdesk_left_message"),
        Binding("w", "mark('wrong_number')", "Wrong number", id="frontdesk_wrong_number"),
    ]


class RecallTable(DeskTable):
    LIST = "recalls"
    COLUMNS = ("Due", "When", "Patient", "Phone", "Reason", "Provider", "Type", "Note")
    HINT = "c contacted · b booked · x declined"
    BINDINGS = [
        Binding("c", "mark('contacted')", "Contacted", id="frontdesk_contacted"),
        Binding("b", "mark('booked')", "Booked", id="frontdesk_recall_booked"),
        Binding("x", "mark('declined')", "Declined", id="frontdesk_declined"),
    ]


class WaitlistTable(DeskTable):
    LIST = "waitlist"
    COLUMNS = ("Added", "Patient", "Phone", "Status", "Provider", "Type", "Note")
    HINT = "o offered · b booked · x remove"
    BINDINGS = [
        Binding("o", "mark('offered')", "Offered", id="frontdesk_offered"),
        Binding("b", "mark('booked')", "Booked", id="frontdesk_waitlist_booked"),
        Binding("x", "mark('removed')", "Remove", id="frontdesk_removed"),
    ]


class UnverifiedTable(DeskTable):
    LIST = "unverified"
    COLUMNS = ("Time", "Patient", "Phone", "Provider", "Type", "Status")
    HINT = "v verified (by you, today)"
    BINDINGS = [Binding("v", "mark('verified')", "Verified", id="frontdesk_verified")]


TABLES: dict[str, type[DeskTable]] = {t.LIST: t for t in (ReminderTable, RecallTable, WaitlistTable, UnverifiedTable)}


# ------------------------------------------------------------------------------------------------ screen


class FrontDeskScreen(ListScreen):
    # Its own classes, not the forms' (the app stylesheet sizes `.form` for forms and `.status` to one line).
    DEFAULT_CSS = """
    FrontDeskScreen > .frontdesk {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    FrontDeskScreen TabbedContent {
        height: 1fr;
    }
    FrontDeskScreen .frontdesk-line {
        height: auto;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="frontdesk_close"),
        Binding("1", "show('reminders')", "Reminders", id="frontdesk_show_reminders"),
        Binding("2", "show('recalls')", "Recalls", id="frontdesk_show_recalls"),
        Binding("3", "show('waitlist')", "Waitlist", id="frontdesk_show_waitlist"),
        Binding("4", "show('unverified')", "Unverified", id="frontdesk_show_unverified"),
    ]

    def __init__(self, ctx: AppContext, initial: str = "reminders", *,
                 slot: tuple[int, datetime, datetime] | None = None) -> None:
        """`slot` (provider id, start, end): show only the waitlist entries that fit that freed slot."""
        if initial not in LISTS:
            raise ValueError(f"unknown front-desk list '{initial}' (use one of: {', '.join(LISTS)})")
        super().__init__(ctx)
        self.initial = initial
        self.slot = slot
        self.data: DeskData | None = None
        self.rows: dict[str, dict[int, Any]] = {name: {} for name in LISTS}

    # -- layout

    def compose(self) -> ComposeResult:
        today = self.ctx.today
        day = frontdesk.next_business_day(today)
        titles = {
            "reminders": f"1 Reminders for {day:%a %m/%d}",
            "recalls": "2 Recalls due",
            "waitlist": "3 Waitlist" if self.slot is None else
                        f"3 Waitlist for {self.slot[1]:%a %m/%d %H:%M}–{self.slot[2]:%H:%M}",
            "unverified": "4 Unverified today",
        }
        with Vertical(classes="frontdesk"):
            yield Label(Text(f"Front desk · {today:%A %B %-d, %Y}"), classes="form-title", id="fd-title")
            with TabbedContent(initial=self.initial, id="fd-tabs"):
                for name in LISTS:
                    with TabPane(Content(titles[name]), id=name):
                        yield TABLES[name]()
            yield Static("", id="fd-hint", classes="frontdesk-line")
            yield Static("", id="fd-noshow", classes="frontdesk-line")
        yield Footer()

    def on_mount(self) -> None:
        for name, table_cls in TABLES.items():
            self.table(name).add_columns(*table_cls.COLUMNS)
        self.table(self.initial).focus()
        self.reload()

    def table(self, name: str) -> DeskTable:
        return self.query_one(f"#fd-{name}", DeskTable)

    @property
    def active(self) -> str:
        return self.query_one("#fd-tabs", TabbedContent).active or self.initial

    def action_show(self, name: str) -> None:
        self.query_one("#fd-tabs", TabbedContent).active = name
        self.table(name).focus()
        self._hint()

    @on(TabbedContent.TabActivated, "#fd-tabs")
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        if event.pane is not None and event.pane.id in LISTS:
            self._hint()

    def action_close(self) -> None:
        self.dismiss(self.changed)

    # -- loading

    def fetch(self, session: Session) -> DeskData:
        today = self.ctx.today
        if self.slot is None:
            waiting = frontdesk.waitlist(session, include_offered=True)
        else:
            provider_id, start, end = self.slot
            waiting = frontdesk.waitlist_matches(session, provider_id=provider_id, start=start, end=end)
        return DeskData(
            reminders=frontdesk.reminder_list(session, today),
            recalls=frontdesk.recalls_due(session, today),
            waitlist=waiting,
            unverified=frontdesk.unverified_today(session, today),
            rates=frontdesk.no_show_rates(session, today),
        )

    def show(self, data: DeskData) -> None:
        self.data = data
        # The day as the practice calendar has it (compose knew only weekends and federal holidays).
        self.query_one("#fd-tabs", TabbedContent).get_tab("reminders").label = Content(
            f"1 Reminders for {data.reminders.day:%a %m/%d}")
        self._fill("reminders", data.reminders.rows, self._reminder_cells)
        self._fill("recalls", data.recalls, self._recall_cells)
        self._fill("waitlist", data.waitlist, self._waitlist_cells)
        self._fill("unverified", data.unverified, self._unverified_cells)
        self.query_one("#fd-noshow", Static).update(_rates_text(data.rates))
        self._hint()

    def _fill(self, name: str, rows: list[Any], cells: Callable[[Any], list[Text]]) -> None:
        table = self.table(name)
        keep = table.cursor_row
        table.clear()
        self.rows[name] = {}
        for row in rows:
            self.rows[name][row.id] = row
            table.add_row(*cells(row), key=str(row.id))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))

    def _reminder_cells(self, row: DeskAppt) -> list[Text]:
        if row.reminder is None:
            call = Text("not called yet", style="dim")
        else:
            when = f" {row.reminder_at:%m/%d %H:%M}" if row.reminder_at else ""
            call = Text(row.reminder.label + when, style=REMINDER_STYLE[row.reminder])
        return [Text(f"{row.start:%H:%M}"), plain(row.patient_name), _phone(row.phone), call,
                plain(row.provider_name), plain(row.type_name)]

    def _recall_cells(self, row: RecallRow) -> list[Text]:
        days = (row.due - self.ctx.today).days
        return [Text(f"{row.due:%m/%d/%Y}"), Text(days_from_now(days), style="bold red" if days < 0 else ""),
                plain(row.patient_name), _phone(row.phone), plain(row.reason), plain(row.provider_name or "any"),
                plain(row.type_name or "any"), plain(row.note)]

    def _waitlist_cells(self, row: WaitlistRow) -> list[Text]:
        kind = f"{row.type_name} ({row.minutes} min)" if row.type_name else "any"
        return [Text(f"{row.added_on:%m/%d/%Y}"), plain(row.patient_name), _phone(row.phone),
                Text(row.status.value, style="yellow" if row.status is WaitlistStatus.offered else ""),
                plain(row.provider_name or "any"), plain(kind), plain(row.note)]

    def _unverified_cells(self, row: DeskAppt) -> list[Text]:
        return [Text(f"{row.start:%H:%M}"), plain(row.patient_name), _phone(row.phone), plain(row.provider_name),
                plain(row.type_name), Text(row.status.label)]

    def _hint(self) -> None:
        name = self.active
        data = self.data
        if data is None:
            summary = "loading…"
        elif name == "reminders":
            summary = f"{data.reminders.called} of {len(data.reminders.rows)} called"
        elif name == "recalls":
            summary = f"{len(data.recalls)} due within {frontdesk.RECALL_DUE_WITHIN_DAYS} days, not booked"
        elif name == "waitlist":
            summary = (f"{len(data.waitlist)} waiting or offered, oldest first" if self.slot is None
                       else f"{len(data.waitlist)} fit this slot, oldest first")
        else:
            summary = f"{len(data.unverified)} of today's visits not verified"
        self.query_one("#fd-hint", Static).update(
            Text(f"{summary} · {TABLES[name].HINT} · 1–4 switch list · escape close"))

    # -- writing

    def selected(self, name: str) -> Any:
        key = selected_key(self.table(name))
        return self.rows[name].get(int(key)) if key else None

    def mark(self, name: str, value: str) -> None:
        row = self.selected(name)
        if row is None:
            return
        now, actor, today = self.ctx.now(), self.ctx.actor, self.ctx.today
        # Each change keeps the changed row in the worker: the screen reloads its lists from the database.
        if name == "reminders":
            outcome = ReminderOutcome(value)

            def change(session: Session) -> None:
                frontdesk.mark_reminder(session, row.id, outcome, now=now, actor=actor, expected_version=row.version)

            done = f"{row.patient_name}: {outcome.label}"
        elif name == "recalls":
            status = RecallStatus(value)

            def change(session: Session) -> None:
                frontdesk.set_recall_status(session, row.id, status, now=now, actor=actor,
                                            expected_version=row.version)

            done = f"Recall for {row.patient_name}: {status.value}"
        elif name == "waitlist" and value == WaitlistStatus.booked.value:
            self.book_waitlisted(row)
            return
        elif name == "waitlist":
            entry = WaitlistStatus(value)

            def change(session: Session) -> None:
                frontdesk.set_waitlist_status(session, row.id, entry, now=now, actor=actor,
                                              expected_version=row.version)

            done = f"Waitlist, {row.patient_name}: {entry.value}"
        else:

            def change(session: Session) -> None:
                frontdesk.mark_verified(session, row.id, by=actor, on=today, now=now, actor=actor,
                                        expected_version=row.version)

            done = f"Insurance verified for {row.patient_name}"
        self.run_write(change, done)


    def book_waitlisted(self, row: WaitlistRow) -> None:
        """The booking form for the waitlisted patient, in the freed slot when there is one; the entry is marked
        booked by the save of that booking, not before."""
        ctx, slot = self.ctx, self.slot

        def save(session: Session, booking: Booking) -> None:
            if booking.repeat:
                raise ServiceError("the repeat rule is for bookings made on the Schedule: a waitlist booking is "
                                   "one visit, so leave Repeat empty")
            try:
                frontdesk.book_from_waitlist(session, row.id, booking.appointment, now=ctx.now(), actor=ctx.actor,
                                             expected_version=row.version, confirmed=booking.confirmed)
            except ServiceError as exc:
                raise booking_refusal(exc) from None

        def open_form(choices: BookingChoices) -> None:
            provider_id, start = (slot[0], slot[1]) if slot is not None else (row.provider_id, None)
            form = AppointmentForm(ctx, save, choices, day=start.date() if start else ctx.today,
                                   provider_id=provider_id, start=start, type_id=row.type_id,
                                   patient=Choice(row.patient_id, row.patient_name))
            self.app.push_screen(form, self._after_booking)

        self.read(schedule.booking_choices, open_form, group="open")

    def _after_booking(self, saved: bool | None) -> None:
        if saved:
            self.say("Booked from the waitlist; the entry is marked booked")
            self.saved()


def _phone(phone: str) -> Text:
    return plain(phone) if phone else Text(frontdesk.NO_PHONE, style="bold red")


def _rate(row: RateRow) -> str:
    return f"{row.label} {row.percent_label} ({row.no_shows}/{row.due})"


def _rates_text(report: NoShowReport) -> Text:
    head = f"No-shows {report.first:%m/%d}–{report.last:%m/%d} (no-shows ÷ kept + no-shows; cancellations left out): "
    text = Text(head, style="bold")
    text.append(f"all {report.overall.percent_label} ({report.overall.no_shows}/{report.overall.due})\n")
    text.append("by provider: ", style="bold")
    text.append(" · ".join(_rate(r) for r in report.by_provider) or "none")
    text.append("\nby type: ", style="bold")
    text.append(" · ".join(_rate(r) for r in report.by_type) or "none")
    return text
