"""The Schedule tab's one-key writes (status, undo), its look-ups, and the save calls of its booking and move forms.

A mixin of ScheduleView (a TabView); the save calls are shared with the slot finder, which books as well.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from officemgr.models import ApptStatus
from officemgr.services import frontdesk, insurance, schedule
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.schedule import ApptRow, BookingChoices
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.appointment import Booking, booking_refusal
from officemgr.tui.forms.move import MOVE_ANYWAY, MOVE_STALE, MoveDestination
from officemgr.tui.views.frontdesk import FrontDeskScreen
from officemgr.tui.widgets.base import TabView

if TYPE_CHECKING:
    _Base = TabView
else:
    # A plain class at run time: ScheduleView puts TabView after it.
    _Base = object

# Refusals of a move that saving again would not override either.
NOT_MOVE_CONFLICTS = ("only a booked", "that appointment no longer exists")


def book(ctx: AppContext) -> Callable[[Session, Booking], str | None]:
    """The booking form's save call: a conflict is explained once; the same booking saved again is booked anyway
    (marked double). Returns what the desk should know about the patient's insurance for that day, if anything."""

    def save(session: Session, booking: Booking) -> str | None:
        try:
            if booking.repeat:
                schedule.book_series(session, booking.appointment, booking.repeat, now=ctx.now(), actor=ctx.actor,
                                     confirmed=booking.confirmed)
            else:
                schedule.book(session, booking.appointment, now=ctx.now(), actor=ctx.actor,
                              confirmed=booking.confirmed)
        except ServiceError as exc:
            raise booking_refusal(exc) from None
        visit = booking.appointment
        return insurance.warning(session, visit.patient_id, visit.start.date())

    return save


def move(ctx: AppContext, row: ApptRow) -> Callable[[Session, MoveDestination], None]:
    """The move form's save call: a refused move is explained once; the same move saved again is made anyway."""

    def save(session: Session, target: MoveDestination) -> None:
        try:
            schedule.move(session, row.id, start=target.start, provider_id=target.provider_id, now=ctx.now(),
                          actor=ctx.actor, expected_version=target.version, confirmed=target.confirmed)
        except StaleEdit:
            # Saving again cannot override someone else's change: only a reload can.
            raise ServiceError(MOVE_STALE) from None
        except ServiceError as exc:
            if str(exc).startswith(NOT_MOVE_CONFLICTS):
                raise
            raise ServiceError(f"{exc}. {MOVE_ANYWAY}") from None

    return save


class ScheduleWrites(_Base):
    """Mixed into ScheduleView (before TabView), whose go_to(), name_of() and reload_if_saved() it uses."""

    if TYPE_CHECKING:
        opened_at: datetime
        pending_select: int | None
        def name_of(self, appt: ApptRow) -> str: ...
        def go_to(self, day: date) -> None: ...
        def reload_if_saved(self, saved: bool | None) -> None: ...

    def change_status(self, row: ApptRow, status: ApptStatus) -> None:
        ctx = self.ctx

        def change(session: Session) -> None:
            schedule.set_status(session, row.id, status, now=ctx.now(), actor=ctx.actor, expected_version=row.version)

        self.run_write(change, f"{self.name_of(row)}: {status.label}")

    def undo(self) -> None:
        """Undo the user's own last change since the app opened, on whichever appointment it was."""
        ctx, since = self.ctx, self.opened_at

        def change(session: Session) -> schedule.UndoneAppt:
            return schedule.undo_mine(session, since=since, now=ctx.now(), actor=ctx.actor)

        def undone(result: schedule.UndoneAppt) -> None:
            self.say(f"Undone: {result.what}")
            self.pending_select = result.id
            self.go_to(result.start.date())

        self.run_write(change, then=undone)

    def offer_freed_slot(self, row: ApptRow) -> None:
        """After a cancellation: if someone on the waitlist fits the freed slot, show them first."""

        def offer(matches: list[frontdesk.WaitlistRow]) -> None:
            if matches:
                self.app.push_screen(FrontDeskScreen(self.ctx, "waitlist", slot=(row.provider_id, row.start, row.end)),
                                     self.reload_if_saved)

        self.read(lambda session: frontdesk.waitlist_matches(session, provider_id=row.provider_id, start=row.start,
                                                             end=row.end), offer, group="lookup")

    def load_day_of(self, appt_id: int) -> None:
        """Show the day of an appointment that is not on the day shown (the huddle's yesterday's no-shows)."""

        def show(day: date | None) -> None:
            if day is not None:
                self.go_to(day)

        self.read(lambda session: schedule.appointment_day(session, appt_id), show, group="lookup")

    def open_with_choices(self, make: Callable[[BookingChoices], Screen[Any]]) -> None:
        """A booking form, once its providers and types are read in a worker: the UI never waits for them."""
        def after(screen: Screen[Any], saved: object) -> None:
            note = getattr(screen, "result", None)
            if saved and isinstance(note, str):
                self.say(f"Booked. Insurance: {note}", "warning")  # checked before the visit, not at the door
            self.reload_if_saved(bool(saved))

        self.open_after_read(schedule.booking_choices, make, after)
