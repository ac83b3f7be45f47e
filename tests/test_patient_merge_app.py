"""Duplicate patient records on the Patients screen by keys: merge one into another (m: find the record to keep,
compare, ctrl+s), see merged records (M) and undo a merge (U twice); who may, and what is refused. Registering a
look-alike offers the record on file instead ("use this one")."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, OptionList, Static

from factories import make_appointment, make_claim, make_patient
from officemgr.models import Appointment, AuditEvent, Claim, EntryKind, LedgerEntry, Patient
from officemgr.services import ledger, patients
from officemgr.services.access import Actor, UserRole
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.merge import MergeScreen
from officemgr.tui.forms.patient import PatientForm
from officemgr.tui.views.patients import PatientsScreen
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(9, 15))


def owe(session, patient: Patient, cents: int, claim: Claim | None = None) -> None:  # type: ignore[no-untyped-def]
    session.add(LedgerEntry(patient_id=patient.id, day=TODAY, at=NOW, actor="test", kind=EntryKind.sent_to_patient,
                            amount_cents=cents, claim_id=claim.id if claim else None))
    session.commit()


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    """Ada Lovelace (#000777, owes $10.00) and her duplicate Augusta Lovelace (#A-888: a visit, a claim, owes
    $40.00 on it), and Charles Babbage (#000999)."""
    with write_session(practice_engine) as session:
        ada = make_patient(session, account="000777")
        owe(session, ada, 1_000)
        dup = make_patient(session, first_name="Augusta", phone="(555) 987-6543", account="A-888")
        make_appointment(session, patient=dup)
        owe(session, dup, 4_000, make_claim(session, patient=dup))
        make_patient(session, first_name="Charles", last_name="Babbage", dob=date(1971, 12, 26), account="000999")
        ids = {"ada": ada.id, "dup": dup.id}
    yield practice_engine, ids
    practice_engine.dispose()


def fixed_app(engine, said: list[str], actor: str = "hb"):  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor=actor)

    def notify(message: str, *, severity: str = "information", markup: bool = True, **_: Any) -> None:
        assert markup is False  # names are user text
        said.append(message)

    app.notify = notify  # type: ignore[method-assign]
    return app


def rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def patients_screen(app, pilot, text: str) -> PatientsScreen:  # type: ignore[no-untyped-def]
    screen = PatientsScreen(app.ctx, text)
    app.push_screen(screen)
    await settle(pilot)
    screen.query_one("#patient-table", DataTable).focus()
    return screen


def select_row(screen: PatientsScreen, patient_id: int) -> None:
    table = screen.query_one("#patient-table", DataTable)
    table.move_cursor(row=table.get_row_index(str(patient_id)))


async def open_merge(app, pilot, screen: PatientsScreen, gone_id: int) -> MergeScreen:  # type: ignore[no-untyped-def]
    select_row(screen, gone_id)
    await pilot.press("m")
    await settle(pilot)
    merge = app.screen
    assert isinstance(merge, MergeScreen)
    return merge


def followers_of(engine, patient_id: int) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return (len(session.exec(select(Appointment).where(Appointment.patient_id == patient_id)).all()),
                len(session.exec(select(Claim).where(Claim.patient_id == patient_id)).all()),
                ledger.balance(session, patient_id))


async def test_merge_a_duplicate_into_the_record_kept_then_undo_it(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[str] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await patients_screen(app, pilot, "lovelace")
        merge = await open_merge(app, pilot, screen, ids["dup"])
        await pilot.press("ctrl+s")  # nothing chosen yet
        await settle(pilot)
        assert "Choose the record to keep first" in str(merge.query_one("#merge-message", Static).render())

        await pilot.press(*"lovelace")
        await settle(pilot)
        hits = merge.query_one("#merge-hits", DataTable)
        assert [r[0] for r in rows(hits)] == ["Lovelace, Ada"]  # not the record being merged away
        await pilot.press("enter", "enter")  # to the list, then compare
        await settle(pilot)
        compare = rows(merge.query_one("#merge-compare", DataTable))
        assert compare[0] == ["Name", "Lovelace, Augusta", "Lovelace, Ada"]
        assert ["Account", "A-888", "000777"] in compare
        assert ["Visits", "1", "0"] in compare and ["Claims", "1", "0"] in compare
        assert ["Balance", "$40.00", "$10.00"] in compare
        assert "3 records move" in str(merge.query_one("#merge-message", Static).render())
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert app.screen is screen
        assert any(m.startswith("Lovelace, Augusta merged into Lovelace, Ada (#000777): 3 records moved") for m in said)
        assert rows(screen.query_one("#patient-table", DataTable)) == [
            ["Lovelace, Ada", "05/17/1980", "46", "(555) 123-4567", "000777", "$50.00"]]
        assert followers_of(engine, ids["ada"]) == (1, 1, 5_000)
        assert followers_of(engine, ids["dup"]) == (0, 0, 0)
        with read_session(engine) as session:
            assert session.get(Patient, ids["dup"]).merged_into == ids["ada"]  # type: ignore[union-attr]
            assert patients.search(session, "augusta") == []
            merges = session.exec(select(AuditEvent).where(AuditEvent.action == "merge")).all()
            assert {(e.entity, e.actor) for e in merges} == {("appointment", "hb"), ("claim", "hb"),
                                                              ("ledger_entry", "hb"), ("patient", "hb")}

        # M shows the merged record; U asks, U again undoes the merge.
        await pilot.press("M")
        await settle(pilot)
        table = screen.query_one("#patient-table", DataTable)
        # The search is the account kept: the records merged into it show under it.
        assert [r[0] for r in rows(table)] == ["Lovelace, Ada", "Lovelace, Augusta (merged into #000777)"]
        assert "1 merged record shown (M hides them)" in str(screen.query_one("#patient-title").render())
        select_row(screen, ids["dup"])
        await pilot.press("U")
        await settle(pilot)
        assert said[-1].startswith("Undo merging Lovelace, Augusta (#A-888) into Lovelace, Ada (#000777)?")
        assert followers_of(engine, ids["dup"]) == (0, 0, 0)  # asked only
        await pilot.press("U")
        await settle(pilot)
        assert said[-1] == "Lovelace, Augusta (#A-888) is on file again: 3 records moved back"
        assert [r[0] for r in rows(table)] == ["Lovelace, Augusta"]
    assert followers_of(engine, ids["dup"]) == (1, 1, 4_000)
    assert followers_of(engine, ids["ada"]) == (0, 0, 1_000)
    with read_session(engine) as session:
        assert session.get(Patient, ids["dup"]).merged_into is None  # type: ignore[union-attr]


async def test_a_record_merged_meanwhile_is_refused_in_words(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    app = fixed_app(engine, [])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await patients_screen(app, pilot, "lovelace")
        merge = await open_merge(app, pilot, screen, ids["dup"])
        await pilot.press(*"000777", "enter", "enter")
        await settle(pilot)
        with write_session(engine) as session:  # another desk merges the record to keep into Charles meanwhile
            [charles] = patients.search(session, "babbage")
            patients.merge(session, charles.id, ids["ada"], actor="other", now=NOW)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is merge
        assert str(merge.query_one("#merge-message", Static).render()) == (
            "one of these records was already merged into another; search again")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
    assert followers_of(engine, ids["dup"]) == (1, 1, 4_000)


async def test_the_front_desk_may_not_merge(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[str] = []
    app = fixed_app(engine, said, actor=Actor("kim", {UserRole.front_desk}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await patients_screen(app, pilot, "lovelace")
        select_row(screen, ids["dup"])
        await pilot.press("m")
        await settle(pilot)
        assert app.screen is screen
        assert said[-1].startswith("Merging records moves their visits and claims: it needs a manager")
    assert followers_of(engine, ids["dup"]) == (1, 1, 4_000)


async def test_registering_a_look_alike_offers_the_record_on_file(office) -> None:  # type: ignore[no-untyped-def]
    engine, ids = office
    said: list[str] = []
    app = fixed_app(engine, said)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await patients_screen(app, pilot, "babbage")
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PatientForm)
        for name, value in {"last_name": "Lovelace", "first_name": "Ada", "dob": "05/17/2015"}.items():
            form.query_one(f"#f-{name}", Input).value = value
        await pilot.press("ctrl+s")
        await settle(pilot)
        # A minor without a guarantor: said under the guarantor's field, in words.
        error = form.query_one("#e-guarantor_name", Static)
        assert error.display and str(error.render()).startswith("a patient under 18 needs a guarantor")
        form.query_one("#f-dob", Input).value = "05/17/1980"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        choices = form.query_one("#look-alikes", OptionList)
        assert choices.has_focus and choices.option_count == 1
        assert "#000777" in str(choices.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert said[-1] == "Lovelace, Ada is already registered (account #000777): nothing new was saved"
        table = screen.query_one("#patient-table", DataTable)
        assert rows(table)[0][4] == "000777" and table.cursor_row == 0
    with read_session(engine) as session:
        assert len(session.exec(select(Patient).where(Patient.first_name == "Ada")).all()) == 1


# --- the services the screens read ------------------------------------------------------------------------


def test_search_finds_an_account_number_with_letters_and_merged_records_only_when_asked(session) -> None:  # type: ignore[no-untyped-def]
    ada = make_patient(session, account="MRN-12")
    dup = make_patient(session, first_name="Augusta", account="A-888")
    make_patient(session, first_name="Charles", last_name="Babbage", dob=date(1971, 12, 26))
    assert [h.id for h in patients.search(session, "mrn-12")] == [ada.id]
    assert patients.search(session, ",") == []
    patients.merge(session, ada.id, dup.id, actor="hb", now=NOW)
    assert [h.id for h in patients.search(session, "lovelace")] == [ada.id]
    [merged] = patients.search_merged(session, "lovelace")
    assert (merged.hit.id, merged.hit.account, merged.into.id, merged.into.account) == (dup.id, "A-888", ada.id,
                                                                                         "MRN-12")
    assert [m.hit.id for m in patients.search_merged(session, "")] == [dup.id]  # empty: every merged record
    assert [m.hit.id for m in patients.search_merged(session, "MRN-12")] == [dup.id]  # merged into the one found
    assert patients.search_merged(session, "babbage") == []


def test_follower_counts_are_what_a_merge_moves(session) -> None:  # type: ignore[no-untyped-def]
    ada = make_patient(session)
    dup = make_patient(session, first_name="Augusta")
    make_appointment(session, patient=dup)
    owe(session, dup, 4_000, make_claim(session, patient=dup, patient_resp_cents=4_000))
    counts = patients.follower_counts(session, dup.id)
    assert (counts["appointment"], counts["claim"], counts["ledger_entry"], sum(counts.values())) == (1, 1, 1, 3)
    assert sum(patients.follower_counts(session, ada.id).values()) == 0
    assert patients.merge(session, ada.id, dup.id, actor="hb", now=NOW) == sum(counts.values())
    assert patients.follower_counts(session, ada.id) == counts
