"""The Billing tab driven by keys: open a claim and read its history (notes and status changes in one list) and
its diagnoses checked against ICD-10-CM, snooze a claim with a follow-up note, move it along its status flow
(only legal next statuses offered, a denial with its CARC code and meaning, bad amounts refused with nothing
saved), filter the queue with f and clear it, page, the A/R view, and the CARC codes. Each test checks the
database and what the screen shows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Label, OptionList, Select, Static

from factories import make_claim, make_patient, make_payer
from officemgr.models import CarcCode, Claim, ClaimDiagnosis, ClaimEvent, ClaimNote, ClaimStatus, NoteAction
from officemgr.services import billing
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.claim_note import ClaimNoteForm
from officemgr.tui.forms.claim_status import ClaimStatusForm, QueueFilterForm
from officemgr.tui.views.billing import clip
from officemgr.tui.views.billing_ar import ArPanel
from officemgr.tui.views.carc_codes import CarcForm, CarcScreen
from officemgr.tui.views.claim_detail import ClaimScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    """A practice with three payers and four open claims (the CARC codes come seeded by the migrations).

    Returns (engine, claim ids by name): `new` submitted to Aetna 20 days ago with a billable and a
    non-billable diagnosis and some history; `pending` at Medicare; `accepted` at Medicare; `denied` by Cigna.
    """
    engine = practice_engine
    with write_session(engine) as session:
        aetna = make_payer(session, name="Aetna", timely_filing_days=90, phone="(555) 300-1000")
        medicare = make_payer(session, name="Medicare", timely_filing_days=365)
        cigna = make_payer(session, name="Cigna", timely_filing_days=180, appeal_days=180)
        ada = make_patient(session, first_name="Ada", last_name="Lovelace")
        alan = make_patient(session, first_name="Alan", last_name="Turing")
        grace = make_patient(session, first_name="Grace", last_name="Hopper")
        new = make_claim(session, number="CL-NEW", patient=ada, payer=aetna, service_date=days(-20),
                         billed_cents=18_000, submitted_on=days(-19), last_activity=days(-5))
        pending = make_claim(session, number="CL-PEND", patient=alan, payer=medicare, service_date=days(-40),
                             billed_cents=20_000, status=ClaimStatus.pending, submitted_on=days(-39),
                             last_activity=days(-3))
        accepted = make_claim(session, number="CL-ACC", patient=grace, payer=medicare, service_date=days(-10),
                              billed_cents=9_000, status=ClaimStatus.accepted, submitted_on=days(-9),
                              last_activity=days(-2))
        denied = make_claim(session, number="CL-DEN", patient=alan, payer=cigna, service_date=days(-60),
                            billed_cents=30_000, status=ClaimStatus.denied, submitted_on=days(-58),
                            denial_code="197", denial_group="CO", denied_on=days(-10), last_activity=days(-10))
        session.add_all([ClaimDiagnosis(claim_id=new.id, position=1, code="E11.9"),
                         ClaimDiagnosis(claim_id=new.id, position=2, code="E11")])
        session.add(ClaimEvent(claim_id=new.id, at=datetime.combine(days(-19), time(9)), actor="kim",
                               from_status="draft", to_status="submitted", text="sent via clearinghouse"))
        session.add(ClaimNote(claim_id=new.id, at=datetime.combine(days(-5), time(14)), actor="lee",
                              action=NoteAction.called_payer, text="in review, call back in a week"))
        session.commit()
        ids = {"new": new.id, "pending": pending.id, "accepted": accepted.id, "denied": denied.id}
    yield engine, ids
    engine.dispose()


def fixed_app(engine, said: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    """The app at 10:30 on TODAY, recording its notifications (message, severity)."""
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # patient and payer names, notes and meanings are user text
        said.append((message, severity))

    app.notify = notify  # type: ignore[method-assign]
    return app


async def press(pilot, *keys: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*keys)
    await settle(pilot)


async def open_tab(app, pilot, claim_id: int | None = None):  # type: ignore[no-untyped-def]
    """Show the Billing tab with the cursor on `claim_id`; returns the queue table."""
    await settle(pilot)
    await press(pilot, "5")
    queue = app.query_one("#queue", DataTable)
    if claim_id is not None:
        queue.move_cursor(row=queue.get_row_index(str(claim_id)))
        await settle(pilot)
    return queue


def rows(table: DataTable) -> list[list[str]]:  # type: ignore[type-arg]
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(widget) -> str:  # type: ignore[no-untyped-def]
    return str(widget.render()) if widget.display else ""


def error_text(form, name: str) -> str:  # type: ignore[no-untyped-def]
    return text_of(form.query_one(f"#e-{name}" if name != "form" else "#form-error", Static))


def claim(engine, claim_id: int) -> Claim:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.get(Claim, claim_id)


async def test_opening_a_claim_shows_its_history_and_flags_a_diagnosis_that_cannot_be_billed(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, ids["new"])
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, ClaimScreen)
        history = rows(screen.query_one("#history", DataTable))
        # Notes and status changes in one list, newest first.
        assert [r[2] for r in history] == ["called payer", "draft → submitted"]
        assert history[0][4] == "in review, call back in a week" and history[1][1] == "kim"
        diagnoses = rows(screen.query_one("#diagnoses", DataTable))
        assert diagnoses[0][1] == "E11.9" and diagnoses[0][2].startswith("✓ Type 2 diabetes")
        assert diagnoses[1][1] == "E11" and "not a billable code" in diagnoses[1][2]
        assert "1 to fix" in str(screen.query_one("#dx-title", Label).render())
        await press(pilot, "escape")
        assert not isinstance(app.screen, ClaimScreen)


async def test_a_follow_up_note_takes_the_claim_out_of_the_queue_until_its_date(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_tab(app, pilot, ids["pending"])
        assert str(ids["pending"]) in {k.value for k in queue.rows}
        await press(pilot, "n")
        form = app.screen
        assert isinstance(form, ClaimNoteForm)
        form.query_one("#f-action", Select).value = NoteAction.called_payer
        form.query_one("#f-next_follow_up", Input).value = "13/45/2026"
        await press(pilot, "ctrl+s")
        assert app.screen is form and error_text(form, "next_follow_up")
        form.query_one("#f-next_follow_up", Input).value = f"{days(14):%m/%d/%Y}"
        form.query_one("#f-text", Input).value = "Medicare says in process"
        await press(pilot, "ctrl+s")
        assert app.screen is not form
        assert str(ids["pending"]) not in {k.value for k in app.query_one("#queue", DataTable).rows}
    assert ("Follow-up saved", "information") in said
    row = claim(engine, ids["pending"])
    assert row.next_follow_up == days(14) and row.last_activity == TODAY
    with read_session(engine) as session:
        note = session.exec(select(ClaimNote).where(ClaimNote.claim_id == ids["pending"])).one()
    assert (note.action, note.text, note.actor) == (NoteAction.called_payer, "Medicare says in process", "kim")


async def test_a_note_from_the_claim_view_is_saved_and_the_claim_opens_again_with_it(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, ids["accepted"])
        await press(pilot, "enter")
        assert isinstance(app.screen, ClaimScreen)
        await press(pilot, "n")
        form = app.screen
        assert isinstance(form, ClaimNoteForm)
        form.query_one("#f-text", Input).value = "asked for an ETA"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ClaimScreen)
        history = rows(app.screen.query_one("#history", DataTable))
        assert history[0][1:3] == ["kim", "note"] and history[0][4] == "asked for an ETA"
        assert history[0][0] == f"{NOW:%m/%d/%Y %H:%M}"
    assert ("Follow-up saved", "information") in said
    assert claim(engine, ids["accepted"]).last_activity == TODAY


async def test_opening_a_claim_that_was_deleted_meanwhile_says_so(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, ids["accepted"])
        with write_session(engine) as session:
            session.delete(session.get(Claim, ids["accepted"]))
            session.commit()
        await press(pilot, "enter")
        assert not isinstance(app.screen, ClaimScreen)
    assert ("that claim no longer exists — reload", "error") in said


async def test_status_offers_only_the_legal_next_statuses(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, ids["new"])
        await press(pilot, "s")
        form = app.screen
        assert isinstance(form, ClaimStatusForm)
        await press(pilot, "enter")  # open the status list
        options = form.query_one(OptionList)
        offered = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "accepted" in offered and "rejected" in offered
        assert not {"closed", "appealed", "submitted", "draft"} & set(offered)  # illegal from submitted
        await press(pilot, *["down"] * offered.index("accepted"), "enter")
        assert form.query_one("#f-to", Select).value is ClaimStatus.accepted
        # Nothing else is asked for an acceptance.
        assert not form.query_one("#f-denial_code").parent.display
        assert not form.query_one("#f-paid_cents").parent.display
        await press(pilot, "ctrl+s")
        assert app.screen is not form
    assert ("Claim CL-NEW: submitted → accepted", "information") in said
    assert claim(engine, ids["new"]).status is ClaimStatus.accepted
    with read_session(engine) as session:
        event = session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == ids["new"])
                             .order_by(ClaimEvent.id.desc())).first()
    assert (event.from_status, event.to_status, event.actor) == ("submitted", "accepted", "kim")


async def test_denying_needs_a_carc_code_and_shows_its_meaning(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    before = claim(engine, ids["pending"])
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, ids["pending"])
        await press(pilot, "s")
        form = app.screen
        form.query_one("#f-to", Select).value = ClaimStatus.denied
        await settle(pilot)
        assert form.query_one("#f-denial_code").parent.display
        await press(pilot, "ctrl+s")
        assert "CARC code" in error_text(form, "denial_code")
        form.query_one("#f-denial_code", Input).value = "XYZ!"
        await press(pilot, "ctrl+s")
        assert "a CARC code is" in error_text(form, "denial_code")
        assert claim(engine, ids["pending"]).version == before.version  # nothing saved
        form.query_one("#f-denial_code", Input).value = "50"
        await settle(pilot)
        assert text_of(form.query_one("#carc-meaning", Static)) == "Not deemed a medical necessity by the payer"
        form.query_one("#f-denial_group", Select).value = "CO"
        await press(pilot, "ctrl+s")
        assert app.screen is not form
        row = app.query_one("#queue", DataTable).get_row(str(ids["pending"]))
        assert str(row[6]) == "denied" and str(row[9]).startswith("50 Not deemed")
    after = claim(engine, ids["pending"])
    assert (after.status, after.denial_code, after.denial_group, after.denied_on) == (
        ClaimStatus.denied, "50", "CO", TODAY)


async def test_a_payment_with_a_bad_amount_is_refused_and_nothing_is_saved(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    before = claim(engine, ids["accepted"])
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot, ids["accepted"])
        await press(pilot, "s")
        form = app.screen
        form.query_one("#f-to", Select).value = ClaimStatus.paid
        await settle(pilot)
        paid = form.query_one("#f-paid_cents", Input)
        assert paid.value == "90.00"  # paid in full: the balance, to confirm or change
        form.query_one("#f-to", Select).value = ClaimStatus.partly_paid
        await settle(pilot)
        for bad, message in (("12.345", "dollars and cents"), ("abc", "dollars and cents"),
                             ("-5", "more than $0.00"), ("0", "more than $0.00")):
            paid.value = bad
            await press(pilot, "ctrl+s")
            assert message in error_text(form, "paid_cents"), bad
        paid.value = "950.00"  # more than billed: the service refuses, the form says why
        await press(pilot, "ctrl+s")
        assert app.screen is form and "more than the claim's billed amount ($90.00)" in error_text(form, "form")
        assert claim(engine, ids["accepted"]).version == before.version
        paid.value = "$60.50"
        await press(pilot, "ctrl+s")
        assert app.screen is not form
    after = claim(engine, ids["accepted"])
    assert (after.status, after.paid_cents) == (ClaimStatus.partly_paid, 6050)


async def test_closing_a_denied_claim_asks_why_and_the_claim_view_shows_the_denial(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_tab(app, pilot, ids["denied"])
        assert str(queue.get_row(str(ids["denied"]))[9]).startswith("197 Precertific")
        # The line under the queue shows the highlighted claim in full.
        assert ("denied CO-197: Precertification, notification or authorization absent"
                in text_of(app.query_one("#billing-row", Static)))
        await press(pilot, "enter")
        screen = app.screen
        assert "Denied CO-197: Precertification, notification or authorization absent" in text_of(
            screen.query_one("#claim-denial", Static))
        await press(pilot, "s")  # from the claim view: the status form, then the claim again
        form = app.screen
        assert isinstance(form, ClaimStatusForm)
        form.query_one("#f-to", Select).value = ClaimStatus.closed
        await settle(pilot)
        await press(pilot, "ctrl+s")
        assert "choose how" in error_text(form, "close_reason")
        form.query_one("#f-close_reason", Select).value = "written_off"
        await press(pilot, "ctrl+s")
        assert "why the balance is written off" in error_text(form, "note")
        assert claim(engine, ids["denied"]).status is ClaimStatus.denied
        form.query_one("#f-note", Input).value = "no auth on file; under $500 policy"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ClaimScreen)
        # Workflow 8: the write-off is recorded with its reason, and the history and balance say so.
        newest = rows(app.screen.query_one("#history", DataTable))[0]
        assert newest[2] == "denied → written off"
        assert "no auth on file; under $500 policy" in newest[4] and "wrote off $" in newest[4]
        assert "balance $0.00" in text_of(app.screen.query_one("#claim-summary", Static))
        await press(pilot, "escape")
        assert str(ids["denied"]) not in {k.value for k in app.query_one("#queue", DataTable).rows}
    after = claim(engine, ids["denied"])
    assert (after.status, after.close_reason.value, after.close_note) == (
        ClaimStatus.closed, "written_off", "no auth on file; under $500 policy")
    assert after.balance_cents == 0 and after.written_off_cents > 0


async def test_filtering_the_queue_by_payer_and_clearing_it(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_tab(app, pilot)
        assert queue.row_count == 4
        await press(pilot, "f")
        form = app.screen
        assert isinstance(form, QueueFilterForm)
        form.query_one("#f-denial_code", Input).value = "no such!"
        await press(pilot, "ctrl+s")
        assert "a CARC code" in error_text(form, "denial_code")
        form.query_one("#f-denial_code", Input).value = ""
        payers = dict(form.payers)
        form.query_one("#f-payer_id", Select).value = payers["Medicare"]
        await press(pilot, "ctrl+s")
        assert app.screen is not form
        assert sorted(r[0] for r in rows(queue)) == ["CL-ACC", "CL-PEND"]
        title = str(app.query_one("#billing-title", Label).render())
        assert "filtered: payer Medicare" in title
        await press(pilot, "F")
        assert queue.row_count == 4 and "filtered" not in str(app.query_one("#billing-title", Label).render())
        # Status and a denial code, then escape clears them too.
        await press(pilot, "f")
        app.screen.query_one("#f-status", Select).value = ClaimStatus.denied
        app.screen.query_one("#f-denial_code", Input).value = "co-197"
        await press(pilot, "ctrl+s")
        assert [r[0] for r in rows(queue)] == ["CL-DEN"]
        assert "status denied, denial CO-197" in str(app.query_one("#billing-title", Label).render())
        await press(pilot, "escape")
        assert queue.row_count == 4


async def test_the_queue_pages_and_filters_on_the_demo(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        total = billing.work_queue(session, TODAY, actor="tests").total
        first = billing.work_queue(session, TODAY, actor="tests").rows[0]
        payer_total = billing.work_queue(session, TODAY, filters=billing.QueueFilter(payer_id=first.payer_id),
                                         actor="tests").total
    assert total > 2 * billing.PAGE
    said: list[tuple[str, str]] = []
    app = fixed_app(demo_engine, said)
    async with app.run_test(size=SIZE) as pilot:
        queue = await open_tab(app, pilot)
        status = app.query_one("#view-billing #status", Static)
        assert f"rows 1–40 of {total:,}" in text_of(status)
        await press(pilot, "pagedown")
        assert f"rows 41–80 of {total:,}" in text_of(status)
        await press(pilot, "pagedown", "pageup")
        assert f"rows 41–80 of {total:,}" in text_of(status)
        await press(pilot, "f")
        app.screen.query_one("#f-payer_id", Select).value = first.payer_id
        await press(pilot, "ctrl+s")
        assert f"rows 1–{min(40, payer_total)} of {payer_total:,}" in text_of(status)
        assert {r[4] for r in rows(queue)} == {clip(first.payer_name, 16)}
        assert {r.payer_id for r in app.query_one("#view-billing").rows.values()} == {first.payer_id}
        # Days to deadline in bold red under 15 days.
        urgent = [queue.get_row_at(i)[1] for i in range(queue.row_count)]
        assert all(cell.style == "bold red" for cell in urgent if "passed" in cell.plain)


async def test_the_ar_view_shows_aging_by_payer_kpis_and_denials(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot)
        await press(pilot, "v")
        panel = app.query_one(ArPanel)
        assert panel.display and not app.query_one("#queue").display
        aging = rows(panel.query_one("#aging", DataTable))
        payers = [r[0] for r in aging]
        assert set(payers) == {"Aetna", "Medicare", "Cigna", "Total"} and payers[-1] == "Total"
        assert aging[-1][-1] == "$770.00"  # 180 + 200 + 90 + 300 open
        kpis = text_of(panel.query_one("#kpis", Static))
        assert "Days in A/R" in kpis and "target" in kpis
        assert "from date of service" in str(panel.query_one("#ar-title", Label).render())
        assert panel.query_one("#ar-chart").display
        # enter on a payer: back to the queue, filtered to that payer.
        table = panel.query_one("#aging", DataTable)
        table.move_cursor(row=payers.index("Cigna"))
        await press(pilot, "enter")
        assert not panel.display
        assert [r[0] for r in rows(app.query_one("#queue", DataTable))] == ["CL-DEN"]
        await press(pilot, "v", "v")
        assert app.query_one(ArPanel).display is False


async def test_editing_and_adding_carc_codes(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[tuple[str, str]] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await open_tab(app, pilot)
        await press(pilot, "c")
        screen = app.screen
        assert isinstance(screen, CarcScreen)
        table = screen.query_one("#carc-table", DataTable)
        table.move_cursor(row=table.get_row_index("197"))
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, CarcForm)
        form.query_one("#f-meaning", Input).value = "   "
        await press(pilot, "ctrl+s")
        assert "say what the code means" in error_text(form, "meaning")
        form.query_one("#f-meaning", Input).value = "No prior authorization: get it [retro] and resubmit"
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        assert str(table.get_row("197")[1]) == "No prior authorization: get it [retro] and resubmit"
        await press(pilot, "a")
        form = app.screen
        for code, message in (("", "the code as"), ("co-197", "197 is already in the list"), ("B-7!", "a CARC code is"),
                              ("1234", "a CARC code is")):
            form.query_one("#f-code", Input).value = code
            form.query_one("#f-meaning", Input).value = "Something"
            await press(pilot, "ctrl+s")
            assert message in error_text(form, "code"), code
        form.query_one("#f-code", Input).value = "b7"
        form.query_one("#f-meaning", Input).value = "Provider not certified for this procedure on this date"
        await press(pilot, "ctrl+s")
        assert app.screen is screen and str(table.get_row("B7")[0]) == "B7"
        await press(pilot, "escape")
        # The denied claim's row shows the new meaning.
        row = app.query_one("#queue", DataTable).get_row(str(ids["denied"]))
        assert str(row[9]).startswith("197 No prior")
    with read_session(engine) as session:
        meanings = {c.code: c.meaning for c in session.exec(select(CarcCode))}
    assert meanings["197"] == "No prior authorization: get it [retro] and resubmit"
    assert meanings["B7"] == "Provider not certified for this procedure on this date"


def test_the_app_starts_without_the_chart_library_or_the_icd_code_set() -> None:
    """Both load only when needed (the A/R view, a claim's diagnoses), so they never slow the start."""
    import subprocess
    import sys

    code = ("import sys, officemgr.tui.app; "
            "print(sorted(m for m in ('textual_plotext', 'plotext', 'simple_icd_10_cm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
