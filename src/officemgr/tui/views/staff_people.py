"""The Staff tab's keys for a person's working life beyond the roster: hiring, onboarding and leaving, pay,
leave balances, the time clock, staff meetings and corrective actions (most of them the manager's alone)."""

from __future__ import annotations

from datetime import date

from textual.screen import Screen

from officemgr.services import pay_settings, staff, timeclock
from officemgr.services.access import Area, may
from officemgr.services.pay_settings import PaySettings
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.checklists import EndEmploymentForm, EndInput
from officemgr.tui.forms.pay_settings import PayInput, PaySettingsForm
from officemgr.tui.views.checklists import ChecklistScreen
from officemgr.tui.views.corrective import CorrectiveScreen
from officemgr.tui.views.hiring import HiringScreen
from officemgr.tui.views.leave import LeaveScreen
from officemgr.tui.views.meetings import MeetingsScreen
from officemgr.tui.views.timeclock import KioskScreen, PunchesScreen, TimesheetsScreen
from officemgr.tui.widgets.base import TabView


class StaffPeopleView(TabView):
    """The Staff tab's per-person keys; the tab itself says which person and day are under the cursor."""

    def _cell(self) -> tuple[int | None, date]:
        raise NotImplementedError

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Pay settings, corrective actions, checklists and hiring are the manager's alone: not offered to anyone
        # else (the services refuse them too).
        if action == "pay":
            return may(self.ctx.actor, Area.payroll)
        if action in ("corrective", "checklists", "end_employment"):
            return may(self.ctx.actor, Area.staff)
        if action == "hiring":
            return may(self.ctx.actor, Area.hiring)
        if action == "leave":
            return may(self.ctx.actor, Area.payroll, write=False)
        return True

    def action_meetings(self) -> None:
        self.app.push_screen(MeetingsScreen(self.ctx), lambda _: self.reload())

    def action_corrective(self) -> None:
        staff_id, _ = self._cell()
        if staff_id is None:
            self.say("Put the cursor on a person, then press w")
            return
        self.open_after_read(lambda session: staff.staff_record(session, staff_id),
                             lambda person: CorrectiveScreen(self.ctx, person.id, person.name) if person else None,
                             self._form_closed)

    def action_hiring(self) -> None:
        self.app.push_screen(HiringScreen(self.ctx), self._after)

    def action_checklists(self) -> None:
        staff_id, _ = self._cell()
        if staff_id is None or not may(self.ctx.actor, Area.staff):
            self.say("Put the cursor on a person, then press l" if staff_id is None else "Checklists are the manager's")
            return
        self.open_after_read(lambda session: staff.staff_record(session, staff_id),
                             lambda person: ChecklistScreen(self.ctx, person.id, person.name) if person else None,
                             self._form_closed)

    def action_end_employment(self) -> None:
        staff_id, _ = self._cell()
        if staff_id is None or not may(self.ctx.actor, Area.staff):
            self.say("Put the cursor on a person, then press x" if staff_id is None else "Only the manager ends "
                     "someone's employment")
            return

        def save(session: Session, data: EndInput) -> None:
            staff.end_employment(session, staff_id, data.end_date, data.reason, now=self.ctx.now(),
                                 actor=self.ctx.actor, remove_shifts=data.remove_shifts)

        self.open_after_read(lambda session: staff.staff_record(session, staff_id),
                             lambda person: EndEmploymentForm(self.ctx, save, person.name) if person else None,
                             self._form_closed)

    def action_leave(self) -> None:
        self.app.push_screen(LeaveScreen(self.ctx), self._after)

    def action_punch(self) -> None:
        self.run_write(lambda session: timeclock.punch_self(session, now=self.ctx.now(), actor=self.ctx.actor),
                       then=lambda result: self.say(result.notice), group="punch")

    def action_timesheets(self) -> None:
        actor = self.ctx.actor
        if may(actor, Area.payroll, write=False):
            self.app.push_screen(TimesheetsScreen(self.ctx, self.ctx.today), self._after)
        elif actor.staff_id is not None:  # everyone else: their own punches, where they ask for a fix
            self.app.push_screen(PunchesScreen(self.ctx, actor.staff_id, actor.name, self.ctx.today), self._after)
        else:
            self.say(f"{actor.name} has no staff record, so there are no punches to show")

    def action_kiosk(self) -> None:
        self.app.push_screen(KioskScreen(self.ctx))

    def action_pay(self) -> None:
        staff_id, _ = self._cell()
        if staff_id is None:
            self.say("Put the cursor on a person, then press p")
            return
        self.open_after_read(lambda session: pay_settings.pay_settings(session, staff_id, actor=self.ctx.actor),
                             self._pay_form, self._form_closed)

    def _pay_form(self, current: PaySettings) -> PaySettingsForm:
        staff_id, version = current.staff_id, current.version

        def save(session: Session, data: PayInput) -> None:
            pay_settings.save_pay_settings(
                session, staff_id, exempt=data.exempt, pay_type=data.pay_type, pay_period=data.pay_period,
                amount=data.amount, pto_plan=data.pto_plan, now=self.ctx.now(), actor=self.ctx.actor,
                expected_version=version)

        return PaySettingsForm(self.ctx, save, current)

    def _form_closed(self, screen: Screen[bool], saved: bool | None) -> None:
        self._after(saved)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.reload()

