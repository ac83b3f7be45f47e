"""The command palette (ctrl+p): every tab and the actions a manager looks for by name, each only for those whose
roles may see its area (the services check again: hiding is a convenience), and emergency access to the rest."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from officemgr.tui.messages import RunInTab

# (what the manager types, which tab, the view's action or None to just open the tab). An entry whose tab is None
# runs the app's action of that name instead.
ACTIONS = (
    ("Huddle", "huddle", None),
    ("Run the huddle (review mode)", "huddle", "review"),
    ("Open huddle actions", "huddle", "actions"),
    ("Past huddles", "huddle", "past"),
    ("Schedule", "schedule", None),
    ("Staff roster", "staff", None),
    ("Inventory", "inventory", None),
    ("Billing work queue", "billing", None),
    ("Compliance checklist", "compliance", None),
    ("Book an appointment", "schedule", "add"),
    ("Find the next open slot", "schedule", "find_slot"),
    ("Front-desk lists: reminder calls, recalls, waitlist, insurance", "schedule", "front_desk"),
    ("Provider hours, blocks and visit types", "schedule", "hours"),
    ("Add a staff member", "staff", "add"),
    ("Request time off", "staff", "time_off"),
    ("Credentials, evaluations and payer enrollment", "staff", "records"),
    ("Add a supply item", "inventory", "add"),
    ("Receive stock into a lot", "inventory", "receive"),
    ("Use stock (first to expire first)", "inventory", "use"),
    ("Waste or discard expired stock", "inventory", "waste"),
    ("Monthly stock count", "inventory", "count"),
    ("Purchase orders and what to order today", "inventory", "orders"),
    ("Equipment maintenance", "inventory", "equipment"),
    ("Filter claims by payer, status, age or denial", "billing", "filters"),
    ("A/R aging, KPIs, denials and underpayments", "billing", "switch"),
    ("Denial reason codes (CARC)", "billing", "carc"),
    ("Payers: filing and appeal limits, phone, portal", "billing", "payers"),
    ("Vaccine temperature log", "compliance", "temperatures"),
    ("Concerns and incidents", "compliance", "concerns"),
    ("Add a compliance duty", "compliance", "add(False)"),
    ("Add a policy to the register", "compliance", "add(True)"),
    ("Audit log: who changed what, when", None, "audit_log"),
    ("Practice calendar: closed days, half days, holidays", None, "practice_calendar"),
    ("Lock (ctrl+l)", None, "lock"),
    ("Change my PIN", None, "change_pin"),
    ("Sign out / switch user", None, "sign_out"),
)
# The area (services.access.Area) each of the app's own actions shows, for those that not every role may see.
ACTION_AREA = {"audit_log": "audit", "practice_calendar": "settings"}


def offered(actor: str) -> list[tuple[str, str | None, str | None]]:
    """The palette's entries for `actor`: what their roles may see, then emergency access to each hidden tab."""
    # Here, not at the top: the app imports this module before its first frame, and the services come after it.
    from officemgr.services.access import TAB_AREA, Area, may, tabs_for

    shown = [(title, tab, action) for title, tab, action in ACTIONS
             if (tab is None and (action not in ACTION_AREA or may(actor, Area(ACTION_AREA[action]), write=False)))
             or (tab is not None and may(actor, TAB_AREA[tab], write=False))]
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
        return partial(self.app.run_action, action)


def _help(tab: str | None) -> str:
    return f"{tab.title()} tab" if tab is not None else "officemgr"
