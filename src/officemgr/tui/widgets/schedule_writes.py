"""The Schedule tab's one-key writes (status, undo) and look-ups; writes go through TabView.run_write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.screen import Screen

from officemgr.models import Appointment, ApptStatus
from officemgr.services import frontdesk, schedule
from officemgr.services.schedule import ApptRow, BookingChoices
from officemgr.store import read_session
from officemgr.tui.views.frontdesk import open_waitlist_offer


class ScheduleWrites:
    """Mixed into ScheduleView (a TabView): needs engine, now(), actor, say(), reload(), go_to(), name_of()."""

    def change_status(self, row: ApptRow, status: ApptStatus) -> None:
        self.run_write(lambda session: schedule.set_status(  # type: ignore[attr-defined]
            session, row.id, status, now=self.now(), actor=self.actor, expected_version=row.version),  # type: ignore[attr-defined]
            f"{self.name_of(row)}: {status.label}")

    def undo(self, row: ApptRow) -> None:
        self.run_write(lambda session: schedule.undo_last(  # type: ignore[attr-defined]
            session, row.id, now=self.now(), actor=self.actor, expected_version=row.version),  # type: ignore[attr-defined]
            f"{self.name_of(row)}: last change undone")

    @work(thread=True, exclusive=True, group="lookup")
    def offer_freed_slot(self, row: ApptRow) -> None:
        """After a cancellation: if someone on the waitlist fits the freed slot, show them first."""
        with read_session(self.engine) as session:  # type: ignore[attr-defined]
            matches = frontdesk.waitlist_matches(session, provider_id=row.provider_id, start=row.start, end=row.end)
        if matches:
            self.app.call_from_thread(open_waitlist_offer, self.app, row.provider_id, row.start, row.end,  # type: ignore[attr-defined]
                                      self._after)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="lookup")
    def load_day_of(self, appt_id: int) -> None:
        with read_session(self.engine) as session:  # type: ignore[attr-defined]
            appt = session.get(Appointment, appt_id)
            day = appt.start.date() if appt else None
        if day is not None:
            self.app.call_from_thread(self.go_to, day)  # type: ignore[attr-defined]

    def open_with_choices(self, make: Callable[[BookingChoices], Screen[Any]]) -> None:
        """A booking form, once its providers and types are read in a worker: the UI never waits for them."""
        self.open_after_read(schedule.booking_choices, make,  # type: ignore[attr-defined]
                             lambda _, saved: self._after(saved))  # type: ignore[attr-defined]
