"""The Schedule tab's one-key writes (status, undo) and look-ups, each in a worker thread."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from textual import work

from officemgr.models import Appointment, ApptStatus
from officemgr.services import frontdesk, schedule
from officemgr.services.common import ServiceError
from officemgr.services.schedule import ApptRow
from officemgr.store import read_session, write_session
from officemgr.tui.views.frontdesk import open_waitlist_offer


class ScheduleWrites:
    """Mixed into ScheduleView (a TabView): needs engine, now(), actor, say(), reload(), go_to()."""

    @work(thread=True, exclusive=True, group="write")
    def change_status(self, row: ApptRow, status: ApptStatus) -> None:
        self._write(lambda session: schedule.set_status(
            session, row.id, status, now=self.now(), actor=self.actor, expected_version=row.version),  # type: ignore[attr-defined]
            f"{row.patient_name}: {status.label}")

    @work(thread=True, exclusive=True, group="write")
    def undo(self, row: ApptRow) -> None:
        self._write(lambda session: schedule.undo_last(
            session, row.id, now=self.now(), actor=self.actor, expected_version=row.version),  # type: ignore[attr-defined]
            f"{row.patient_name}: last change undone")

    def _write(self, action, done: str) -> None:  # type: ignore[no-untyped-def]
        app = self.app  # type: ignore[attr-defined]
        try:
            with write_session(self.engine) as session:  # type: ignore[attr-defined]
                action(session)
        except ServiceError as exc:
            app.call_from_thread(self.say, str(exc), "error")  # type: ignore[attr-defined]
            return
        except SQLAlchemyError as exc:
            app.call_from_thread(self.say, f"Not saved: the database refused it ({exc.__class__.__name__})",  # type: ignore[attr-defined]
                                 "error")
            return
        app.call_from_thread(self.say, done)  # type: ignore[attr-defined]
        app.call_from_thread(self.reload)  # type: ignore[attr-defined]

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
