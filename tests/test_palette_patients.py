"""ctrl+p finds a patient by name, date of birth or phone digits and opens their record, for those who may see
patients; a name is shown as typed, never read as markup. And the Remittances lists (opened from the palette)
fit an 80-column screen."""

from __future__ import annotations

from collections import Counter

from sqlmodel import col, select
from textual.command import CommandPalette
from textual.widgets import DataTable, Label

from factories import make_patient
from officemgr.models import Patient
from officemgr.services.access import Actor
from officemgr.store import read_session, write_session
from officemgr.tui.app import make_app
from officemgr.tui.commands import PATIENT_HITS
from officemgr.tui.views.patient_record import PatientRecordScreen
from officemgr.tui.views.remittances import (
    LIST_COLUMNS,
    NARROW_LIST_COLUMNS,
    NARROW_UNMATCHED_COLUMNS,
    UNMATCHED_COLUMNS,
    RemittancesScreen,
)
from ui_support import SIZE, TODAY, settle


def someone(engine) -> Patient:  # type: ignore[no-untyped-def]
    """A demo patient no other patient shares a last name with, and with a phone."""
    with read_session(engine) as session:
        kept = list(session.exec(select(Patient).where(col(Patient.merged_into).is_(None))))
    counts = Counter(p.last_name.lower() for p in kept)
    return next(p for p in sorted(kept, key=lambda p: p.id or 0) if counts[p.last_name.lower()] == 1 and p.phone)


def label(p: Patient) -> str:
    return f"Patient: {p.last_name}, {p.first_name} · {p.dob:%m/%d/%Y} · #{p.account}"


async def palette_titles(pilot, typed: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What the palette lists for `typed` (first lines), leaving it open."""
    await pilot.press("ctrl+p", *typed)
    await settle(pilot)
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    return [str(option.prompt).split("\n")[0] for option in palette.query_one("CommandList").options]


async def close_palette(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("escape")
    await settle(pilot)


async def test_a_last_name_finds_the_patient_and_enter_opens_their_record(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    patient = someone(sqlite_demo_engine)
    app = make_app(sqlite_demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_titles(pilot, patient.last_name)
        assert titles[0] == label(patient)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PatientRecordScreen) and app.screen.patient_id == patient.id
        title = str(app.screen.query_one("#record-title", Label).render())
        assert title.startswith(f"{patient.last_name}, {patient.first_name}") and f"#{patient.account}" in title


async def test_a_date_of_birth_or_the_last_four_phone_digits_find_the_patient(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    patient = someone(sqlite_demo_engine)
    assert patient.phone is not None
    app = make_app(sqlite_demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert label(patient) in await palette_titles(pilot, f"{patient.dob:%m/%d/%Y}")
        await close_palette(pilot)
        digits = "".join(ch for ch in patient.phone if ch.isdigit())
        assert label(patient) in await palette_titles(pilot, digits[-4:])


async def test_at_most_eight_patients_and_none_for_one_letter(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(sqlite_demo_engine) as session:
        for n in range(PATIENT_HITS + 2):
            make_patient(session, first_name=f"Twin{n}", last_name="Quokka")
    app = make_app(sqlite_demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [t for t in await palette_titles(pilot, "Q") if t.startswith("Patient: ")] == []
        await close_palette(pilot)
        found = [t for t in await palette_titles(pilot, "Quokka") if t.startswith("Patient: ")]
        assert len(found) == PATIENT_HITS and found[0].startswith("Patient: Quokka, Twin0 · ")


async def test_a_patient_comes_before_a_loose_command_and_a_command_before_a_loose_patient(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(sqlite_demo_engine) as session:
        make_patient(session, first_name="Zed", last_name="Harrow", account="MRN7")
        make_patient(session, first_name="Ann", last_name="Schedler", account="MRN8")
    app = make_app(sqlite_demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_titles(pilot, "Harro")
        # "Harro" is in "Purchase orders and what to order today" too, scattered.
        assert titles[0].startswith("Patient: Harrow, Zed · ") and "Purchase orders and what to order today" in titles
        await close_palette(pilot)
        titles = await palette_titles(pilot, "Sched")
        assert titles[0] == "Schedule" and any(t.startswith("Patient: Schedler, Ann · ") for t in titles)


async def test_a_role_that_may_not_see_patients_gets_no_patient(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    patient = someone(sqlite_demo_engine)
    app = make_app(sqlite_demo_engine, today=TODAY, actor=Actor("nobody", ()))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # not settle: no tab is this user's, so the one on screen may never load
        titles = await palette_titles(pilot, patient.last_name)
        assert not [t for t in titles if t.startswith("Patient: ")]


async def test_a_name_with_markup_shows_as_typed(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    with write_session(sqlite_demo_engine) as session:
        odd = make_patient(session, first_name="Zebedee", last_name="[b]Quux[/b]", account="MRN42")
    app = make_app(sqlite_demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = await palette_titles(pilot, "Zebedee")
        assert f"Patient: [b]Quux[/b], Zebedee · {odd.dob:%m/%d/%Y} · #MRN42" in titles


def headers_shown(screen: RemittancesScreen) -> tuple[list[str], bool]:
    """The list's column headers, and whether all its columns fit the table's width (none cut at the right)."""
    table = screen.query_one("#remits-table", DataTable)
    assert table.row_count == 2  # the demo's two remittances, or its two unmatched payments
    fits = table.virtual_size.width <= table.scrollable_content_region.width
    return [str(c.label) for c in table.columns.values()], fits


async def test_the_remittances_lists_fit_80_columns_and_show_every_column_when_wide(sqlite_demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(sqlite_demo_engine, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_remittances()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RemittancesScreen)
        assert headers_shown(screen) == (list(NARROW_LIST_COLUMNS), True)
        await pilot.press("u")
        await settle(pilot)
        assert headers_shown(screen) == (list(NARROW_UNMATCHED_COLUMNS), True)
        # Made wider, the same screen shows every column.
        await pilot.resize_terminal(*SIZE)
        await settle(pilot)
        assert headers_shown(screen) == (list(UNMATCHED_COLUMNS), True)
        await pilot.press("u")
        await settle(pilot)
        assert headers_shown(screen) == (list(LIST_COLUMNS), True)
