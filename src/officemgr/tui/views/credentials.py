"""Credentials and trainings, yearly evaluations and payer enrollment, of one person or of everyone.

`PeopleRecordsScreen(staff_id=None)` is pushed from the Staff tab (staff_id: the selected person; None:
everyone). It dismisses with True when it saved anything, so the caller can reload what it shows.

Keys: a add credential · r renew the selected credential · v record the selected evaluation done ·
n add a payer enrollment · e edit the selected enrollment · c CAQH re-attested today (the selected
enrollment's provider) · tab moves between the three lists · escape closes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.models import CredentialKind
from officemgr.services import credentials, leave, staff
from officemgr.services.credentials import (
    Choices,
    CredentialCreate,
    CredentialLine,
    CredentialRenewal,
    EnrollmentCreate,
    EnrollmentRow,
    EnrollmentUpdate,
    EvaluationDue,
)
from officemgr.services.format import days_from_now
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.credentials import (
    CredentialForm,
    EnrollmentEditForm,
    EnrollmentForm,
    RenewForm,
)
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

# Evaluations listed for everyone: overdue or due within this many days (one person: their next one, always).
EVALUATION_DAYS = 60
# (word, style) of each expiry band; the word carries the meaning without colour.
BAND_STYLE = {
    "missing": ("MISSING", "bold magenta"),
    "expired": ("EXPIRED", "bold red"),
    "30": ("≤30 days", "bold dark_orange"),
    "60": ("≤60 days", "yellow"),
    "90": ("≤90 days", "cyan"),
    "ok": ("ok", "green"),
    "none": ("no expiry", "dim"),
}


@dataclass(frozen=True)
class RecordsData:
    person: str | None  # the one person's name; None for everyone
    credentials: list[CredentialLine]
    lapsed: dict[int, list[str]]
    evaluations: list[EvaluationDue]
    enrollments: list[EnrollmentRow]
    choices: Choices
    leave: str = ""  # the one person's PTO and sick leave left, when the signed-in user may see them


def _when(days: int | None, warn: int) -> Text:
    if days is None:
        return Text("—", style="dim")
    style = "bold red" if days < 0 else ("yellow" if days <= warn else "")
    return Text(days_from_now(days), style=style)


def _day(value: date | None) -> Text:
    return Text(f"{value:%m/%d/%Y}") if value else Text("—", style="dim")


def _leave_line(session: Session, staff_id: int | None, today: date, actor: str) -> str:
    """'PTO left on 11/23: 24.0 h · Sick leave left on 11/23: 12.5 h' for one person, if `actor` may see it."""
    if staff_id is None or not leave.may_see(actor, staff_id):
        return ""
    return " · ".join(balance.line() for balance in leave.balances_of(session, staff_id, today, actor=actor))


class PeopleRecordsScreen(ListScreen):
    DEFAULT_CSS = """
    PeopleRecordsScreen > .people-records {
        width: 95%;
        max-width: 150;
        height: 90%;
        border: thick $accent;
        background: $panel;
        padding: 0 1;
    }
    PeopleRecordsScreen .people-records-line {
        height: auto;
        color: $text-muted;
    }
    """
    BINDINGS = [
        Binding("escape", "close", "Close", id="records_close"),
        Binding("a", "add_credential", "Add credential", id="records_add_credential"),
        Binding("r", "renew", "Renew", id="records_renew"),
        Binding("v", "evaluation_done", "Evaluation done", id="records_evaluation_done"),
        Binding("n", "add_enrollment", "Add enrollment", id="records_add_enrollment"),
        Binding("e", "edit_enrollment", "Edit enrollment", id="records_edit_enrollment"),
        Binding("c", "caqh", "CAQH attested today", id="records_caqh"),
    ]

    def __init__(self, ctx: AppContext, staff_id: int | None = None) -> None:
        super().__init__(ctx)
        self.staff_id = staff_id
        self.data: RecordsData | None = None
        self.lines: dict[str, CredentialLine] = {}
        self.evaluations: dict[str, EvaluationDue] = {}
        self.enrollments: dict[str, EnrollmentRow] = {}

    # -- layout

    def compose(self) -> ComposeResult:
        with Vertical(classes="people-records"):
            yield Label("", classes="form-title", id="pr-title")
            yield Label("", classes="subtitle", id="pr-credentials-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="pr-credentials")
            yield Label("", classes="subtitle", id="pr-evaluations-title")
            yield DataTable(cursor_type="row", classes="short", id="pr-evaluations")
            yield Label("Payer enrollment: re-credentialing and CAQH re-attestation", classes="subtitle")
            yield DataTable(cursor_type="row", classes="short", id="pr-enrollments")
            yield Static(Text("loading…"), id="pr-hint", classes="people-records-line")
        yield Footer()

    def on_mount(self) -> None:
        self.table("credentials").add_columns("Name", "Credential", "Req", "Number", "State", "Expires", "Band",
                                              "When")
        self.table("evaluations").add_columns("Name", "Role", "Hired", "Due", "When", "Last done", "Note")
        self.table("enrollments").add_columns("Provider", "Payer", "Effective", "Re-credential", "When",
                                              "CAQH attested", "CAQH due", "When", "Note")
        self.table("credentials").focus()
        self.reload()

    def table(self, name: str) -> DataTable[Any]:
        return self.query_one(f"#pr-{name}", DataTable)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    # -- loading

    def fetch(self, session: Session) -> RecordsData:
        today, sid = self.ctx.today, self.staff_id
        person = staff.staff_record(session, sid) if sid is not None else None
        return RecordsData(
            person=(person.name if person else "(no longer on file)") if sid is not None else None,
            credentials=credentials.credential_list(session, today, sid),
            lapsed=credentials.lapsed_required(session, today),
            evaluations=credentials.evaluations_due(session, today, None if sid is not None else EVALUATION_DAYS,
                                                    staff_id=sid),
            enrollments=credentials.enrollments(session, today, sid),
            choices=credentials.choices(session),
            leave=_leave_line(session, sid, today, self.ctx.actor) if person is not None else "",
        )

    def show(self, data: RecordsData) -> None:
        self.data = data
        who = data.person or "everyone"
        self.query_one("#pr-title", Label).update(
            Text(f"Credentials, evaluations and payer enrollment · {who} · {self.ctx.today:%A %B %-d, %Y}"
                 + (f"\n{data.leave}" if data.leave else "")))
        lapsed_count = len(data.lapsed) if data.person is None else int(self.staff_id in data.lapsed)
        self.query_one("#pr-credentials-title", Label).update(Text(
            f"Credentials and trainings, soonest expiry first (red name: a required one has expired: "
            f"{lapsed_count})"))
        self.query_one("#pr-evaluations-title", Label).update(Text(
            "Evaluations (90-day review, then yearly)" if data.person is not None
            else f"Yearly evaluations overdue or due within {EVALUATION_DAYS} days"))
        self.lines = self._fill("credentials", data.credentials, self._credential_cells, self._credential_key)
        self.evaluations = self._fill("evaluations", data.evaluations, self._evaluation_cells,
                                      lambda r: str(r.staff_id))
        self.enrollments = self._fill("enrollments", data.enrollments, self._enrollment_cells,
                                      lambda r: str(r.enrollment_id))
        self.query_one("#pr-hint", Static).update(Text(
            "a add credential · r renew · v evaluation done · n add enrollment · e edit enrollment · "
            "c CAQH attested today · tab next list · escape close"))

    def _fill(self, name: str, rows: list[Any], cells: Callable[[Any], list[Text]],
              key: Callable[[Any], str]) -> dict[str, Any]:
        table = self.table(name)
        keep = table.cursor_row
        table.clear()
        by_key: dict[str, Any] = {}
        for row in rows:
            k = key(row)
            by_key[k] = row
            table.add_row(*cells(row), key=k)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        return by_key

    @staticmethod
    def _credential_key(line: CredentialLine) -> str:
        return str(line.credential_id) if line.credential_id is not None else f"m{line.staff_id}-{line.kind.value}"

    def _credential_cells(self, line: CredentialLine) -> list[Text]:
        assert self.data is not None
        red = line.staff_id in self.data.lapsed
        word, style = BAND_STYLE[line.band]
        return [plain(line.staff_name, "bold red" if red else ""), plain(line.kind.label),
                Text("yes" if line.required else ""), plain(line.number), plain(line.state), _day(line.expires),
                Text(word, style=style), _when(line.days_left, 30) if not line.missing else Text("")]

    def _evaluation_cells(self, row: EvaluationDue) -> list[Text]:
        when = _when(row.days_left, 14)
        if row.overdue:
            when = Text(f"overdue, {days_from_now(row.days_left)}", style="bold red")
        return [plain(row.staff_name), plain(row.role.label), _day(row.hire_date), _day(row.due), when,
                _day(row.last_done_on), plain(row.note)]

    def _enrollment_cells(self, row: EnrollmentRow) -> list[Text]:
        caqh_when = _when(row.caqh_days, 30) if row.caqh_attested_on else Text("never attested", style="bold red")
        return [plain(row.provider_name), plain(row.payer_name), _day(row.effective), _day(row.recredential_due),
                _when(row.recredential_days, 30), _day(row.caqh_attested_on), _day(row.caqh_due), caqh_when,
                plain(row.note)]

    # -- selection

    def _selected(self, name: str, rows: dict[str, Any]) -> Any:
        key = selected_key(self.table(name))
        return rows.get(key) if key is not None else None

    # -- actions

    def action_add_credential(self, kind: CredentialKind | None = None, staff_id: int | None = None) -> None:
        if self.data is None:
            return
        if staff_id is None:
            line = self._selected("credentials", self.lines)
            staff_id = self.staff_id if self.staff_id is not None else (line.staff_id if line else None)

        def save(session: Session, model: CredentialCreate) -> None:
            credentials.add_credential(session, model, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(CredentialForm(self.ctx, save, self.data.choices.staff, staff_id=staff_id, kind=kind),
                             self._after_form)

    def action_renew(self) -> None:
        line: CredentialLine | None = self._selected("credentials", self.lines)
        if line is None:
            self.say("Select a credential to renew")
        elif line.credential_id is None:  # a required credential the person does not hold
            self.action_add_credential(line.kind, line.staff_id)
        elif line.kind is CredentialKind.npi:
            self.say("An NPI does not expire: there is nothing to renew")
        else:
            credential_id, version = line.credential_id, line.version

            def save(session: Session, model: CredentialRenewal) -> None:
                credentials.renew_credential(session, credential_id, model, now=self.ctx.now(), actor=self.ctx.actor,
                                             expected_version=version)

            self.app.push_screen(RenewForm(self.ctx, save, line), self._after_form)

    def action_evaluation_done(self) -> None:
        row: EvaluationDue | None = self._selected("evaluations", self.evaluations)
        if row is None:
            self.say("No evaluation selected")
            return

        from officemgr.tui.views.evaluation import EvaluationScreen

        self.app.push_screen(EvaluationScreen(self.ctx, row.staff_id, row.staff_name, open_form=True),
                             self._after_form)

    def action_add_enrollment(self) -> None:
        if self.data is None:
            return
        if not self.data.choices.providers:
            self.say("No active providers to enroll", "warning")
            return
        provider_id = self.staff_id
        if provider_id is None:
            row = self._selected("enrollments", self.enrollments)
            provider_id = row.provider_id if row else None
        if provider_id not in {pid for _, pid in self.data.choices.providers}:
            provider_id = None

        def save(session: Session, model: EnrollmentCreate) -> None:
            credentials.add_enrollment(session, model, now=self.ctx.now(), actor=self.ctx.actor)

        self.app.push_screen(EnrollmentForm(self.ctx, save, self.data.choices.providers, self.data.choices.payers,
                                            provider_id=provider_id), self._after_form)

    def action_edit_enrollment(self) -> None:
        row: EnrollmentRow | None = self._selected("enrollments", self.enrollments)
        if row is None or self.data is None:
            self.say("No enrollment selected")
            return
        enrollment_id, version = row.enrollment_id, row.version

        def save(session: Session, model: EnrollmentUpdate) -> None:
            credentials.update_enrollment(session, enrollment_id, model, now=self.ctx.now(), actor=self.ctx.actor,
                                          expected_version=version)

        self.app.push_screen(EnrollmentEditForm(self.ctx, save, row), self._after_form)

    def action_caqh(self) -> None:
        row: EnrollmentRow | None = self._selected("enrollments", self.enrollments)
        if row is None:
            self.say("Select an enrollment of the provider who re-attested")
            return
        provider_id, name = row.provider_id, row.provider_name

        def attest(session: Session) -> int:
            return credentials.attest_caqh(session, provider_id, self.ctx.today, now=self.ctx.now(),
                                           actor=self.ctx.actor)

        def attested(count: int) -> None:
            self._saved(f"CAQH re-attested today for {name} ({count} enrollment{'s' if count != 1 else ''})" if count
                        else f"{name}'s CAQH attestation is already dated today")

        self.run_write(attest, then=attested, group="records-write")

    def _saved(self, message: str) -> None:
        self.changed = True
        self.say(message)
        self.reload()

    def _after_form(self, saved: bool | None) -> None:
        if saved:
            self._saved("Saved")
