"""Schedule interop: the iCalendar export, and all-or-nothing imports of .csv and .ics appointment files."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlmodel import Session, func, select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    at,
    audit_events,
    make_appointment,
    make_appointment_type,
    make_patient,
    make_provider,
)
from officemgr.models import Appointment, AppointmentEvent, ApptStatus, Patient
from officemgr.services import interop
from officemgr.services.common import ServiceError
from officemgr.services.interop import ImportRefused, ImportResult, export_ics, import_appointments

HEADER = "date,time,minutes,provider,patient_last,patient_first,dob,phone,type,reason"
TUESDAY = TODAY + timedelta(days=1)


@pytest.fixture
def practice(session: Session) -> dict:
    """Two providers (weekdays 08:00-17:00, lunch 12-13), two appointment types, one known patient."""
    return {
        "hopper": make_provider(session),  # NPI 1234567893
        "turing": make_provider(session, first_name="Alan", last_name="Turing", npi="1558598797"),
        "follow_up": make_appointment_type(session, name="Follow-up", minutes=15),
        "new_patient": make_appointment_type(session, name="New patient", minutes=45),
        "ada": make_patient(session),  # Lovelace, Ada, 05/17/1980
    }


def write(tmp_path: Path, text: str, name: str = "appointments.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_file(tmp_path: Path, *rows: str) -> Path:
    return write(tmp_path, "\n".join([HEADER, *rows]) + "\n")


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def refusal(session: Session, path: Path) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        import_appointments(session, path, now=NOW, actor=ACTOR)
    return caught.value


# --- export -------------------------------------------------------------------------------------------


def test_export_has_one_event_per_active_appointment_with_stable_uid_and_floating_times(
        session: Session, practice: dict) -> None:
    ada, hopper = practice["ada"], practice["hopper"]
    kept = make_appointment(session, patient=ada, provider=hopper, appt_type=practice["follow_up"], start=at(9),
                            reason="blood pressure check")
    make_appointment(session, patient=ada, provider=hopper, appt_type=practice["follow_up"], start=at(10),
                     status=ApptStatus.cancelled)
    make_appointment(session, patient=ada, provider=hopper, appt_type=practice["follow_up"], start=at(11),
                     status=ApptStatus.no_show)
    make_appointment(session, patient=ada, provider=practice["turing"], appt_type=practice["follow_up"],
                     start=at(14))
    make_appointment(session, patient=ada, provider=hopper, appt_type=practice["follow_up"],
                     start=at(9, day=TUESDAY))

    data = export_ics(session, provider_id=hopper.id, first_day=TODAY, days=1, actor="tests")

    events = Calendar.from_ical(data).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"appt-{kept.id}@officemgr"]
    event = events[0]
    assert event.start == at(9) and event.start.tzinfo is None
    assert event.end == at(9, 15)
    assert str(event["SUMMARY"]) == "Follow-up: AL"
    assert "Reason: blood pressure check" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in event
    # The same appointment keeps its UID in a later export (calendars update instead of duplicating).
    again = Calendar.from_ical(export_ics(session, provider_id=hopper.id, first_day=TODAY, days=1, actor="tests"))
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [f"appt-{kept.id}@officemgr"]


def test_export_names_patients_by_initials_only(session: Session, practice: dict) -> None:
    ada = practice["ada"]
    make_appointment(session, patient=ada, provider=practice["hopper"], appt_type=practice["follow_up"], start=at(9))

    text = export_ics(session, provider_id=practice["hopper"].id, first_day=TODAY, days=1, actor="tests").decode()

    assert "AL" in text
    for leak in ("Lovelace", "Ada", "1980", "05/17", "123-4567", "555"):
        assert leak not in text


def test_a_week_export_covers_seven_days(session: Session, practice: dict) -> None:
    hopper = practice["hopper"]
    for offset in (0, 4, 7):
        make_appointment(session, patient=practice["ada"], provider=hopper, appt_type=practice["follow_up"],
                         start=at(9, day=TODAY + timedelta(days=offset)))

    events = Calendar.from_ical(export_ics(session, provider_id=hopper.id, first_day=TODAY, days=7,
                                           actor="tests")).walk("VEVENT")

    assert [e.start.date() for e in events] == [TODAY, TODAY + timedelta(days=4)]


def test_export_of_an_unknown_provider_is_refused(session: Session, practice: dict) -> None:
    with pytest.raises(ServiceError, match="no such provider"):
        export_ics(session, provider_id=9999, first_day=TODAY, days=1, actor="tests")


def test_find_provider_by_npi_or_name(session: Session, practice: dict) -> None:
    turing = practice["turing"]
    assert interop.find_provider(session, "1558598797").id == turing.id
    assert interop.find_provider(session, "alan  turing").id == turing.id
    assert interop.find_provider(session, "Turing, Alan").id == turing.id
    with pytest.raises(ServiceError, match="no provider named 'Alan Smith'"):
        interop.find_provider(session, "Alan Smith")


# --- CSV import: good files ---------------------------------------------------------------------------


def test_a_good_csv_books_every_row_and_creates_unknown_patients(
        session: Session, practice: dict, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "11/24/2026,09:00,,Grace Hopper,LOVELACE,ada,05/17/1980,,Follow-up,BP check",
        "2026-11-24,2:15 PM,60,1558598797,Babbage,Charles,1971-12-26,555 987 6543,new patient,establish care",
    )

    result = import_appointments(session, path, now=NOW, actor=ACTOR)

    assert result == ImportResult(booked=2, patients_created=1)
    appts = session.exec(select(Appointment).order_by(Appointment.start)).all()
    first, second = appts
    assert (first.patient_id, first.provider_id, first.start, first.end) == (
        practice["ada"].id, practice["hopper"].id, at(9, day=TUESDAY), at(9, 15, day=TUESDAY))
    assert first.reason == "BP check"
    charles = session.get(Patient, second.patient_id)
    assert (charles.last_name, charles.first_name, charles.dob, charles.phone) == (
        "Babbage", "Charles", date(1971, 12, 26), "(555) 987-6543")
    assert (second.provider_id, second.type_id, second.start, second.end) == (
        practice["turing"].id, practice["new_patient"].id, at(14, 15, day=TUESDAY), at(15, 15, day=TUESDAY))
    assert count(session, Patient) == 2


def test_an_import_writes_history_and_audit_events(session: Session, practice: dict, tmp_path: Path) -> None:
    path = csv_file(tmp_path, "11/24/2026,09:00,,Grace Hopper,Babbage,Charles,12/26/1971,,Follow-up,")

    import_appointments(session, path, now=NOW, actor=ACTOR)

    appt = session.exec(select(Appointment)).one()
    history = session.exec(select(AppointmentEvent).where(AppointmentEvent.appointment_id == appt.id)).all()
    assert [(e.kind.value, e.actor, e.at) for e in history] == [("create", ACTOR, NOW)]
    audited = [(e.entity, e.action, e.actor) for e, _ in audit_events(session)]
    assert audited == [("patient", "create", ACTOR), ("appointment", "create", ACTOR)]


def test_the_same_new_patient_on_two_rows_is_created_once(session: Session, practice: dict, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "11/24/2026,09:00,,Grace Hopper,Babbage,Charles,12/26/1971,,Follow-up,",
        "11/25/2026,09:00,,Grace Hopper,babbage,charles,1971-12-26,,Follow-up,",
    )

    assert import_appointments(session, path, now=NOW, actor=ACTOR) == ImportResult(booked=2, patients_created=1)
    patient_ids = {a.patient_id for a in session.exec(select(Appointment))}
    assert len(patient_ids) == 1


def test_columns_in_any_order_and_case_with_extra_columns_ignored(
        session: Session, practice: dict, tmp_path: Path) -> None:
    path = write(tmp_path, "Type,Room,Patient_First,PATIENT_LAST,DOB,Provider,Time,Date\n"
                           'Follow-up,3,Ada,Lovelace,05/17/1980,"Hopper, Grace",9:30 am,11/24/2026\n')

    assert import_appointments(session, path, now=NOW, actor=ACTOR).booked == 1
    assert session.exec(select(Appointment)).one().start == at(9, 30, day=TUESDAY)


# --- CSV import: refused, nothing written -------------------------------------------------------------


def test_a_bad_row_is_reported_by_its_spreadsheet_row_and_nothing_is_saved(
        session: Session, practice: dict, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "11/24/2026,09:00,,Grace Hopper,Babbage,Charles,12/26/1971,,Follow-up,",
        "",  # a blank row still counts, as in a spreadsheet
        "11/24/2026,25:00,,Grace Hopper,Curie,Marie,11/07/1867,12345,Follow-up,",
    )

    error = refusal(session, path)

    assert error.problems == [
        "line 4: phone: a phone number has 10 digits, e.g. 555-123-4567; time: a time looks like 09:30 or 2:15 PM"
    ]
    assert str(error).splitlines() == [
        "appointments.csv: nothing was imported; 1 of 2 lines has problems:", *error.problems]
    assert (count(session, Appointment), count(session, Patient)) == (0, 1)
    assert audit_events(session) == []


def test_a_conflict_with_an_existing_appointment_is_refused(
        session: Session, practice: dict, tmp_path: Path) -> None:
    make_appointment(session, patient=make_patient(session, first_name="Marie", last_name="Curie"),
                     provider=practice["hopper"], appt_type=practice["follow_up"], start=at(9, day=TUESDAY))
    path = csv_file(tmp_path, "11/24/2026,09:10,,Grace Hopper,Lovelace,Ada,05/17/1980,,Follow-up,")

    error = refusal(session, path)

    assert error.problems == ["line 2: overlaps Curie, Marie at 09:00 with the same provider (double-book)"]
    assert count(session, Appointment) == 1


def test_rows_that_conflict_with_each_other_are_refused(session: Session, practice: dict, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "11/24/2026,09:00,30,Grace Hopper,Babbage,Charles,12/26/1971,,Follow-up,",
        "11/24/2026,09:15,,Grace Hopper,Lovelace,Ada,05/17/1980,,Follow-up,",
        "11/24/2026,15:00,,1558598797,Babbage,Charles,12/26/1971,,Follow-up,",
    )

    error = refusal(session, path)

    assert error.problems == [
        "line 3: overlaps line 2 with the same provider (double-book)",
        "line 4: this patient is also booked on line 2 that day",
    ]
    assert (count(session, Appointment), count(session, Patient)) == (0, 1)


def test_schedule_rules_apply_to_every_row(session: Session, practice: dict, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "11/24/2026,12:15,,Grace Hopper,Lovelace,Ada,05/17/1980,,Follow-up,",
        "11/28/2026,09:00,,Grace Hopper,Babbage,Charles,12/26/1971,,Follow-up,",
        "11/25/2026,16:50,,Grace Hopper,Curie,Marie,11/07/1867,,Follow-up,",
    )

    assert refusal(session, path).problems == [
        "line 2: during Lunch (12:00–13:00)",
        "line 3: the practice is closed on Saturdays (Sat 11/28/2026)",
        "line 4: outside Grace Hopper's hours (08:00–17:00)",
    ]


def test_duplicates_in_the_database_and_in_the_file_are_refused(
        session: Session, practice: dict, tmp_path: Path) -> None:
    make_appointment(session, patient=practice["ada"], provider=practice["hopper"], appt_type=practice["follow_up"],
                     start=at(9, day=TUESDAY))
    path = csv_file(
        tmp_path,
        "11/24/2026,09:00,,Grace Hopper,Lovelace,Ada,05/17/1980,,Follow-up,",
        "11/25/2026,10:00,,Grace Hopper,Babbage,Charles,12/26/1971,,Follow-up,",
        "2026-11-25,10:00 AM,,1234567893,Babbage,Charles,1971-12-26,,Follow-up,",
    )

    assert refusal(session, path).problems == [
        "line 2: already booked at 11/24/2026 09:00 (duplicate)",
        "line 4: the same appointment as line 3 (duplicate)",
    ]
    assert (count(session, Appointment), count(session, Patient)) == (1, 1)


def test_a_cancelled_appointment_is_no_duplicate(session: Session, practice: dict, tmp_path: Path) -> None:
    make_appointment(session, patient=practice["ada"], provider=practice["hopper"], appt_type=practice["follow_up"],
                     start=at(9, day=TUESDAY), status=ApptStatus.cancelled)
    path = csv_file(tmp_path, "11/24/2026,09:00,,Grace Hopper,Lovelace,Ada,05/17/1980,,Follow-up,")

    assert import_appointments(session, path, now=NOW, actor=ACTOR).booked == 1


def test_unknown_provider_and_type_are_named(session: Session, practice: dict, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "11/24/2026,09:00,,Marie Curie,Lovelace,Ada,05/17/1980,,Follow-up,",
        "11/24/2026,10:00,,1234567893,Lovelace,Ada,05/17/1980,,Consult,",
        "11/24/2026,10:00,,1111111111,Babbage,Charles,12/26/1971,,Follow-up,",
    )

    assert refusal(session, path).problems == [
        "line 2: no provider named 'Marie Curie' (give 'First Last' or the NPI)",
        "line 3: no appointment type 'Consult' (the types are: Follow-up, New patient)",
        "line 4: no provider with NPI 1111111111",
    ]


def test_missing_values_and_bad_dates_are_reported(session: Session, practice: dict, tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "11/24/2026,09:00,,Grace Hopper,,Ada,05/17/1980,,,",
        "31/11/2026,09:00,0,Grace Hopper,Lovelace,Ada,1980-02-30,,Follow-up,",
        "11/24/2026,09:00,,Grace Hopper,Lovelace,Ada,05/17/1980,,Follow-up," + "x" * 201,
    )

    assert refusal(session, path).problems == [
        "line 2: the patient_last is empty; the type is empty",
        "line 3: dob: '1980-02-30' is not a date (11/23/2026 or 2026-11-23); date: '31/11/2026' is not a date "
        "(11/23/2026 or 2026-11-23); minutes: must be more than 0",
        "line 4: reason: at most 200 characters",
    ]


def test_an_inactive_provider_is_refused(session: Session, practice: dict, tmp_path: Path) -> None:
    make_provider(session, first_name="Old", last_name="Timer", npi="1234567893", active=False)
    path = csv_file(tmp_path, "11/24/2026,09:00,,Old Timer,Lovelace,Ada,05/17/1980,,Follow-up,")

    assert refusal(session, path).problems == ["line 2: Old Timer is no longer an active provider"]


def test_two_patients_with_the_same_name_and_dob_are_not_guessed(
        session: Session, practice: dict, tmp_path: Path) -> None:
    make_patient(session)  # a second Lovelace, Ada born 05/17/1980
    path = csv_file(tmp_path, "11/24/2026,09:00,,Grace Hopper,Lovelace,Ada,05/17/1980,,Follow-up,")

    assert refusal(session, path).problems == [
        "line 2: more than one patient is Lovelace, Ada born 05/17/1980; book this one in the app"]


def test_a_failure_while_booking_leaves_nothing(
        session: Session, practice: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = csv_file(
        tmp_path,
        "11/24/2026,09:00,,Grace Hopper,Babbage,Charles,12/26/1971,,Follow-up,",
        "11/24/2026,10:00,,Grace Hopper,Curie,Marie,11/07/1867,,Follow-up,",
    )
    real_record, calls = interop.record, []

    def fail_on_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_record(*args, **kwargs)

    # The second new patient's audit event fails: both patients were inserted by then.
    monkeypatch.setattr(interop, "record", fail_on_second)

    with pytest.raises(RuntimeError):
        import_appointments(session, path, now=NOW, actor=ACTOR)

    assert (count(session, Appointment), count(session, Patient)) == (0, 1)
    assert audit_events(session) == []


# --- refused files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", "date,time\n", "notes.txt: import reads .csv or .ics files, not '.txt'"),
        ("empty.csv", "  \n", "empty.csv is empty"),
        ("bom.csv", "\ufeff", "bom.csv is empty"),
        ("data.csv", "11/24/2026,09:00,Grace Hopper\n", "data.csv: line 1 must be a header naming the columns"),
        ("short.csv", "date,time,provider,type\n", "short.csv: line 1: missing column(s) patient_last, patient_first, "
                                                   "dob (the columns are: date, time, minutes,"),
        ("twice.csv", HEADER + ",date\n", "twice.csv: line 1 has the column(s) date more than once"),
        ("header.csv", HEADER + "\n\n", "header.csv has a header but no appointments"),
        ("cal.ics", "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", "cal.ics has no events (VEVENT) in it"),
        ("junk.ics", "this is not a calendar\n", "junk.ics is not a readable iCalendar file"),
    ],
)
def test_unusable_files_are_refused_with_a_clear_message(
        session: Session, practice: dict, tmp_path: Path, name: str, content: str, message: str) -> None:
    assert str(refusal(session, write(tmp_path, content, name))).startswith(message)


def test_a_missing_or_non_utf8_file_is_refused(session: Session, practice: dict, tmp_path: Path) -> None:
    assert "there is no file" in str(refusal(session, tmp_path / "nowhere.csv"))
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n11/24/2026,09:00,,Grace Hopper,Müller,Jörg,01/01/1970,,Follow-up,\n")
                      .encode("latin-1"))
    assert "is not UTF-8 text" in str(refusal(session, latin))


# --- iCalendar import ---------------------------------------------------------------------------------


def ics(*events: str, prodid: str = "-//Other Scheduler//EN") -> str:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20261120T120000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:{prodid}\r\n{body}END:VCALENDAR\r\n"


def test_an_ics_file_is_booked_from_its_description_fields(session: Session, practice: dict, tmp_path: Path) -> None:
    text = ics(
        "UID:one@other\r\nDTSTART:20261124T090000\r\nDTEND:20261124T092000\r\n"
        "DESCRIPTION:Patient: Lovelace, Ada; DOB: 05/17/1980; Provider NPI: 1558598797; Type: Follow-up; "
        "Reason: sore throat\\, fever\r\n",
        "UID:two@other\r\nDTSTART:20261124T100000\r\n"
        "DESCRIPTION:Patient: Babbage, Charles\\nDOB: 1971-12-26\\nProvider: Grace Hopper\\nType: New patient\r\n",
        "UID:three@other\r\nDTSTART:20261124T110000\r\nSTATUS:CANCELLED\r\n",
    )

    result = import_appointments(session, write(tmp_path, text, "other.ics"), now=NOW, actor=ACTOR)

    assert result == ImportResult(booked=2, patients_created=1, skipped=1)
    first, second = session.exec(select(Appointment).order_by(Appointment.start)).all()
    assert (first.patient_id, first.provider_id, first.start, first.end, first.reason) == (
        practice["ada"].id, practice["turing"].id, at(9, day=TUESDAY), at(9, 20, day=TUESDAY), "sore throat, fever")
    # No DTEND or DURATION: the type's length.
    assert (second.provider_id, second.start, second.end) == (
        practice["hopper"].id, at(10, day=TUESDAY), at(10, 45, day=TUESDAY))


def test_bad_events_are_reported_by_number_and_uid(session: Session, practice: dict, tmp_path: Path) -> None:
    fields = "DESCRIPTION:Patient: Lovelace, Ada; DOB: 05/17/1980; Provider: 1234567893; Type: Follow-up\r\n"
    text = ics(
        f"UID:ok@other\r\nDTSTART:20261124T090000\r\n{fields}",
        f"UID:allday@other\r\nDTSTART;VALUE=DATE:20261125\r\n{fields}",
        f"UID:repeat@other\r\nDTSTART:20261126T090000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n{fields}",
        "DTSTART:20261127T090000\r\nDESCRIPTION:see you soon\r\n",
    )

    error = refusal(session, write(tmp_path, text, "other.ics"))

    assert error.problems == [
        "event 2 (UID allday@other): an all-day event has no appointment time",
        "event 3 (UID repeat@other): a repeating event (RRULE) is not imported; book the series in the app",
        "event 4: DESCRIPTION has no 'Patient: Last, First' (an officemgr export has initials only and is not "
        "meant to be re-imported)",
    ]
    assert count(session, Appointment) == 0


def test_an_officemgr_export_is_not_imported(session: Session, practice: dict, tmp_path: Path) -> None:
    make_appointment(session, patient=practice["ada"], provider=practice["hopper"], appt_type=practice["follow_up"],
                     start=at(9))
    exported = tmp_path / "week.ics"
    exported.write_bytes(export_ics(session, provider_id=practice["hopper"].id, first_day=TODAY, days=7, actor="tests"))

    assert "is an officemgr export" in str(refusal(session, exported))
    assert count(session, Appointment) == 1


def test_a_utc_start_is_read_in_this_computers_local_time(
        session: Session, practice: dict, tmp_path: Path) -> None:
    utc = at(10, day=TUESDAY).astimezone(UTC)  # 10:00 here, whatever this machine's zone is
    text = ics(f"UID:z@other\r\nDTSTART:{utc:%Y%m%dT%H%M%S}Z\r\nDURATION:PT15M\r\n"
               "DESCRIPTION:Patient: Lovelace, Ada; DOB: 05/17/1980; Provider: 1234567893; Type: Follow-up\r\n")

    import_appointments(session, write(tmp_path, text, "zoned.ics"), now=NOW, actor=ACTOR)

    appt = session.exec(select(Appointment)).one()
    assert (appt.start, appt.end) == (at(10, day=TUESDAY), at(10, 15, day=TUESDAY))
