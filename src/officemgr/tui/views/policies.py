"""Policy sign-off screens: a policy's versions (from the Compliance tab), who signed one of them, and the signed-in
person's own policies to sign (from the palette)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Label, Static

from officemgr.services import policies
from officemgr.services.access import Area, may
from officemgr.services.policies import Owed, SignatureCreate, SignerRow, VersionCreate, VersionRow
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.policy import SignatureForm, VersionForm
from officemgr.tui.widgets.base import ListScreen, plain, selected_key

CSS = """
{name} > .policies {{
    width: 95%;
    max-width: 130;
    height: 90%;
    border: thick $accent;
    background: $panel;
    padding: 0 1;
}}
{name} DataTable {{
    height: 1fr;
}}
{name} .policy-line {{
    height: auto;
    max-height: 8;
}}
{name} .policy-hint {{
    color: $text-muted;
}}
"""


def _due(due: object) -> Text:
    return Text(f"{due:%m/%d/%Y}" if due else "")


class PolicyVersionsScreen(ListScreen):
    """One policy's versions, newest first: enter shows who signed, a adds a version (the manager)."""

    DEFAULT_CSS = CSS.format(name="PolicyVersionsScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="policy_versions_close"),
        Binding("a", "add", "Add version", id="policy_versions_add"),
        Binding("enter", "signers", "Who signed", id="policy_versions_signers"),
    ]

    def __init__(self, ctx: AppContext, task_id: int, title: str) -> None:
        super().__init__(ctx)
        self.task_id, self.policy_title = task_id, title
        self.rows: dict[str, VersionRow] = {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="policies"):
            yield Label(Text(f"Policy versions: {self.policy_title}"), classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="policy-versions")
            yield Static("", id="policy-summary", classes="policy-line")
            yield Static(Text("enter who signed · a add a version (manager) · escape close"), classes="policy-hint")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#policy-versions", DataTable)
        table.add_columns("Version", "Effective", "For", "Signed", "Due", "State")
        table.focus()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Adding a version is the manager's alone (the service refuses anyone else too).
        return may(self.ctx.actor, Area.staff) if action == "add" else True

    def fetch(self, session: Session) -> list[VersionRow]:
        return policies.versions(session, self.task_id, self.ctx.today, actor=self.ctx.actor)

    def show(self, data: list[VersionRow]) -> None:
        table: DataTable[Any] = self.query_one("#policy-versions", DataTable)
        keep = selected_key(table)
        table.clear()
        self.rows = {str(r.id): r for r in data}
        for r in data:
            style = "bold red" if r.due is not None and r.due < self.ctx.today else ""
            table.add_row(plain(r.label), Text(f"{r.effective:%m/%d/%Y}"), plain(r.roles_text),
                          Text(f"{r.signed}/{r.applies_to}" if r.state == "in effect" else f"{r.signed} signed"),
                          Text(f"{r.due:%m/%d/%Y}" if r.due else "", style=style), Text(r.state), key=str(r.id))
        if not data:
            table.add_row(Text("No versions yet — press a to add the first"), *(Text("") for _ in range(5)))
        elif keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self._summary()

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._summary()

    def _summary(self) -> None:
        row = self.rows.get(selected_key(self.query_one("#policy-versions", DataTable)) or "")
        line = self.query_one("#policy-summary", Static)
        line.update(Text() if row is None else Text.assemble(
            ("What changed: ", "bold"), plain(row.summary or "—"), "\n", ("Document: ", "bold"),
            plain(row.document or "—")))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_signers()

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        ctx = self.ctx

        def save(session: Session, model: VersionCreate) -> int:
            return policies.add_version(session, model, today=ctx.today, now=ctx.now(), actor=ctx.actor)

        self.app.push_screen(VersionForm(ctx, save, self.task_id, self.policy_title), self._after)

    def action_signers(self) -> None:
        row = self.rows.get(selected_key(self.query_one("#policy-versions", DataTable)) or "")
        if row is None:
            self.say("No version to show: press a to add one", "warning")
            return
        self.app.push_screen(SignersScreen(self.ctx, row), self._after)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.saved()


class SignersScreen(ListScreen):
    """Who signed one version and, for the version in effect, who has not yet; s records a paper signature for the
    selected person (the manager)."""

    DEFAULT_CSS = CSS.format(name="SignersScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="policy_signers_close"),
        Binding("s", "record", "Record signature", id="policy_signers_record"),
    ]

    def __init__(self, ctx: AppContext, version: VersionRow) -> None:
        super().__init__(ctx)
        self.version = version
        self.rows: dict[str, SignerRow] = {}

    def compose(self) -> ComposeResult:
        v = self.version
        with Vertical(classes="policies"):
            yield Label(Text(f"{v.name} (effective {v.effective:%m/%d/%Y}, {v.state}): who signed"),
                        classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="policy-signers")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#policy-signers", DataTable)
        table.add_columns("Staff member", "Signed", "Recorded by", "Role")
        table.focus()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return may(self.ctx.actor, Area.staff) if action == "record" else True

    def fetch(self, session: Session) -> list[SignerRow]:
        return policies.signers(session, self.version.id, self.ctx.today, actor=self.ctx.actor)

    def show(self, data: list[SignerRow]) -> None:
        table: DataTable[Any] = self.query_one("#policy-signers", DataTable)
        table.clear()
        self.rows = {str(r.staff_id): r for r in data}
        for r in data:
            if r.signed_on is not None:
                signed = Text(f"{r.signed_on:%m/%d/%Y}")
            elif r.due is not None and r.due < self.ctx.today:
                signed = Text(f"OVERDUE {r.due:%m/%d/%Y}", style="bold red")
            else:
                signed = Text(f"due {r.due:%m/%d/%Y}" if r.due else "not signed", style="yellow")
            table.add_row(plain(r.name), signed, plain(r.recorded_by), Text(r.role.label), key=str(r.staff_id))
        if not data:
            table.add_row(Text("No one has signed, and no one owes it"), *(Text("") for _ in range(3)))

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_record(self) -> None:
        row = self.rows.get(selected_key(self.query_one("#policy-signers", DataTable)) or "")
        if row is None or row.signed_on is not None:
            self.say("Select someone who has not signed yet", "warning")
            return
        ctx = self.ctx

        def save(session: Session, model: SignatureCreate) -> int:
            return policies.sign(session, model.version_id, model.staff_id, model.signed_on, today=ctx.today,
                                 now=ctx.now(), actor=ctx.actor)

        self.app.push_screen(SignatureForm(ctx, save, self.version.id, row.staff_id,
                                           f"{row.name}, {self.version.name}"), self._after)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.saved()


class MyPoliciesScreen(ListScreen):
    """The signed-in person's policies to sign: the selected one's summary and document below; s then s again
    signs it today."""

    DEFAULT_CSS = CSS.format(name="MyPoliciesScreen")
    BINDINGS = [
        Binding("escape", "close", "Close", id="my_policies_close"),
        Binding("s", "sign", "Sign", id="my_policies_sign"),
    ]

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.rows: dict[str, Owed] = {}
        self.asking: str | None = None  # s was pressed once on this version: s again signs it

    def compose(self) -> ComposeResult:
        with Vertical(classes="policies"):
            yield Label(Text(f"Policies for {self.ctx.actor.name} to sign"), classes="form-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="my-policies")
            yield Static("", id="my-policy-text", classes="policy-line")
            yield Static("", id="my-policy-confirm", classes="policy-line")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Any] = self.query_one("#my-policies", DataTable)
        table.add_columns("Policy", "Version", "Sign by")
        table.focus()
        self._ask(None)
        self.reload()

    def fetch(self, session: Session) -> list[Owed]:
        return policies.my_policies(session, self.ctx.today, actor=self.ctx.actor)

    def show(self, data: list[Owed]) -> None:
        table: DataTable[Any] = self.query_one("#my-policies", DataTable)
        table.clear()
        self.rows = {str(o.version_id): o for o in data}
        for o in data:
            late = o.due < self.ctx.today
            table.add_row(plain(o.title), plain(o.label),
                          Text(f"{o.due:%m/%d/%Y}" + (" overdue" if late else ""), style="bold red" if late else ""),
                          key=str(o.version_id))
        if not data:
            table.add_row(Text("Nothing to sign: you are up to date"), Text(""), Text(""))
        self._text()

    def selected(self) -> Owed | None:
        return self.rows.get(selected_key(self.query_one("#my-policies", DataTable)) or "")

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._text()

    def _text(self) -> None:
        row = self.selected()
        self.query_one("#my-policy-text", Static).update(Text() if row is None else Text.assemble(
            ("What it says: ", "bold"), plain(row.summary or "—"), "\n", ("Read it: ", "bold"),
            plain(row.document or "ask the manager for the document")))

    def _ask(self, row: Owed | None) -> None:
        self.asking = str(row.version_id) if row else None
        line = self.query_one("#my-policy-confirm", Static)
        line.display = row is not None
        if row is not None:
            line.update(Text.assemble(("Sign ", "bold"), plain(row.name),
                                      (" as read and agreed, today? Press s again to sign; any other key does not.",
                                       "bold")))

    def on_key(self, event: events.Key) -> None:
        # Any key but the second s drops the question (keys reach here before their bindings run).
        if self.asking is not None and event.key != "s":
            self._ask(None)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_sign(self) -> None:
        row = self.selected()
        if row is None:
            self.say("Nothing to sign", "warning")
            return
        if self.asking != str(row.version_id):
            self._ask(row)
            return
        self._ask(None)
        ctx = self.ctx
        self.run_write(lambda session: policies.sign(session, row.version_id, row.staff_id, ctx.today,
                                                     today=ctx.today, now=ctx.now(), actor=ctx.actor),
                       f"Signed: {row.name}", group="policy-sign")
