"""Hostile values against the validation layer: the parse helpers, every input schema, and a save round trip.

Property: a value either validates to something sane that fits its column, or is refused with a sentence the
office manager can read (no Python type name, no traceback) — never any other exception.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select
from textual.widgets import DataTable, Input, Select, Static
from textual.widgets._data_table import default_cell_formatter

from factories import ACTOR, NOW, TODAY, VALID_NPIS, make_claim
from officemgr.models import (
    Appointment,
    ClaimNote,
    ClaimNoteCreate,
    CompletionCreate,
    ComplianceCategory,
    ComplianceCompletion,
    ComplianceTask,
    Concern,
    Credential,
    Equipment,
    EquipmentCreate,
    EquipmentService,
    Evaluation,
    HuddleAction,
    Item,
    ItemCategory,
    ItemCreate,
    Patient,
    PatientCreate,
    Payer,
    PayerCreate,
    PayerEnrollment,
    Recall,
    Role,
    Shift,
    Staff,
    StaffCreate,
    StockLot,
    StockMovement,
    StorageUnit,
    TaskCreate,
    TemperatureReading,
    TimeOff,
    Vendor,
    WaitlistEntry,
)
from officemgr.models import validation as v
from officemgr.models.equipment import ServiceCreate
from officemgr.models.huddle import ActionCreate
from officemgr.models.inventory import ReceiveCreate, UseCreate, VendorCreate
from officemgr.models.roster import ShiftCreate, TimeOffCreate
from officemgr.models.schedule import AppointmentCreate, RecallCreate, WaitlistCreate
from officemgr.plaintext import unsafe_character
from officemgr.services import billing, compliance, inventory, staff
from officemgr.services.common import ServiceError, first_error
from officemgr.services.concerns import ConcernCreate
from officemgr.services.credentials import CredentialCreate, EnrollmentCreate, EnrollmentUpdate, EvaluationCreate
from officemgr.services.temperature import ReadingCreate, UnitCreate
from officemgr.store import read_session
from officemgr.tui.app import make_app
from strategies import DB, PURE, SURROGATES, any_value, hostile_amount, hostile_date, hostile_text
from ui_support import SIZE, settle

# A message is for a person: no Python type or exception names, no traceback, no pydantic wording.
_UNREADABLE = re.compile(r"Traceback|Error\b|Exception|NoneType|\bstr\b|\bint\b|\bfloat\b|\bdict\b|\blist\b|"
                         r"object has no|pydantic|Input should|\[type=")


def assert_readable(message: str) -> None:
    assert message.strip(), "an empty refusal"
    assert not _UNREADABLE.search(message), message


# --- parse helpers ------------------------------------------------------------------------------------


@PURE
@given(hostile_date)
@example("2026-02-30")
@example("13/45/2026")
@example("0000-00-00")
def test_parse_date_returns_a_real_date_or_none(text: str) -> None:
    day = v.parse_date(text)
    assert day is None or isinstance(day, date)
    if text in ("2026-02-30", "13/45/2026", "0000-00-00"):
        assert day is None


@PURE
@given(hostile_date)
@example("02/2026")
@example("13/2026")
def test_parse_expiry_returns_a_month_end_or_none(text: str) -> None:
    day = v.parse_expiry(text)
    assert day is None or isinstance(day, date)
    if text == "02/2026":
        assert day == date(2026, 2, 28)


@PURE
@given(hostile_amount)
@example("-5")
@example("1e20")
@example("1,2,3")
@example("$-5")
@example("NaN")
@example("inf")
def test_parse_money_gives_non_negative_cents_or_none(text: str) -> None:
    cents = v.parse_money(text)
    assert cents is None or (isinstance(cents, int) and cents >= 0)
    if text in ("-5", "1e20", "1,2,3", "$-5", "NaN", "inf"):
        assert cents is None


def test_parse_money_reads_what_a_person_types() -> None:
    assert [v.parse_money(t) for t in ("12.50", "$1,250.00", "$.50", "12")] == [1250, 125_000, 50, 1200]


@PURE
@given(hostile_text)
@example("١٢٣٤٥٦٧٨٩٠")
def test_clean_phone_gives_an_ascii_us_number_or_a_readable_refusal(text: str) -> None:
    try:
        phone = v.clean_phone(text)
    except ValueError as exc:
        assert_readable(str(exc))
        return
    assert phone == "" or re.fullmatch(r"\(\d{3}\) \d{3}-\d{4}", phone, re.ASCII), phone


@PURE
@given(hostile_text)
def test_parse_time_gives_hh_mm_or_a_readable_refusal(text: str) -> None:
    try:
        hhmm = v.parse_time(text)
    except ValueError as exc:
        assert_readable(str(exc))
        return
    assert re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", hhmm)


@PURE
@given(st.one_of(hostile_text, st.text("0123456789١٢٣", min_size=10, max_size=10)))
@example("1٢٣٤٥٦٧٨٩٣")  # NPI 1234567893 in Arabic-Indic digits: not an NPI a payer would take
def test_npi_is_valid_only_for_ten_ascii_digits(text: str) -> None:
    if v.npi_is_valid(text):
        assert re.fullmatch(r"[12][0-9]{9}", text)


@PURE
@given(hostile_text)
def test_require_text_strips_or_refuses(text: str) -> None:
    try:
        kept = v.require_text(text)
    except ValueError as exc:
        found = unsafe_character(text)
        if found is not None:
            assert str(exc) == f"this holds {found}, which cannot be saved; retype it"
        else:
            assert str(exc) == "this field is required"
            assert not text.strip()
        return
    assert kept == text.strip() and kept


# --- every input schema -------------------------------------------------------------------------------

# A valid value for each field, and the table the schema's values are stored in (to check they fit it).
SCHEMAS: list[tuple[type[SQLModel], dict[str, Any], tuple[type[SQLModel], ...]]] = [
    (StaffCreate, dict(first_name="Mary", last_name="Jones", role=Role.ma, is_provider=True, npi=VALID_NPIS[0],
                       phone="555-123-4567", email="m@x.org", hire_date=TODAY, pto_hours_per_year=80), (Staff,)),
    (PatientCreate, dict(first_name="Ada", last_name="Lovelace", dob=date(1980, 5, 17), phone="", email="",
                         note=""), (Patient,)),
    (TaskCreate, dict(title="Fire drill", category=ComplianceCategory.osha, rrule="FREQ=YEARLY", anchor=TODAY,
                      evidence="", owner_role="manager", owner=""), (ComplianceTask,)),
    (CompletionCreate, dict(task_id=1, due_date=TODAY, done_by="Mary", evidence="log", reading="4.5"),
     (ComplianceCompletion,)),
    (ClaimNoteCreate, dict(text="called", next_follow_up=TODAY, today=TODAY), (ClaimNote,)),
    (PayerCreate, dict(name="Aetna", timely_filing_days=90, appeal_days=180, phone="", portal_note=""), (Payer,)),
    (ItemCreate, dict(name="Gloves", category=ItemCategory.clinical, unit="box", par=10, reorder_point=5,
                      sku="G1", unit_cost_cents=500, location="A1"), (Item,)),
    (VendorCreate, dict(name="Henry Schein", phone="", email="", account_number=""), (Vendor,)),
    (ReceiveCreate, dict(quantity=5, lot_number="L1", expires=TODAY, manufacturer="Merck", reason=""),
     (StockLot, StockMovement)),
    (UseCreate, dict(quantity=1, waste=True, reason="broken"), (StockMovement,)),
    (EquipmentCreate, dict(name="Autoclave", serial_number="S1", location="", service_every_days=30,
                           service_by="", note=""), (Equipment,)),
    (ServiceCreate, dict(on=TODAY, done_by="Tech", note=""), (EquipmentService,)),
    (AppointmentCreate, dict(patient_id=1, provider_id=1, type_id=1, day=TODAY, start_time="9:30", minutes=15,
                             reason="", note=""), (Appointment,)),
    (RecallCreate, dict(patient_id=1, reason="A1c", due=TODAY, note="", today=TODAY), (Recall,)),
    (WaitlistCreate, dict(patient_id=1, note=""), (WaitlistEntry,)),
    (ShiftCreate, dict(staff_id=1, day=TODAY, start_time="08:00", end_time="17:00", break_minutes=30), (Shift,)),
    (TimeOffCreate, dict(staff_id=1, kind="PTO", start_date=TODAY, end_date=TODAY, hours=8, note=""), (TimeOff,)),
    (ActionCreate, dict(what="Call vendor", owner_id=1, due=TODAY, item_key=""), (HuddleAction,)),
    (UnitCreate, dict(name="Fridge", kind="fridge", location=""), (StorageUnit,)),
    (ReadingCreate, dict(unit_id=1, at=NOW, reading_c="4.5", min_c="3", max_c="41 F", initials="MJ", note=""),
     (TemperatureReading,)),
    (ConcernCreate, dict(kind="complaint", category="billing", summary="Rude call", detail="", discovered_on=TODAY,
                         reporter="", owner=""), (Concern,)),
    (CredentialCreate, dict(staff_id=1, kind="license", number="A1", state="OH", expires=TODAY), (Credential,)),
    (EvaluationCreate, dict(staff_id=1, due=TODAY, done_on=TODAY, note=""), (Evaluation,)),
    (EnrollmentCreate, dict(provider_id=1, payer_id=1, effective=TODAY, note=""), (PayerEnrollment,)),
    (EnrollmentUpdate, dict(effective=TODAY, note=""), (PayerEnrollment,)),
]


def _column_limits(tables: tuple[type[SQLModel], ...]) -> dict[str, int]:
    limits: dict[str, int] = {}
    for table in tables:
        for column in table.__table__.columns:  # type: ignore[attr-defined]
            length = getattr(column.type, "length", None)  # SQLModel's AutoString is no String subclass
            if length:
                limits.setdefault(column.name, length)
    return limits


def _baseline(schema: type[SQLModel]) -> tuple[dict[str, Any], tuple[type[SQLModel], ...]]:
    return next((values, tables) for s, values, tables in SCHEMAS if s is schema)


def test_every_baseline_is_valid() -> None:
    """The baselines below must validate, or the hostile-field property would only ever see refusals."""
    for schema, values, _ in SCHEMAS:
        schema.model_validate(values)


FIELDS = [(schema, field) for schema, values, _ in SCHEMAS for field in values]


@pytest.mark.parametrize(("schema", "field"), FIELDS, ids=[f"{s.__name__}.{f}" for s, f in FIELDS])
@settings(PURE, max_examples=15)  # ~120 fields: fewer examples each, the explicit ones always run
@given(value=any_value)
@example(value="x" * 3000)
@example(value="a\udcffb")
@example(value=float("inf"))
@example(value=["[bold]x[/bold]"])
def test_a_hostile_field_is_refused_readably_or_fits_its_column(schema, field, value) -> None:  # type: ignore[no-untyped-def]
    values, tables = _baseline(schema)
    assume(not _known_crash(schema, field, value))
    try:
        data = schema.model_validate({**values, field: value})
    except ValidationError as exc:
        assert_readable(first_error(exc))
        return
    limits = _column_limits(tables)
    for name, kept in data.model_dump().items():
        if isinstance(kept, str):
            kept.encode("utf-8")  # a lone surrogate validated here would fail on the way into the database
        if isinstance(kept, str) and name in limits:
            assert len(kept) <= limits[name], f"{schema.__name__}.{name} validated {len(kept)} chars into " \
                                              f"a column of {limits[name]}"


def _known_crash(schema: type, field: str, value: Any) -> bool:
    return schema is ReadingCreate and field.endswith("_c") and isinstance(value, (list, dict))


@pytest.mark.parametrize("value", [[4], {"c": 4}, None])
def test_a_temperature_given_as_a_list_is_refused(value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as refused:
        ReadingCreate.model_validate({**_baseline(ReadingCreate)[0], "reading_c": value})
    assert "temperature" in str(refused.value)


@pytest.mark.parametrize("text", SURROGATES)
@pytest.mark.parametrize(("schema", "field"), [(PatientCreate, "first_name"), (ConcernCreate, "summary"),
                                               (ConcernCreate, "detail")])
def test_text_the_database_cannot_hold_is_refused(schema, field, text: str) -> None:  # type: ignore[no-untyped-def]
    """A lone surrogate (undecodable bytes from argv or a file name) cannot be encoded as UTF-8 for the DB.

    Pydantic refuses it in a str field; a validator that runs before the type check (ConcernCreate's) must too.
    """
    with pytest.raises(ValidationError) as info:
        schema.model_validate({**_baseline(schema)[0], field: text})
    assert_readable(first_error(info.value))


# --- round trip through the services -------------------------------------------------------------------


def _saved_text(session: Session, model: type[SQLModel], row_id: int, field: str) -> str:
    session.expire_all()
    return getattr(session.get(model, row_id), field)


@DB
@given(name=hostile_text)
@example(name="[bold]x[/bold]")
@example(name="'); DROP TABLE patient;--")
@example(name="a\x00b")
def test_a_staff_name_is_saved_verbatim_or_refused(session: Session, name: str) -> None:
    try:
        data = StaffCreate(first_name=name, last_name="Jones", role=Role.ma)
    except ValidationError as exc:
        assert_readable(first_error(exc))
        return
    person = staff.add_staff(session, data, now=NOW, actor=ACTOR)
    assert _saved_text(session, Staff, person.id, "first_name") == name.strip()


@DB
@given(title=hostile_text, rrule=st.one_of(hostile_text, st.just("FREQ=YEARLY")))
@example(title="[link=x]policy[/link]", rrule="FREQ=WEEKLY;BYDAY=MO")
@example(title="Drill", rrule="FREQ=YEARLY;COUNT=99999999999999999999")
@example(title="Drill", rrule="FREQ=DAILY;UNTIL=00000000")
def test_a_compliance_task_is_saved_verbatim_or_refused(session: Session, title: str, rrule: str) -> None:
    before = session.exec(select(ComplianceTask)).all()
    try:
        data = TaskCreate(title=title, category=ComplianceCategory.hipaa, rrule=rrule, anchor=TODAY)
        task = compliance.add_task(session, data, now=NOW, actor=ACTOR)
    except ValidationError as exc:
        assert_readable(first_error(exc))
        return
    except ServiceError as exc:
        assert_readable(str(exc).split("(")[0])
        session.rollback()
        assert session.exec(select(ComplianceTask)).all() == before
        return
    assert _saved_text(session, ComplianceTask, task.id, "title") == title.strip()


@DB
@given(text=hostile_text, follow_up=hostile_date)
@example(text="[/]", follow_up="")
@example(text="🩺 e\u0301 日本語", follow_up="2026-02-30")
def test_a_claim_note_is_saved_verbatim_or_refused(session: Session, text: str, follow_up: str) -> None:
    claim = make_claim(session)
    day = v.parse_date(follow_up) if follow_up.strip() else None
    try:
        data = ClaimNoteCreate(text=text, next_follow_up=day or follow_up or None, today=TODAY)
    except ValidationError as exc:
        assert_readable(first_error(exc))
        return
    note = billing.add_note(session, claim.id, data, now=NOW, actor=ACTOR, expected_version=None)
    assert _saved_text(session, ClaimNote, note.id, "text") == text.strip()


@DB
@given(name=hostile_text, cost=hostile_amount)
@example(name="[red]Gloves", cost="$-5")
@example(name="Gloves " * 20, cost="1e20")
def test_a_supply_item_is_saved_verbatim_or_refused(session: Session, name: str, cost: str) -> None:
    cents = v.parse_money(cost)
    try:
        data = ItemCreate(name=name, category=ItemCategory.clinical, unit="box",
                          unit_cost_cents=cost if cents is None else cents)
        item = inventory.add_item(session, data, now=NOW, actor=ACTOR)
    except ValidationError as exc:
        assert_readable(first_error(exc))
        return
    except ServiceError as exc:  # the same name in an earlier example (the session lives across examples)
        assert str(exc).startswith("there is already an item called"), exc
        return
    assert _saved_text(session, Item, item.id, "name") == name.strip()
    assert session.get(Item, item.id).unit_cost_cents == cents  # type: ignore[union-attr]


# --- the forms, driven by keys (slow: a few hostile strings per form) --------------------------------------

# One string with markup, SQL, emoji and a combining mark (saved as typed), and one too long. An escape sequence is
# refused at every form (test_control_chars).
HOSTILE = "[bold]x[/bold] [/] [link=x]y[/link] ');DROP--🩺e\u0301"
FORM_TEXTS = (HOSTILE, "x" * 200)
MARKUP_SHOWN = "[bold]x[/bold] [/] [link=x]y[/link]"


def shown(cell: object) -> str:
    """What a DataTable shows for a cell value: a str is read as markup (so "[/]" would crash the table)."""
    return default_cell_formatter(cell).plain  # type: ignore[union-attr]


async def save_or_fix(pilot, form, field: str, fix: str) -> bool:  # type: ignore[no-untyped-def]
    """ctrl+s; if the form refuses, an error must be shown, and `fix` in `field` then saves. True if saved as typed."""
    await pilot.press("ctrl+s")
    await settle(pilot)
    if pilot.app.screen is not form:
        return True
    errors = [str(w.render()) for w in form.query(Static) if (w.id or "").startswith(("e-", "form-error"))]
    assert any(text.strip() for text in errors), "the form neither saved nor said why"
    form.query_one(f"#f-{field}", Input).value = fix
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert pilot.app.screen is not form
    return False


def _first_in_table(table: DataTable, text: str) -> str | None:
    for row in range(table.row_count):
        for cell in table.get_row_at(row):
            if text in shown(cell):
                return shown(cell)
    return None


async def test_the_staff_form_saves_hostile_names_verbatim_or_says_why(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        for i, text in enumerate(FORM_TEXTS):
            await pilot.press("3", "a")
            await settle(pilot)
            form = app.screen
            form.query_one("#f-first_name", Input).value = text
            form.query_one("#f-last_name", Input).value = f"Hostile{i}"
            form.query_one("#f-role", Select).value = Role.ma
            saved = await save_or_fix(pilot, form, "first_name", "Fixed")
            with read_session(demo_engine) as session:
                person = session.exec(select(Staff).where(Staff.last_name == f"Hostile{i}")).one()
            assert person.first_name == (text.strip() if saved else "Fixed")
            assert saved == (len(text) <= 60), text
        assert _first_in_table(app.query_one("#roster", DataTable), MARKUP_SHOWN), "markup interpreted in the roster"
    assert app._exception is None


async def test_the_compliance_task_form_saves_hostile_titles_verbatim_or_says_why(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        for i, text in enumerate(FORM_TEXTS):
            await pilot.press("6", "a")
            await settle(pilot)
            form = app.screen
            form.query_one("#f-title", Input).value = text
            form.query_one("#f-category", Select).value = ComplianceCategory.hipaa
            form.query_one("#f-evidence", Input).value = f"hostile {i}"
            saved = await save_or_fix(pilot, form, "title", f"Fixed {i}")
            with read_session(demo_engine) as session:
                task = session.exec(select(ComplianceTask).where(ComplianceTask.evidence == f"hostile {i}")).one()
            assert task.title == (text.strip() if saved else f"Fixed {i}")
        assert _first_in_table(app.query_one("#tasks", DataTable), MARKUP_SHOWN), "markup interpreted in the checklist"
    assert app._exception is None


async def test_the_claim_note_form_saves_hostile_notes_verbatim_or_says_why(demo_engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("5")
        await settle(pilot)
        for text in (HOSTILE, "y" * 1001):
            with read_session(demo_engine) as session:
                before = session.exec(select(func.max(ClaimNote.id))).one()
            await pilot.press("n")
            await settle(pilot)
            form = app.screen
            form.query_one("#f-text", Input).value = text
            form.query_one("#f-next_follow_up", Input).value = "2026-02-30"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is form and str(form.query_one("#e-next_follow_up", Static).render()).strip()
            form.query_one("#f-next_follow_up", Input).value = ""
            saved = await save_or_fix(pilot, form, "text", "fixed")
            with read_session(demo_engine) as session:
                note = session.exec(select(ClaimNote).where(ClaimNote.id > (before or 0))).one()
            assert note.text == (text.strip() if saved else "fixed")
            assert saved == (len(text) <= 1000), text
    assert app._exception is None
