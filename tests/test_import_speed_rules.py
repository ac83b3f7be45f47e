"""Issue 20 item 13: imports are linear in rows. Counted, not timed: the SQL statements an import runs do not grow
with its rows (the schedule is read per day, the file's rows are indexed, the writes are batched), and neither
does the Python work per row; the conflict checks on indexed data say what availability.conflicts says."""

from __future__ import annotations

import cProfile
import pstats
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, func, select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    EraClaim,
    make_appointment,
    make_appointment_type,
    make_claim,
    make_patient,
    make_payer,
    make_provider,
    make_time_off,
    write_835,
)
from officemgr.models import Appointment, ClaimStatus, ScheduleBlock
from officemgr.services import availability, era, interop

HEADER = "date,time,minutes,provider,patient_last,patient_first,dob,type"
DAYS = [TODAY + timedelta(days=d) for d in (1, 2, 3, 4)]  # Tuesday to Friday (Thanksgiving, 11/26, is closed)


@pytest.fixture
def practice(session: Session) -> None:
    make_provider(session)  # Grace Hopper, weekdays 08:00-17:00, lunch 12:00-13:00
    make_provider(session, first_name="Alan", last_name="Turing", npi="1558598797")
    make_appointment_type(session, name="Follow-up", minutes=15)


def appointments_file(tmp_path: Path, tag: str, first: int, step: int) -> Path:
    """Bookings in every `step`-th free 15-minute slot from the `first`, over the same three open days and both
    providers, each for a new patient: files with different `first` and even `step` never clash."""
    lunch = range(16, 20)  # 12:00-13:00, in quarter hours from 08:00
    slots = [(day, provider, datetime.combine(day, time(8)) + timedelta(minutes=15 * quarter))
             for day in DAYS if day != date(2026, 11, 26) for provider in ("Grace Hopper", "Alan Turing")
             for quarter in range(36) if quarter not in lunch]
    lines = [f"{day:%m/%d/%Y},{start:%H:%M},15,{provider},{tag}{n},Pat,01/02/1970,Follow-up"
             for n, (day, provider, start) in enumerate(slots[first::step])]
    path = tmp_path / f"{tag}.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements run on the session's connection meanwhile."""
    seen: list[str] = []
    engine = session.get_bind()

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def reads(seen: list[str]) -> list[str]:
    return [statement for statement in seen if statement.lstrip().upper().startswith("SELECT")]


def writes(seen: list[str]) -> list[str]:
    return [statement for statement in seen if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def calls(work: Callable[[], object]) -> Counter[str]:
    """How many times `work` calls each Python function, by name (deterministic, unlike its time)."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        work()
    finally:
        profile.disable()
    found = Counter[str]()
    for (_, _, function), stat in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]  # untyped
        found[function] += stat[1]
    return found


def parses(counted: Counter[str]) -> int:
    """The strptime calls among `counted` (the issue counted 151k of them for 300 rows)."""
    return sum(times for function, times in counted.items() if "strptime" in function)


def booked(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Appointment)).one()


def test_appointment_import_statements_do_not_grow_with_rows(session: Session, practice: None,
                                                              tmp_path: Path) -> None:
    small, large = appointments_file(tmp_path, "Small", 1, 8), appointments_file(tmp_path, "Large", 0, 2)

    with statements(session) as few:
        interop.import_appointments(session, small, now=NOW, actor=ACTOR)
    with statements(session) as many:
        interop.import_appointments(session, large, now=NOW, actor=ACTOR)

    assert booked(session) == 24 + 96
    # Reads per day and per batch, never per row (today: about 9 per row); the rows written with one INSERT per
    # table. Only audit events go one statement a row (the ORM's inserts on SQLite), in the same flush.
    assert len(reads(many)) == len(reads(few))
    # On PostgreSQL the ORM sends the audit events as one multi-row INSERT too.
    audited_one_by_one = session.get_bind().dialect.name == "sqlite"
    assert len(writes(many)) - len(writes(few)) == (2 * (96 - 24) if audited_one_by_one else 0)


def test_appointment_import_work_per_row_does_not_grow(session: Session, practice: None, tmp_path: Path) -> None:
    small, large = appointments_file(tmp_path, "Small", 1, 8), appointments_file(tmp_path, "Large", 0, 2)

    few = calls(lambda: interop.import_appointments(session, small, now=NOW, actor=ACTOR))
    many = calls(lambda: interop.import_appointments(session, large, now=NOW, actor=ACTOR))

    # Linear: the larger file costs no more per row (its fixed costs are spread thinner), and parses each time
    # once. Comparing each row with every earlier one, as before, made it about 4 times as much per row.
    assert booked(session) == 24 + 96
    assert sum(many.values()) / 96 < 1.1 * sum(few.values()) / 24
    assert parses(many) / 96 <= parses(few) / 24 <= 5  # a handful a row: its time, read by the schema


def test_a_double_book_within_a_large_file_is_still_refused(session: Session, practice: None,
                                                            tmp_path: Path) -> None:
    path = appointments_file(tmp_path, "Large", 0, 2)
    lines = path.read_text(encoding="utf-8").splitlines()
    day, start, _, provider, *_ = lines[-1].split(",")
    lines.append(f"{day},{start},15,{provider},Extra,Pat,01/02/1970,Follow-up")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    double_book = r"line 98: overlaps line 97 with the same provider \(double-book\)"
    with pytest.raises(interop.ImportRefused, match=double_book):
        interop.import_appointments(session, path, now=NOW, actor=ACTOR)

    assert booked(session) == 0


def test_the_indexed_checks_say_what_availability_conflicts_says(session: Session, practice: None) -> None:
    hopper, turing = interop._Lookup(session).providers
    ada = make_patient(session)
    kind = make_appointment_type(session, name="Long visit", minutes=45)
    tuesday = TODAY + timedelta(days=1)
    make_appointment(session, patient=ada, provider=hopper, appt_type=kind, start=datetime.combine(tuesday, time(10)))
    make_appointment(session, provider=turing, appt_type=kind, start=datetime.combine(tuesday, time(15, 30)))
    make_time_off(session, turing, start_date=TODAY + timedelta(days=4))
    session.add(ScheduleBlock(provider_id=hopper.id, day=tuesday, start=time(16), end=time(17), reason="Meeting"))
    session.commit()
    schedule = interop._Schedule(session, interop._Lookup(session))
    checked = 0
    for day in [TODAY + timedelta(days=d) for d in range(1, 7)]:  # a holiday, time off, a Saturday, a Sunday
        for provider in (hopper, turing):
            assert provider.id is not None and ada.id is not None
            for minutes in range(7 * 60, 18 * 60, 20):
                start = datetime.combine(day, time(minutes // 60, minutes % 60))
                for patient_id in (ada.id, -1):
                    for end in (start + timedelta(minutes=30), datetime.combine(day + timedelta(days=1), time(0, 30))):
                        mine = schedule.conflicts(provider_id=provider.id, patient_id=patient_id, start=start, end=end)
                        theirs = availability.conflicts(session, provider_id=provider.id, patient_id=patient_id,
                                                        start=start, end=end)
                        assert mine == theirs, (provider.name, start, end, patient_id)
                        checked += bool(mine)
    assert checked > 100  # the grid met every kind of conflict, not only free slots


def _era_file(session: Session, tmp_path: Path, claims: int, tag: str, payer: Any) -> Path:
    numbers = [f"{tag}{n:04d}" for n in range(claims)]
    for number in numbers:
        make_claim(session, number=number, payer=payer, status=ClaimStatus.pending, billed_cents=15_000)
    return write_835(tmp_path / f"{tag}.835", [EraClaim(n, "1", 15_000, 10_000, adjustments=[("CO", "45", 5_000)])
                                               for n in numbers], check=tag, payer=payer.name.upper())


def test_posting_an_835_runs_the_same_statements_for_any_number_of_claims(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session, name="Acme Health Plan")
    small, large = _era_file(session, tmp_path, 10, "S", payer), _era_file(session, tmp_path, 80, "L", payer)

    with statements(session) as few:
        era.post_file(session, small, today=TODAY, now=NOW, actor=ACTOR)
    with statements(session) as many:
        result = era.post_file(session, large, today=TODAY, now=NOW, actor=ACTOR)

    assert result.posted == 80
    assert len(reads(many)) == len(reads(few))  # today: about 5 per claim payment


def test_posting_an_835_costs_no_more_per_claim_as_it_grows(session: Session, tmp_path: Path) -> None:
    payer = make_payer(session, name="Acme Health Plan")
    small, large = _era_file(session, tmp_path, 20, "S", payer), _era_file(session, tmp_path, 80, "L", payer)

    per_claim_small = sum(calls(lambda: era.post_file(session, small, today=TODAY, now=NOW, actor=ACTOR)).values()) / 20
    per_claim_large = sum(calls(lambda: era.post_file(session, large, today=TODAY, now=NOW, actor=ACTOR)).values()) / 80

    assert per_claim_large < 1.1 * per_claim_small


