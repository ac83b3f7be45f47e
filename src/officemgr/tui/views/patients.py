"""Patients: find one as you type (name, date of birth, phone or account number), register a new one (a), edit
(e), and open their record (enter): details, insurance, balance and ledger, with keys to take a payment. `m` merges
the selected record into another (the same person registered twice); `M` shows the merged records too, and `U` on
one undoes its merge.

`PatientsScreen(ctx)` is pushed from the palette ("Patients") or the Schedule (key P); it dismisses with True when
it saved anything.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Input, Label, Static

from officemgr.services import ledger, patients
from officemgr.services.access import Area, may
from officemgr.services.format import money
from officemgr.services.patients import MergedHit, PatientHit, age_on
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.merge import MergeScreen, may_merge
from officemgr.tui.forms.patient import PatientEntry, PatientForm
from officemgr.tui.widgets.base import ListScreen, plain, select_key, selected_key

COLUMNS = ("Name", "Born", "Age", "Phone", "Account", "Balance")
MAY_NOT_MERGE = "Merging records moves their visits and claims: it needs a manager (schedule and billing both)"


class PatientsScreen(ListScreen):
    DEFAULT_CSS = """
    PatientsScreen > .patients { width: 95%; max-width: 130; height: 90%; border: thick $accent;
        background: $panel; padding: 0 1; }
    PatientsScreen #patient-table { height: 1fr; }
    PatientsScreen #patient-hint { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="patients_close"),
        Binding("a", "add", "Register", id="patients_add"),
        Binding("e", "edit", "Edit", id="patients_edit"),
        Binding("enter", "open", "Open", id="patients_open", show=False),
        Binding("slash", "search", "Search", id="patients_search"),
        Binding("m", "merge", "Merge into…", id="patients_merge"),
        Binding("M", "toggle_merged", "Merged records", id="patients_merged"),
        Binding("U", "unmerge", "Undo merge", id="patients_unmerge"),
    ]

    def __init__(self, ctx: AppContext, text: str = "") -> None:
        super().__init__(ctx)
        self.text = text
        self.hits: dict[int, PatientHit] = {}
        self.balances: dict[int, int] = {}
        self.merged: dict[int, MergedHit] = {}
        self.show_merged = False
        self.unmerge_asked: int | None = None  # U pressed once on this merged record: again undoes its merge
        self.focus_id: int | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="patients"):
            yield Label(Text("Patients"), classes="form-title", id="patient-title")
            yield Input(self.text, placeholder="name, date of birth (MM/DD/YYYY), phone or account number",
                        id="patient-search", compact=True)
            yield DataTable(id="patient-table", cursor_type="row", zebra_stripes=True)
            yield Static(Text("type to find · ↓ the list · enter open · a register · e edit · m merge into… · "
                              "M merged records · U undo merge · escape close"), id="patient-hint")
        yield Footer()

    def on_mount(self) -> None:
        self.table.add_columns(*COLUMNS)
        self.query_one("#patient-search", Input).focus()
        self.reload()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#patient-table", DataTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Typing a name must not run the list's letter keys; they work once the list has focus.
        if action in ("add", "edit", "search", "merge", "toggle_merged", "unmerge") \
                and self.query_one("#patient-search", Input).has_focus:
            return False
        return True

    @on(Input.Changed, "#patient-search")
    def _typed(self, event: Input.Changed) -> None:
        self.text = event.value
        self.reload()

    @on(Input.Submitted, "#patient-search")
    def _to_list(self, event: Input.Submitted) -> None:
        event.stop()
        if self.table.row_count:
            self.table.focus()

    def fetch(self, session: Session) -> tuple[list[PatientHit], dict[int, int], list[MergedHit]]:
        hits = patients.search(session, self.text)
        merged = patients.search_merged(session, self.text) if self.show_merged else []
        if not may(self.ctx.actor, Area.desk_money, write=False):
            return hits, {}, merged  # balances are the desk's and billing's to see
        return hits, ledger.balances(session, [h.id for h in hits]), merged

    def show(self, data: tuple[list[PatientHit], dict[int, int], list[MergedHit]]) -> None:
        hits, self.balances, merged = data
        table = self.table
        keep = selected_key(table)
        table.clear()
        self.hits = {h.id: h for h in hits}
        self.merged = {m.hit.id: m for m in merged}
        today = self.ctx.today
        for h in hits:
            owed = self.balances.get(h.id, 0)
            name = h.name + (f' "{h.preferred_name}"' if h.preferred_name else "")
            table.add_row(plain(name), Text(f"{h.dob:%m/%d/%Y}"), Text(str(age_on(h.dob, today)), justify="right"),
                          plain(h.phone or "—"), plain(h.account),
                          Text(money(owed) if owed else "—", justify="right", style="bold" if owed > 0 else ""),
                          key=str(h.id))
        for m in merged:
            h = m.hit
            table.add_row(plain(f"{h.name} (merged into #{m.into.account})", "dim"),
                          Text(f"{h.dob:%m/%d/%Y}", style="dim"), Text(""), plain(h.phone or "—", "dim"),
                          plain(h.account, "dim"), Text("—", justify="right", style="dim"), key=str(h.id))
        wanted = self.focus_id if self.focus_id is not None else keep
        self.focus_id = None
        if not select_key(table, wanted) and table.row_count:
            table.move_cursor(row=0)
        if not self.text.strip():
            title = "Patients · type a name, date of birth, phone or account number · a registers a new one"
        elif hits:
            title = f"Patients · {len(hits)} found" + (" (the first 20: type more)" if len(hits) == 20 else "")
        else:
            title = "Patients · nobody found: check the spelling, or press a to register"
        if self.show_merged:
            title += f" · {len(merged)} merged record{'s' * (len(merged) != 1)} shown (M hides them)"
        self.query_one("#patient-title", Label).update(Text(title))

    def _chosen(self) -> PatientHit | None:
        key = selected_key(self.table)
        return self.hits.get(int(key)) if key else None

    def _chosen_merged(self) -> MergedHit | None:
        key = selected_key(self.table)
        return self.merged.get(int(key)) if key else None

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_search(self) -> None:
        self.query_one("#patient-search", Input).focus()

    def action_add(self) -> None:
        ctx = self.ctx

        def save(session: Session, entry: PatientEntry) -> PatientHit:
            return patients.register(session, entry.data, today=ctx.today, actor=ctx.actor, now=ctx.now(),
                                     different_person=entry.different_person)

        form = PatientForm(ctx, save)
        self.app.push_screen(form, lambda saved: self._after(form, saved, "registered"))

    def action_edit(self) -> None:
        hit = self._chosen()
        if hit is None:
            self.say("No patient chosen: find one first, or press a to register.", "warning")
            return
        self.read(lambda session: patients.details(session, hit.id), lambda found: self._edit(hit, *found))

    def _edit(self, hit: PatientHit, start: Any, version: int) -> None:
        ctx = self.ctx

        def save(session: Session, entry: PatientEntry) -> PatientHit:
            return patients.update_patient(session, hit.id, entry.data, today=ctx.today, actor=ctx.actor,
                                           now=ctx.now(), expected_version=version)

        form = PatientForm(ctx, save, start, title=f"Edit {hit.name}")
        self.app.push_screen(form, lambda saved: self._after(form, saved, "saved"))

    def _after(self, form: PatientForm, saved: bool | None, done: str) -> None:
        if not saved or not isinstance(form.result, PatientHit):
            return
        hit = form.result
        self.focus_id = hit.id
        # Shown by account number: the list then holds that one record, whatever was typed before.
        self.text = hit.account if form.used_existing else self.text or hit.name
        self.query_one("#patient-search", Input).value = self.text
        if form.used_existing:
            self.say(f"{hit.name} is already registered (account #{hit.account}): nothing new was saved")
            self.reload()
            return
        self.say(f"{hit.name} {done} (account #{hit.account})")
        self.saved()

    def action_merge(self) -> None:
        gone = self._chosen()
        if gone is None:
            self.say("Choose the record to merge away first (the duplicate): find it, then m.", "warning")
            return
        if not may_merge(self.ctx.actor):
            self.say(MAY_NOT_MERGE, "warning")
            return
        screen = MergeScreen(self.ctx, gone)
        self.app.push_screen(screen, lambda merged: self._merged(screen, merged))

    def _merged(self, screen: MergeScreen, merged: bool | None) -> None:
        if not merged or screen.result is None:
            return
        kept, moved = screen.result
        self.say(f"{screen.gone.name} merged into {kept.name} (#{kept.account}): {moved} records moved. "
                 "M shows the merged record; U on it undoes the merge.")
        self.focus_id = kept.id
        self.text = kept.account
        self.query_one("#patient-search", Input).value = self.text
        self.saved()

    def action_toggle_merged(self) -> None:
        self.show_merged = not self.show_merged
        self.reload()

    def action_unmerge(self) -> None:
        chosen = self._chosen_merged()
        if chosen is None:
            self.say("U undoes a merge: M shows the merged records; choose one of them.", "warning")
            return
        if not may_merge(self.ctx.actor):
            self.say(MAY_NOT_MERGE.replace("Merging records", "Undoing a merge"), "warning")
            return
        gone = chosen.hit
        if self.unmerge_asked != gone.id:
            self.unmerge_asked = gone.id
            self.say(f"Undo merging {gone.name} (#{gone.account}) into {chosen.into.name} (#{chosen.into.account})? "
                     "Press U again: the visits, claims and balance the merge moved go back.", "warning")
            return
        self.unmerge_asked = None
        ctx = self.ctx

        def undone(back: int) -> None:
            self.say(f"{gone.name} (#{gone.account}) is on file again: {back} records moved back")
            self.focus_id = gone.id
            self.text = gone.account
            self.query_one("#patient-search", Input).value = self.text
            self.saved()

        self.run_write(lambda session: patients.unmerge(session, gone.id, actor=ctx.actor, now=ctx.now()),
                       then=undone)

    def action_open(self) -> None:
        hit = self._chosen()
        if hit is None:
            return
        from officemgr.tui.views.patient_record import PatientRecordScreen

        self.app.push_screen(PatientRecordScreen(self.ctx, hit.id), lambda changed: self.saved() if changed else None)

    @on(DataTable.RowSelected, "#patient-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()
