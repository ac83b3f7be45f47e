"""The vaccine temperature log: parsing, validation, excursions opening incidents, missing workdays, demo rows."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from factories import ACTOR, NOW, TODAY, at, audit_events, make_staff
from officemgr import store
from officemgr.demo._db import _transaction
from officemgr.demo._types import Person
from officemgr.demo.vaccine import EXCURSION_C, FREEZER, FRIDGE, _add_vaccine_storage
from officemgr.models import (
    ClosureCreate,
    Concern,
    ConcernCategory,
    ConcernKind,
    ConcernStatus,
    Role,
    Setting,
    StorageKind,
    StorageUnit,
    TemperatureReading,
)
from officemgr.services import calendar, temperature
from officemgr.services.common import ServiceError
from officemgr.services.temperature import ReadingCreate, UnitCreate, UnitRow, parse_temperature


def add_unit(session: Session, name: str = "Fridge A", kind: StorageKind = StorageKind.fridge) -> UnitRow:
    return temperature.add_unit(session, UnitCreate(name=name, kind=kind), now=NOW - timedelta(days=60), actor=ACTOR)


def retire(session: Session, unit: UnitRow) -> None:
    stored = session.get(StorageUnit, unit.id)
    assert stored is not None
    stored.active = False
    session.add(stored)
    session.commit()


def reading(unit: UnitRow, value: object = "5.0", **overrides: object) -> ReadingCreate:
    values = {"unit_id": unit.id, "at": at(8, 5), "reading_c": value, "initials": "mj", **overrides}
    return ReadingCreate.model_validate(values)


def errors_of(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {str(e["loc"][0]): e["msg"].removeprefix("Value error, ") for e in exc.value.errors()}


# -------------------------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(("text", "celsius"), [
    ("4.5", 4.5), ("4.5 C", 4.5), ("4.5c", 4.5), ("41 F", 5.0), ("40F", 4.444444444), ("-20 c", -20.0),
    ("−20 °C", -20.0), ("  8 ", 8.0), ("32 f", 0.0), ("-4 F", -20.0), (".5", 0.5), ("4,5", 4.5), (7, 7.0),
])
def test_parse_temperature_accepts_celsius_and_fahrenheit(text: str, celsius: float) -> None:
    assert parse_temperature(text) == celsius


@pytest.mark.parametrize("text", ["", "warm", "4 5", "5 K", "4.5 CC", "F"])
def test_parse_temperature_refuses_what_is_not_a_temperature(text: str) -> None:
    with pytest.raises(ValueError, match="temperature"):
        parse_temperature(text)


# -------------------------------------------------------------------------------------------- validation


def test_reading_schema_cleans_input(session: Session) -> None:
    unit = add_unit(session)
    data = reading(unit, "41 F", min_c="38 F", max_c="7.5", initials=" m.j. ", note="  ok ")
    assert (data.reading_c, data.min_c, data.max_c, data.initials, data.note) == (5.0, 3.333333333, 7.5, "MJ", "ok")


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"reading_c": "95"}, "reading_c", "is not a temperature a vaccine fridge or freezer can show"),
    ({"reading_c": "-120 C"}, "reading_c", "check the number"),
    ({"reading_c": ""}, "reading_c", "enter the temperature shown now"),
    ({"reading_c": "cold"}, "reading_c", "a temperature looks like"),
    ({"min_c": "6", "max_c": "4", "reading_c": "5"}, "min_c", "cannot be above the current reading"),
    ({"min_c": "3", "max_c": "4.5"}, "max_c", "cannot be below the current reading"),
    ({"initials": "M"}, "initials", "2 to 4 letters"),
    ({"initials": "M4J"}, "initials", "2 to 4 letters"),
    ({"initials": "ABCDE"}, "initials", "2 to 4 letters"),
    ({"initials": ""}, "initials", "initials of whoever read"),
])
def test_impossible_values_are_refused_with_a_reason(session: Session, overrides: dict, field: str,
                                                     words: str) -> None:
    unit = add_unit(session)
    with pytest.raises(ValidationError) as exc:
        reading(unit, **overrides)
    assert words in errors_of(exc)[field]


def test_min_above_max_is_named_on_the_max(session: Session) -> None:
    unit = add_unit(session)
    # The reading itself failed, so only the min/max pair can be compared.
    with pytest.raises(ValidationError) as exc:
        reading(unit, "oops", min_c="6", max_c="4")
    assert "cannot be below the minimum" in errors_of(exc)["max_c"]


# -------------------------------------------------------------------------------------------- units


def test_add_unit_audits_and_refuses_a_second_of_the_same_name(session: Session) -> None:
    unit = add_unit(session, "Vaccine fridge")
    assert [(e.entity, e.entity_id, e.action) for e, _ in audit_events(session)] == [
        ("storage_unit", unit.id, "create")]
    with pytest.raises(ServiceError, match="already a unit called"):
        add_unit(session, "vaccine FRIDGE")
    rows = temperature.units(session)
    assert [(u.name, u.kind, u.low, u.high, u.range_label) for u in rows] == [
        ("Vaccine fridge", StorageKind.fridge, 2.0, 8.0, "2–8 °C")]


# -------------------------------------------------------------------------------------------- logging


def test_in_range_reading_opens_no_concern(session: Session) -> None:
    unit = add_unit(session)
    result = temperature.log_reading(session, reading(unit, "5.1", min_c="2.0", max_c="8.0"), now=NOW, actor=ACTOR)
    assert result.concern is None and not result.excursion
    assert session.exec(select(Concern)).all() == []
    saved = session.get(TemperatureReading, result.reading.id)
    assert (saved.reading_c, saved.min_c, saved.max_c, saved.initials, saved.at) == (5.1, 2.0, 8.0, "MJ", at(8, 5))
    event, changes = audit_events(session, "temperature_reading")[0]
    assert (event.entity_id, event.action, event.actor, changes["reading_c"]) == (saved.id, "create", ACTOR, 5.1)


def test_excursion_opens_a_temperature_concern_with_the_reading(engine: Engine, session: Session) -> None:
    unit = add_unit(session)
    when = datetime(2026, 11, 20, 8, 5)  # logged late: discovered Friday, reported Monday
    result = temperature.log_reading(session, reading(unit, "9.1", at=when, min_c="4.0", max_c="9.4",
                                                      note="door ajar"), now=NOW, actor=ACTOR)
    assert result.excursion
    with store.read_session(engine) as other:  # committed, both rows
        concern = other.exec(select(Concern)).one()
        saved = other.get(TemperatureReading, result.reading.id)
    assert saved is not None
    assert concern.id == result.concern.id and concern.reading_id == saved.id
    assert (concern.kind, concern.category, concern.status) == (
        ConcernKind.temperature, ConcernCategory.vaccine_storage, ConcernStatus.open)
    assert concern.summary == "Fridge A 9.1 °C at 08:05, logger max 9.4 °C since last check (range 2–8 °C)"
    assert (concern.discovered_on, concern.reported_on, concern.due, concern.reporter) == (
        date(2026, 11, 20), TODAY, TODAY, "MJ")
    assert concern.resolution == "" and concern.closed_on is None
    assert "door ajar" in concern.detail and "do not use" in concern.detail
    events = [(e.entity, e.entity_id, e.at) for e, _ in audit_events(session) if e.entity != "storage_unit"]
    assert events == [("temperature_reading", saved.id, NOW), ("concern", concern.id, NOW)]


def test_the_result_is_a_read_model_of_the_reading_and_its_incident(session: Session) -> None:
    unit = add_unit(session)
    ok = temperature.log_reading(session, reading(unit, "5.1"), now=NOW, actor=ACTOR)
    assert (ok.reading.unit_id, ok.reading.at, ok.reading.reading_c, ok.concern) == (unit.id, at(8, 5), 5.1, None)
    warm = temperature.log_reading(session, reading(unit, "9.1", at=at(8, 6)), now=NOW, actor=ACTOR)
    concern = session.exec(select(Concern)).one()
    assert warm.concern == temperature.OpenedIncident(concern.id, concern.summary)
    assert warm.reading == temperature.LoggedReading(concern.reading_id, unit.id, at(8, 6), 9.1)


def test_reading_summary_matches_the_example(session: Session) -> None:
    unit = add_unit(session)
    result = temperature.log_reading(session, reading(unit, "9.1"), now=NOW, actor=ACTOR)
    assert result.concern.summary == "Fridge A 9.1 °C at 08:05 (range 2–8 °C)"


@pytest.mark.parametrize(("overrides", "words"), [
    ({"reading_c": "5", "min_c": "1.5", "max_c": "6"}, "logger min 1.5 °C"),
    ({"reading_c": "5", "min_c": "3", "max_c": "8.3"}, "logger max 8.3 °C"),
    ({"reading_c": "1.9"}, "Fridge A 1.9 °C"),
    ({"reading_c": "47 F"}, "Fridge A 8.33 °C"),
])
def test_min_or_max_outside_the_range_is_an_excursion_too(session: Session, overrides: dict, words: str) -> None:
    unit = add_unit(session)
    result = temperature.log_reading(session, reading(unit, **overrides), now=NOW, actor=ACTOR)
    assert result.concern is not None and words in result.concern.summary


def test_range_edges_are_in_range(session: Session) -> None:
    unit = add_unit(session)
    result = temperature.log_reading(session, reading(unit, "8", min_c="2", max_c="8"), now=NOW, actor=ACTOR)
    assert result.concern is None


@pytest.mark.parametrize(("typed", "kind", "excursion", "shown"), [
    ("46.42 F", StorageKind.fridge, True, "8.01 °C"),     # 8.011 °C: a tenth would show 8.0 and hide it
    ("46.4 F", StorageKind.fridge, False, "8.0 °C"),      # exactly 8.0 °C: the top end is in range
    ("35.6 F", StorageKind.fridge, False, "2.0 °C"),      # exactly 2.0 °C: the bottom end
    ("35.58 F", StorageKind.fridge, True, "1.99 °C"),     # 1.989 °C: a tenth would show 2.0
    ("5 F", StorageKind.freezer, False, "-15.0 °C"),      # exactly -15 °C
    ("5.02 F", StorageKind.freezer, True, "-14.99 °C"),   # -14.989 °C: a tenth would show -15.0
])
def test_fahrenheit_is_checked_in_full_precision_before_rounding_for_display(
        session: Session, typed: str, kind: StorageKind, excursion: bool, shown: str) -> None:
    unit = add_unit(session, "Unit", kind)
    result = temperature.log_reading(session, reading(unit, typed), now=NOW, actor=ACTOR)
    assert result.excursion is excursion
    assert temperature.degrees(result.reading.reading_c) == shown
    assert [row.out_of_range for row in temperature.log_for(session, unit.id, TODAY, TODAY)] == [excursion]


def test_freezer_has_its_own_range(session: Session) -> None:
    freezer = add_unit(session, "Freezer", StorageKind.freezer)
    ok = temperature.log_reading(session, reading(freezer, "-20 C", min_c="-24", max_c="-16"), now=NOW, actor=ACTOR)
    assert ok.concern is None
    warm = temperature.log_reading(session, reading(freezer, "-12", at=at(8, 10)), now=NOW, actor=ACTOR)
    assert warm.concern.summary == "Freezer -12.0 °C at 08:10 (range -50 to -15 °C)"
    # A fridge temperature in a freezer is an excursion; in a fridge it is fine.
    fridge = add_unit(session, "Fridge")
    assert temperature.log_reading(session, reading(fridge, "-20"), now=NOW, actor=ACTOR).concern is not None


def test_the_range_is_a_setting(session: Session) -> None:
    unit = add_unit(session)
    session.add(Setting(key="temperature_ranges", value='{"fridge": [2, 9], "freezer": [-50, -15]}'))
    session.commit()
    assert temperature.log_reading(session, reading(unit, "8.7"), now=NOW, actor=ACTOR).concern is None
    assert temperature.units(session)[0].range_label == "2–9 °C"


def test_excursion_and_reading_are_one_transaction(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    unit = add_unit(session)
    original = temperature.record

    def failing(session: Session, **kwargs: object) -> None:
        if kwargs["entity"] == "concern":
            raise RuntimeError("disk full")
        original(session, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(temperature, "record", failing)
    with pytest.raises(RuntimeError):
        temperature.log_reading(session, reading(unit, "9.5"), now=NOW, actor=ACTOR)
    session.rollback()
    assert session.exec(select(TemperatureReading)).all() == []
    assert session.exec(select(Concern)).all() == []


def test_refused_writes(session: Session) -> None:
    unit = add_unit(session)
    with pytest.raises(ServiceError, match="time still to come"):
        temperature.log_reading(session, reading(unit, at=NOW + timedelta(hours=1)), now=NOW, actor=ACTOR)
    temperature.log_reading(session, reading(unit), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="already logged"):
        temperature.log_reading(session, reading(unit), now=NOW, actor=ACTOR)
    retire(session, unit)
    with pytest.raises(ServiceError, match="retired"):
        temperature.log_reading(session, reading(unit, at=at(8, 6)), now=NOW, actor=ACTOR)
    assert len(session.exec(select(TemperatureReading)).all()) == 1


def test_log_for_is_newest_first_and_flags_out_of_range(session: Session) -> None:
    unit = add_unit(session)
    other = add_unit(session, "Fridge B")
    day = TODAY - timedelta(days=3)
    for when, value in ((at(8, 0, day), "5"), (at(8, 0, TODAY - timedelta(days=1)), "8.6"), (at(8, 1), "4")):
        temperature.log_reading(session, reading(unit, value, at=when), now=NOW, actor=ACTOR)
    temperature.log_reading(session, reading(other, "5"), now=NOW, actor=ACTOR)
    temperature.log_reading(session, reading(unit, "5", at=at(8, 0, TODAY - timedelta(days=10))), now=NOW,
                            actor=ACTOR)
    rows = temperature.log_for(session, unit.id, day, TODAY)
    assert [(r.at, r.reading_c, r.out_of_range) for r in rows] == [
        (at(8, 1), 4.0, False), (at(8, 0, TODAY - timedelta(days=1)), 8.6, True), (at(8, 0, day), 5.0, False)]
    concern = session.exec(select(Concern)).one()
    assert (rows[1].concern_id, rows[1].concern_status) == (concern.id, ConcernStatus.open)
    assert rows[0].concern_id is None


# -------------------------------------------------------------------------------------------- missing


def test_missing_readings_skip_the_weekend(session: Session) -> None:
    fridge, freezer = add_unit(session), add_unit(session, "Freezer", StorageKind.freezer)
    thursday, friday, monday = date(2026, 11, 19), date(2026, 11, 20), TODAY
    for day in (thursday, monday):
        temperature.log_reading(session, reading(fridge, at=at(8, 0, day)), now=NOW, actor=ACTOR)
    temperature.log_reading(session, reading(freezer, "-20", at=at(8, 0, friday)), now=NOW, actor=ACTOR)
    missing = temperature.missing_readings(session, thursday, monday)
    assert [(u.name, d) for u, d in missing] == [
        ("Fridge A", friday), ("Freezer", thursday), ("Freezer", monday)]


def test_no_reading_is_expected_on_a_holiday_or_a_closure(session: Session) -> None:
    fridge = add_unit(session)
    calendar.add_closure(session, ClosureCreate(day=date(2026, 11, 24), reason="Flooded"), now=NOW, actor=ACTOR)
    calendar.add_closure(session, ClosureCreate(day=date(2026, 11, 25), reason="Half day", closes_at=time(12)),
                         now=NOW, actor=ACTOR)
    # Mon 11/23 to Mon 11/30: Tue closed, Wed a half day (open), Thanksgiving, Fri open, the weekend.
    missing = temperature.missing_readings(session, TODAY, date(2026, 11, 30))
    assert [d for unit, d in missing if unit.id == fridge.id] == [
        TODAY, date(2026, 11, 25), date(2026, 11, 27), date(2026, 11, 30)]


def test_missing_readings_cross_a_year_end_and_a_leap_day(session: Session) -> None:
    temperature.add_unit(session, UnitCreate(name="New fridge", kind=StorageKind.fridge),
                         now=datetime(2026, 11, 20, 15), actor=ACTOR)
    # New Year's Day 2027 is a Friday.
    assert [d for _, d in temperature.missing_readings(session, date(2026, 12, 31), date(2027, 1, 4))] == [
        date(2026, 12, 31), date(2027, 1, 4)]
    assert [d for _, d in temperature.missing_readings(session, date(2028, 2, 28), date(2028, 3, 1))] == [
        date(2028, 2, 28), date(2028, 2, 29), date(2028, 3, 1)]


def test_missing_readings_start_when_the_unit_was_added(session: Session) -> None:
    temperature.add_unit(session, UnitCreate(name="New fridge", kind=StorageKind.fridge),
                         now=datetime(2026, 11, 20, 15), actor=ACTOR)
    assert [d for _, d in temperature.missing_readings(session, date(2026, 11, 2), TODAY)] == [
        date(2026, 11, 20), TODAY]
    assert temperature.missing_readings(session, TODAY, TODAY - timedelta(days=1)) == []


def test_a_retired_unit_misses_nothing(session: Session) -> None:
    unit = add_unit(session)
    retire(session, unit)
    assert temperature.missing_readings(session, TODAY - timedelta(days=7), TODAY) == []


# -------------------------------------------------------------------------------------------- demo


def demo_rows(seed: int) -> tuple[Engine, dict[str, int], list[tuple], list[tuple], list[tuple]]:
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    with store.write_session(engine) as session:
        staff = [make_staff(session, first_name=first, last_name=last, role=role)
                 for first, last, role in (("Mary", "Jones", Role.ma), ("Ken", "Ito", Role.nurse),
                                           ("Ann", "Lee", Role.manager))]
        people = [Person(s.id, s.first_name, s.last_name, s.role) for s in staff]
    with _transaction(engine) as conn:
        counts = _add_vaccine_storage(conn, random.Random(f"{seed}:vaccine"), people, TODAY)
    tables = []
    with engine.connect() as conn:
        for model in (StorageUnit, TemperatureReading, Concern):
            table = model.__table__  # type: ignore[attr-defined]
            tables.append([tuple(r) for r in conn.execute(sa_select(table).order_by(table.c.id))])
    return engine, counts, *tables  # type: ignore[return-value]


def test_demo_is_deterministic_and_tells_the_story() -> None:
    engine, counts, units, readings, concerns = demo_rows(1)
    _, counts_again, *again = demo_rows(1)
    assert (counts_again, again) == (counts, [units, readings, concerns])
    _, _, _, other_readings, _ = demo_rows(2)
    assert other_readings != readings
    assert counts == {"storage_units": 2, "temperature_readings": len(readings), "concerns": 1}
    with store.read_session(engine) as session:
        by_name = {u.name: u for u in temperature.units(session)}
        assert set(by_name) == {FRIDGE, FREEZER}
        assert by_name[FRIDGE].kind is StorageKind.fridge and by_name[FREEZER].kind is StorageKind.freezer
        all_rows = session.exec(select(TemperatureReading)).all()
        first = TODAY - timedelta(days=60)
        assert min(r.at for r in all_rows).date() >= first
        assert all(r.at.weekday() < 5 and time(7, 30) <= r.at.time() <= time(9, 30) for r in all_rows)
        assert all(r.initials in {"MJ", "KI"} for r in all_rows)
        # Every reading in range but the excursion three workdays ago (Wednesday 11/18).
        ranges = {u.id: u for u in by_name.values()}
        out = [r for r in all_rows if any(ranges[r.unit_id].out_of_range(v) for v in (r.reading_c, r.min_c, r.max_c))]
        assert [(r.at.date(), r.reading_c) for r in out] == [(date(2026, 11, 18), EXCURSION_C)]
        fridge = [r for r in all_rows if r.unit_id == by_name[FRIDGE].id and r.id != out[0].id]
        freezer = [r for r in all_rows if r.unit_id == by_name[FREEZER].id]
        assert all(3.5 <= r.reading_c <= 6.5 or r.note for r in fridge)
        assert all(-25 <= r.reading_c <= -18 and r.min_c <= r.reading_c <= r.max_c for r in freezer)
        concern = session.exec(select(Concern)).one()
        assert (concern.kind, concern.status, concern.reading_id, concern.resolution) == (
            ConcernKind.temperature, ConcernStatus.open, out[0].id, "")
        assert concern.summary.startswith(f"{FRIDGE} 9.2 °C at ")
        assert concern.discovered_on == date(2026, 11, 18)
        # Two workdays in the last two weeks nobody logged (both units), none before; today is logged.
        missing = temperature.missing_readings(session, first, TODAY)
        days = sorted({d for _, d in missing})
        assert len(days) == 2 and len(missing) == 4
        assert all(TODAY - timedelta(days=14) <= d < TODAY for d in days)
        flagged = temperature.log_for(session, by_name[FRIDGE].id, TODAY - timedelta(days=29), TODAY)
        assert [r.concern_id for r in flagged if r.out_of_range] == [concern.id]
    engine.dispose()


def test_demo_on_a_weekend_today() -> None:
    engine = store.create_engine_for("sqlite://")
    SQLModel.metadata.create_all(engine)
    saturday = date(2026, 11, 28)
    with _transaction(engine) as conn:
        counts = _add_vaccine_storage(conn, random.Random("1:vaccine"), [Person(1, "Mary", "Jones", Role.ma)],
                                      saturday)
    with store.read_session(engine) as session:
        concern = session.exec(select(Concern)).one()
        # Fri 11/27, Wed 11/25, Tue 11/24: three business days back, over Thanksgiving.
        assert concern.discovered_on == date(2026, 11, 24)
        assert counts["concerns"] == 1
    engine.dispose()
