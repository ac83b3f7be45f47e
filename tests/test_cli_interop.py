"""`officemgr import appointments FILE` and `officemgr export ics`: exit codes, messages, what is written."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlmodel import func, select

from factories import TODAY, at, make_appointment, make_appointment_type, make_patient, make_provider
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import os_account
from officemgr.models import Appointment, AppointmentType, Patient, Staff, UserAccount

HEADER = "date,time,provider,patient_last,patient_first,dob,type,reason"
GOOD = [
    "11/24/2026,09:00,Grace Hopper,Lovelace,Ada,05/17/1980,Follow-up,BP check",
    "11/24/2026,10:00,1234567893,Babbage,Charles,12/26/1971,Follow-up,",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A practice database: Grace Hopper (NPI 1234567893), a Follow-up type, Ada Lovelace with one visit today."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        hopper = make_provider(session)
        follow_up = make_appointment_type(session, name="Follow-up", minutes=15)
        make_appointment(session, patient=make_patient(session), provider=hopper, appt_type=follow_up, start=at(9))
        # The practice's manager, linked to the account running the tests: commands act as her without a PIN.
        session.add(UserAccount(login="pat", name="Pat Manager", roles="manager", pin_hash="-",
                                os_user=os_account()))
        session.commit()
    engine.dispose()
    return path


def counts(path: Path) -> tuple[int, int]:
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return (session.exec(select(func.count()).select_from(Appointment)).one(),
                    session.exec(select(func.count()).select_from(Patient)).one())
    finally:
        engine.dispose()


def csv_file(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "appointments.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_import_books_the_file_and_says_so_in_one_line(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, *GOOD)

    # Global options after the subcommand's own arguments.
    assert main(["import", "appointments", str(path), "--db", str(db), "--today", "2026-11-23"]) == 0

    assert capsys.readouterr().out.splitlines() == ["Imported 2 appointments from appointments.csv (1 new patient)."]
    assert counts(db) == (3, 2)


def test_import_with_global_options_first(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, GOOD[1])

    assert main(["--db", str(db), "--today", "2026-11-23", "import", "appointments", str(path)]) == 0

    assert "Imported 1 appointment from" in capsys.readouterr().out
    assert counts(db) == (2, 2)


def test_a_refused_import_exits_1_lists_the_rows_and_changes_nothing(
        db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = csv_file(tmp_path, *GOOD, "11/24/2026,09:05,Grace Hopper,Curie,Marie,11/07/1867,Consult,")

    assert main(["import", "appointments", str(path), "--db", str(db)]) == 1

    err = capsys.readouterr().err
    assert err.splitlines() == [
        "officemgr: appointments.csv: nothing was imported; 1 of 3 lines has problems:",
        "line 4: no appointment type 'Consult' (the types are: Follow-up)",
    ]
    assert counts(db) == (1, 1)


def test_a_missing_file_exits_1_without_creating_a_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    fresh = tmp_path / "new.db"

    assert main(["import", "appointments", str(tmp_path / "nope.csv"), "--db", str(fresh)]) == 1

    assert capsys.readouterr().err.strip() == f"officemgr: there is no file {tmp_path / 'nope.csv'}"
    assert not fresh.exists()


def test_import_needs_to_know_what_to_import(db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as caught:
        main(["import", "--db", str(db)])
    assert caught.value.code == 2
    assert "required: WHAT" in capsys.readouterr().err


def test_export_writes_todays_schedule_to_stdout_by_default(db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "ics", "--provider", "Grace Hopper", "--db", str(db), "--today", "2026-11-23"]) == 0

    events = Calendar.from_ical(capsys.readouterr().out).walk("VEVENT")
    assert [(str(e["SUMMARY"]), e.start) for e in events] == [("Follow-up: AL", at(9))]


def test_export_a_week_to_a_file(db: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    friday, next_monday = TODAY + timedelta(days=4), TODAY + timedelta(days=7)
    engine = store.open_database(path=db)
    with store.write_session(engine) as session:
        ada, kind = session.exec(select(Patient)).one(), session.exec(select(AppointmentType)).one()
        hopper = session.exec(select(Staff)).one()
        turing = make_provider(session, first_name="Alan", last_name="Turing", npi="1558598797")
        make_appointment(session, patient=ada, provider=hopper, appt_type=kind, start=at(11, day=friday))
        make_appointment(session, patient=ada, provider=hopper, appt_type=kind, start=at(9, day=next_monday))
        make_appointment(session, patient=ada, provider=turing, appt_type=kind, start=at(10, day=friday))
    engine.dispose()
    out = tmp_path / "week.ics"

    # A Wednesday: the week is Monday 11/23 to Sunday 11/29.
    assert main(["--db", str(db), "export", "ics", "--provider", "1234567893", "--week", "2026-11-25",
                 "--out", str(out)]) == 0

    assert capsys.readouterr().out.strip() == f"Exported 2 appointments of Grace Hopper to {out}."
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert [e.start for e in events] == [at(9), at(11, day=friday)]


def test_export_of_an_unknown_provider_exits_1(db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["export", "ics", "--provider", "Marie Curie", "--db", str(db)]) == 1
    assert capsys.readouterr().err.strip() == (
        "officemgr: no provider named 'Marie Curie' (give 'First Last' or the NPI)")


def test_export_day_and_week_together_is_bad_usage(db: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["export", "ics", "--provider", "1234567893", "--day", "2026-11-23", "--week", "2026-11-23",
              "--db", str(db)])
    assert caught.value.code == 2


def test_export_in_a_real_process_writes_the_calendar_bytes(db: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "officemgr.cli", "export", "ics", "--provider", "Hopper, Grace", "--day", "2026-11-23",
         "--db", str(db)],
        capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"Lovelace" not in done.stdout
