"""Issue 20 items 12 and 9 for the six imports (appointments from .csv and .ics, items, fees, claims, an 835, the
compliance checklist): a file over a stated limit is refused before it is read whole, a long echo is cut, and a
control or text-direction character in any imported field is refused by line and field with nothing saved."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    EraClaim,
    era_text,
    make_appointment_type,
    make_claim,
    make_payer,
    make_provider,
)
from officemgr.checklist import load_checklist
from officemgr.cli import main
from officemgr.models import Appointment, AuditEvent, Claim, FeeSchedule, Item, Remittance
from officemgr.services import claims_io, era, fees, interop, inventory_io
from officemgr.services.common import ServiceError
from officemgr.services.csv_files import MAX_PROBLEM

ESC_TITLE = "\x1b]0;owned\x07"  # retitles a terminal
RLO = "\u202e"  # right-to-left override: "gpj.exe" reads as "exe.jpg"


@dataclass(frozen=True)
class Import:
    """One import: how to run it on a file, a file with `{X}` where one imported text field goes, the field."""

    name: str
    suffix: str
    text: str  # the file, with {X} inside one field's value
    field: str  # what the refusal names: the column, or the 835's element
    where: str  # the line (or event) the refusal names
    run: Callable[[Session, Path], object]
    saved: type | None  # the table nothing may be added to

    def write(self, tmp_path: Path, value: str) -> Path:
        path = tmp_path / f"import{self.suffix}"
        path.write_bytes(self.text.replace("{X}", value).encode("utf-8"))
        return path


def _appointments(session: Session, path: Path) -> object:
    return interop.import_appointments(session, path, now=NOW, actor=ACTOR)


def _items(session: Session, path: Path) -> object:
    return inventory_io.import_items(session, path, today=TODAY, now=NOW, actor=ACTOR)


def _fees(session: Session, path: Path) -> object:
    return fees.import_fees(session, "Acme", path, now=NOW, actor=ACTOR)


def _claims(session: Session, path: Path) -> object:
    return claims_io.import_claims(session, path, today=TODAY, now=NOW, actor=ACTOR)


def _era(session: Session, path: Path) -> object:
    return era.post_file(session, path, today=TODAY, now=NOW, actor=ACTOR)


def _checklist(session: Session, path: Path) -> object:
    return load_checklist(path)


ICS_EVENT = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VEVENT\r\nUID:one@other\r\n"
             "DTSTAMP:20261120T120000Z\r\nDTSTART:20261124T090000\r\nDESCRIPTION:Patient: Love{X}lace, Ada; "
             "DOB: 05/17/1980; Provider: Grace Hopper; Type: Follow-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")

IMPORTS = [
    Import("appointments.csv", ".csv", "date,time,provider,patient_last,patient_first,dob,type\n"
           "11/24/2026,09:00,Grace Hopper,Love{X}lace,Ada,05/17/1980,Follow-up\n", "patient_last", "line 2",
           _appointments, Appointment),
    Import("appointments.ics", ".ics", ICS_EVENT, "patient_last", "event 1", _appointments, Appointment),
    Import("items", ".csv", "name,category,unit,par\nGau{X}ze,clinical,box,10\n", "name", "line 2", _items, Item),
    Import("fees", ".csv", "code,allowed,description\n99213,85.00,Office visit{X}\n", "description", "line 2", _fees,
           FeeSchedule),
    Import("claims", ".csv", "claim,patient_last,patient_first,dob,payer,service_date,billed,codes,diagnoses\n"
           "C-100,Love{X}lace,Ada,05/17/1980,Aetna,2026-11-02,165.00,99213,E11.9\n", "patient_last", "line 2", _claims,
           Claim),
    Import("era", ".835", era_text([EraClaim("CL1", paid=10_000, adjustments=[("CO", "45", 5_000)])],
                                   payer="ACME{X}PLAN"), "N102", "line 7", _era, Remittance),
    Import("check-list", ".csv", "title,category,rrule,evidence,owner_role\n"
           "Fire drill{X},safety,FREQ=YEARLY,log,manager\n", "title", "line 2", _checklist, None),
]
IDS = [i.name for i in IMPORTS]


@pytest.fixture
def practice(session: Session) -> None:
    """What each import needs to get past its own checks: a provider, a type, a payer, a claim to pay."""
    make_provider(session)
    make_appointment_type(session, name="Follow-up", minutes=15)
    payer = make_payer(session, name="Acme")
    make_claim(session, number="CL1", payer=payer, billed_cents=15_000)


def count(session: Session, table: type | None) -> int:
    return 0 if table is None else session.exec(select(func.count()).select_from(table)).one()


def refused(session: Session, imp: Import, path: Path) -> str:
    """The refusal's text (message and listed problems), checking that nothing was saved."""
    before = (count(session, imp.saved), count(session, AuditEvent))
    with pytest.raises(Exception) as caught:  # noqa: PT011 - each import raises its own refusal class
        imp.run(session, path)
    session.rollback()
    assert isinstance(caught.value, ServiceError | ValueError) or type(caught.value).__name__ == "ChecklistError"
    assert (count(session, imp.saved), count(session, AuditEvent)) == before
    problems = getattr(caught.value, "problems", []) or []
    return "\n".join([str(caught.value), *problems])


# --- item 9: control and text-direction characters ------------------------------------------------------


@pytest.mark.parametrize("imp", IMPORTS, ids=IDS)
def test_the_good_file_imports(session: Session, practice: None, tmp_path: Path, imp: Import) -> None:
    before = count(session, imp.saved)

    imp.run(session, imp.write(tmp_path, ""))

    assert imp.saved is None or count(session, imp.saved) == before + 1


@pytest.mark.parametrize("char, spelled", [(ESC_TITLE, "\\x1b"), (RLO, "\\u202e"), ("\x9b", "\\x9b"),
                                           ("\x7f", "\\x7f")])
@pytest.mark.parametrize("imp", IMPORTS, ids=IDS)
def test_a_control_character_in_a_field_is_refused_by_line_and_field(
        session: Session, practice: None, tmp_path: Path, imp: Import, char: str, spelled: str) -> None:
    text = refused(session, imp, imp.write(tmp_path, char))

    assert imp.where in text and imp.field in text and spelled in text
    assert not any(c in text for c in "\x1b\x07\u202e\x9b\x7f")  # the message itself is safe to print


@pytest.mark.parametrize("imp", [i for i in IMPORTS if i.suffix == ".csv"], ids=lambda i: i.name)
def test_a_control_character_in_the_header_is_refused(session: Session, practice: None, tmp_path: Path,
                                                     imp: Import) -> None:
    path = tmp_path / "header.csv"
    header, rest = imp.text.replace("{X}", "").split("\n", 1)
    first, others = header.split(",", 1)
    path.write_text(f"{first}\x1b[2J,{others}\n{rest}", encoding="utf-8")

    text = refused(session, imp, path)

    # An import that ignores columns it does not know ignores this one too, and misses the column it needed.
    assert "line 1" in text and "\x1b" not in text
    assert "\\x1b" in text or "missing column(s)" in text


def test_a_reason_over_several_lines_becomes_one_line_and_a_name_is_refused(session: Session, practice: None,
                                                                           tmp_path: Path) -> None:
    header = "date,time,provider,patient_last,patient_first,dob,type,reason\n"
    path = tmp_path / "appointments.csv"
    path.write_text(header + '11/24/2026,09:00,Grace Hopper,Lovelace,Ada,05/17/1980,Follow-up,"cough\nfever"\n',
                    encoding="utf-8")
    interop.import_appointments(session, path, now=NOW, actor=ACTOR)
    assert session.exec(select(Appointment.reason)).one() == "cough fever"

    path.write_text(header + '11/25/2026,09:00,Grace Hopper,"Love\nlace",Ada,05/17/1980,Follow-up,\n',
                    encoding="utf-8")
    with pytest.raises(interop.ImportRefused, match=r"patient_last: holds a line break \(\\x0a\)"):
        interop.import_appointments(session, path, now=NOW, actor=ACTOR)


def test_the_cli_prints_a_refused_cell_and_a_file_name_visibly(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                               ) -> None:
    path = tmp_path / "it\x1b]0;x\x07ems.csv"
    path.write_text("name,category\nGau\x1b[2Jze,clinical\n", encoding="utf-8")

    code = main(["import", "items", str(path), "--db", str(tmp_path / "office.db"), "--today", "2026-11-23"])

    err = capsys.readouterr().err
    assert code == 1
    assert "line 2: name: holds an escape character (\\x1b)" in err and "it\\x1b]0;x\\x07ems.csv" in err
    assert "\x1b" not in err and "\x07" not in err


# --- item 12: sizes ------------------------------------------------------------------------------------


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)  # a hole: no disk used, but reading it would fill memory
    return path


@pytest.mark.parametrize("imp", IMPORTS, ids=IDS)
def test_a_file_over_50_mb_is_refused_before_it_is_read(session: Session, practice: None, tmp_path: Path,
                                                        imp: Import) -> None:
    path = _sparse(tmp_path / f"huge{imp.suffix}", 1_000_000_000)
    tracemalloc.start()
    try:
        text = refused(session, imp, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "1,000 MB" in text and "at most 50 MB" in text
    assert peak < 5_000_000  # nothing like the 1 GB was read


@pytest.mark.parametrize("imp", [i for i in IMPORTS if i.suffix != ".835"], ids=lambda i: i.name)
def test_a_line_over_100000_characters_is_refused_with_a_short_message(session: Session, practice: None,
                                                                       tmp_path: Path, imp: Import) -> None:
    text = refused(session, imp, imp.write(tmp_path, "x" * 150_000))

    assert "150,0" in text and "at most 100,000" in text
    assert len(text) < 2 * MAX_PROBLEM


def test_an_835_segment_over_10000_characters_is_refused(session: Session, practice: None, tmp_path: Path) -> None:
    imp = next(i for i in IMPORTS if i.suffix == ".835")

    text = refused(session, imp, imp.write(tmp_path, "X" * 20_000))

    assert "20,015 characters long" in text and "at most 10,000" in text and len(text) < MAX_PROBLEM


def test_a_header_of_a_million_columns_gives_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("title," + ",".join(f"c{i}" for i in range(1_000_000)) + "\n", encoding="utf-8")

    with pytest.raises(Exception) as caught:  # noqa: PT011 - ChecklistError
        load_checklist(path)

    assert "line 1 is 7,888,895 characters long" in str(caught.value) and len(str(caught.value)) < MAX_PROBLEM


def test_more_than_10000_columns_within_a_line_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("title" + "," * 20_000 + "\nFire drill\n", encoding="utf-8")

    with pytest.raises(Exception, match="line 1 has 20,001 columns; check-list reads at most 10,000"):  # noqa: PT011
        load_checklist(path)


def test_many_unknown_columns_are_listed_in_a_capped_message(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("name," + ",".join(f"colour{i}" for i in range(5_000)) + "\nGauze\n", encoding="utf-8")

    with pytest.raises(inventory_io.ImportRefused) as caught:
        _items(session, path)

    message = str(caught.value)
    assert "unknown column(s) 'colour0'" in message and "…" in message and len(message) < MAX_PROBLEM + 200


def test_a_cell_running_over_many_lines_is_refused(session: Session, practice: None, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text('name,category\n"' + "gauze\n" * 30_000 + '",clinical\n', encoding="utf-8")

    with pytest.raises(inventory_io.ImportRefused, match=r"line 2 has a cell of more than 100,000 characters"):
        _items(session, path)


def test_more_than_100000_rows_are_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("name\n" + "g\n" * 100_001, encoding="utf-8")

    with pytest.raises(inventory_io.ImportRefused, match=r"more than 100,000 items \(line 100002\)"):
        _items(session, path)


def test_an_echoed_cell_is_cut_at_300_characters(session: Session, practice: None, tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("name,category\nGauze," + "z" * 5_000 + "\n", encoding="utf-8")

    with pytest.raises(inventory_io.ImportRefused) as caught:
        _items(session, path)

    listed: Any = caught.value.problems
    assert len(listed) == 1 and listed[0].startswith("line 2: unknown category 'zzz") and listed[0].endswith("…")
    assert len(listed[0]) <= MAX_PROBLEM + len("line 2: ")
