"""The command palette (ctrl+p): every tab and the actions a manager looks for by name, each only for those whose
roles may see its area (the services check again: hiding is a convenience), and emergency access to the rest;
and the patients whose name, date of birth, phone or account number the text is, each opening their record."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from officemgr.tui.messages import RunInTab

if TYPE_CHECKING:
    from officemgr.services.patients import PatientHit
    from officemgr.tui.context import AppContext

# (what the manager types, which tab, the view's action or None to just open the tab, what it needs). An entry whose
# tab is None runs the app's action of that name instead. What it needs: an area (services.access.Area's value) to
# see, or with a "+" in front to change; None: seeing the entry's tab (or nothing, for the app's own actions).
ACTIONS = (
    ("Huddle", "huddle", None, None),
    ("Run the huddle (review mode)", "huddle", "review", "+huddle"),
    ("Open huddle actions", "huddle", "actions", None),
    ("Past huddles", "huddle", "past", None),
    ("Schedule", "schedule", None, None),
    ("Staff roster", "staff", None, None),
    ("Inventory", "inventory", None, None),
    ("Billing work queue", "billing", None, None),
    ("Compliance checklist", "compliance", None, None),
    ("Book an appointment", "schedule", "add", "+schedule"),
    ("Find the next open slot", "schedule", "find_slot", "+schedule"),
    ("Front-desk lists: reminder calls, recalls, waitlist, insurance", "schedule", "front_desk", None),
    ("Provider hours, blocks and visit types", "schedule", "hours", None),
    ("Add a staff member", "staff", "add", "+staff"),
    ("Request time off", "staff", "time_off", "+time_off"),
    ("Credentials, evaluations and payer enrollment", "staff", "records", None),
    ("Time clock kiosk", "staff", "kiosk", None),
    ("Timesheets", "staff", "timesheets", "payroll"),
    ("Add a supply item", "inventory", "add", "+inventory"),
    ("Receive stock into a lot", "inventory", "receive", "+inventory"),
    ("Use stock (first to expire first)", "inventory", "use", "+inventory"),
    ("Waste or discard expired stock", "inventory", "waste", "+inventory"),
    ("Monthly stock count", "inventory", "count", "+inventory"),
    ("Purchase orders and what to order today", "inventory", "orders", None),
    ("Equipment maintenance", "inventory", "equipment", None),
    ("Filter claims by payer, status, age or denial", "billing", "filters", None),
    ("A/R aging, KPIs, denials and underpayments", "billing", "switch", None),
    ("Denial reason codes (CARC)", "billing", "carc", None),
    ("Payers: filing and appeal limits, phone, portal", "billing", "payers", None),
    ("Remittances: posted 835s, unmatched payments, paper EOB", None, "remittances", "billing"),
    ("Vaccine temperature log", "compliance", "temperatures", "temperature"),
    ("Add a compliance duty", "compliance", "add(False)", "+compliance"),
    ("Add a policy to the register", "compliance", "add(True)", "+compliance"),
    # Not in a tab: the front desk logs a patient's complaint without the Compliance tab.
    ("Patients: find, register, insurance, take a payment", None, "patients", "schedule"),
    ("Close the drawer: the day's payments and deposit", None, "drawer", "desk_money"),
    ("Statement run", None, "statement_run", "desk_money"),
    ("Practice money: budget, bills to pay, month-end close, productivity", None, "finances", "finance"),
    ("Settings: every practice setting, its value and meaning", None, "settings", "settings"),
    ("Concerns and incidents", None, "concerns", "concerns"),
    ("Audit log: who changed what, when", None, "audit_log", "audit"),
    ("Practice calendar: closed days, half days, holidays", None, "practice_calendar", "settings"),
    ("Lock (ctrl+l)", None, "lock", None),
    ("Change my PIN", None, "change_pin", None),
    ("Sign a policy", None, "sign_policy", "+self_service"),
    ("Sign out / switch user", None, "sign_out", None),
)


def offered(actor: str) -> list[tuple[str, str | None, str | None]]:
    """The palette's entries for `actor`: what their roles may do, then emergency access to each hidden tab."""
    # Here, not at the top: the app imports this module before its first frame, and the services come after it.
    from officemgr.services.access import TAB_AREA, Area, may, tabs_for

    def allowed(tab: str | None, needs: str | None) -> bool:
        if needs is not None:
            return may(actor, Area(needs.lstrip("+")), write=needs.startswith("+"))
        return tab is None or may(actor, TAB_AREA[tab], write=False)

    shown = [(title, tab, action) for title, tab, action, needs in ACTIONS if allowed(tab, needs)]
    seen = tabs_for(actor)
    return shown + [(f"Emergency access: the {tab.title()} tab", None, f"emergency('{tab}')")
                    for tab in TAB_AREA if tab not in seen]


class OfficeCommands(Provider):
    def _offered(self) -> list[tuple[str, str | None, str | None]]:
        context = getattr(self.app, "context", None)
        return offered(context.actor) if context is not None else []

    async def discover(self) -> Hits:
        for title, tab, action in self._offered():
            yield DiscoveryHit(title, self._command(tab, action), help=_help(tab))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, tab, action in self._offered():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._command(tab, action), help=_help(tab))

    def _command(self, tab: str | None, action: str | None) -> Callable[[], object]:
        if tab is not None:
            return partial(self.app.post_message, RunInTab(tab, action))
        assert action is not None
        if action == "sign_policy":
            return self._sign_policy
        return partial(self.app.run_action, action)

    def _sign_policy(self) -> None:
        """The signed-in person's own policies to sign (a screen of its own: no tab holds one's own signatures)."""
        from officemgr.tui.views.policies import MyPoliciesScreen

        context: AppContext | None = getattr(self.app, "context", None)
        if context is not None:
            self.app.push_screen(MyPoliciesScreen(context))


def _help(tab: str | None) -> str:
    return f"{tab.title()} tab" if tab is not None else "officemgr"


PATIENT_HITS = 8  # the palette lists a few; the Patients screen (ctrl+f) lists more
PATIENT_QUERY_MIN = 2  # one letter would list the first patients of the alphabet
PATIENT_FLOOR = 1.0  # the palette's score of a patient the service found but the line does not match


class PatientCommands(Provider):
    """Patients found by what was typed (as the Patients screen finds them), for those who may see patients."""

    async def search(self, query: str) -> Hits:
        context: AppContext | None = getattr(self.app, "context", None)
        if context is None or len(query.strip()) < PATIENT_QUERY_MIN:
            return
        # Imported here on the UI thread, not in the thread below: at the start the opening worker may still be
        # importing the views, and a package two threads import at once can be seen half made.
        from officemgr.services import patients
        from officemgr.services.access import Area, may
        from officemgr.tui.dbwork import Unreadable, read_off_thread

        if not may(context.actor, Area.schedule, write=False):
            return
        hits = await read_off_thread(context, lambda session: patients.search(session, query, limit=PATIENT_HITS))
        if isinstance(hits, Unreadable):
            self.app.notify(hits.message, severity="error", markup=False)
            return
        matcher = self.matcher(query)
        for hit in hits:
            shown = patient_label(hit)
            # Scored as the commands are, on what the line shows, so "Sched" still puts the Schedule first; a
            # patient found by what the line does not show (a phone number, first name first) comes after closer
            # matches but before no match at all.
            score = max(matcher.match(shown.plain.removeprefix("Patient: ")), PATIENT_FLOOR)
            yield Hit(score, shown, partial(self.app.run_action, f"patient_record({hit.id})"), text=shown.plain,
                      help="patient record")


def patient_label(hit: PatientHit) -> Text:
    """How a patient shows in the palette; names are user text, so plain Text, never markup."""
    return Text(f"Patient: {hit.name} · {hit.dob:%m/%d/%Y} · #{hit.account}")
