"""Hostile files against every import: each is imported, or refused with its module's refusal and a message,
and a refusal leaves every table's row count as it was (nothing saved half-way).

Files: a valid header with hostile cells, random bytes, a good file cut short, other encodings, a BOM,
one huge line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from factories import (
    ACTOR,
    NOW,
    TODAY,
    EraClaim,
    era_text,
    make_appointment_type,
    make_claim,
    make_claim_line,
    make_patient,
    make_payer,
    make_provider,
)
from officemgr.services import claims_io, era, fees, interop, inventory_io
from officemgr.services.common import ServiceError
from officemgr.services.csv_files import FileRefused
from strategies import DB, hostile_amount, hostile_date, hostile_text


@dataclass(frozen=True)
class Import:
    suffix: str
    run: Callable[[Session, Path], Any]
    refused: type[ServiceError]
    good: str  # a file the practice fixture imports cleanly
    columns: tuple[str, ...] = ()  # a CSV's header, for files with hostile cells


IMPORTS = {
    "appointments": Import(
        ".csv", lambda s, p: interop.import_appointments(s, p, now=NOW, actor=ACTOR), interop.ImportRefused,
        "date,time,minutes,provider,patient_last,patient_first,dob,phone,type,reason\n"
        "11/24/2026,09:00,,Grace Hopper,Lovelace,Ada,05/17/1980,555-123-4567,Follow-up,cough\n",
        ("date", "time", "minutes", "provider", "patient_last", "patient_first", "dob", "phone", "type", "reason")),
    "calendar": Import(
        ".ics", lambda s, p: interop.import_appointments(s, p, now=NOW, actor=ACTOR), interop.ImportRefused,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VEVENT\r\nDTSTAMP:20261120T120000Z\r\n"
        "UID:one@other\r\nDTSTART:20261124T100000\r\nDESCRIPTION:Patient: Lovelace, Ada; DOB: 05/17/1980; "
        "Provider NPI: 1234567893; Type: Follow-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
    "items": Import(
        ".csv", lambda s, p: inventory_io.import_items(s, p, today=TODAY, now=NOW, actor=ACTOR),
        inventory_io.ImportRefused,
        "name,category,unit,par,reorder_point,vendor,sku,unit_cost,location,tracks_lots,quantity\n"
        "Exam table paper,clinical,roll,24,6,Henry Schein,HS-1,$8.50,Supply room,no,12\n",
        ("name", "category", "unit", "par", "reorder_point", "vendor", "sku", "unit_cost", "location", "tracks_lots",
         "quantity")),
    "claims": Import(
        ".csv", lambda s, p: claims_io.import_claims(s, p, today=TODAY, now=NOW, actor=ACTOR),
        claims_io.ClaimsImportRefused,
        "claim,patient_last,patient_first,dob,payer,service_date,billed,paid,status,submitted_on,codes,diagnoses,"
        "paper,denial_code\n"
        "C-100,Lovelace,Ada,05/17/1980,Aetna,2026-11-02,165.00,,submitted,2026-11-03,99213-25;36415x2,E11.9;i10,"
        "no,\n",
        ("claim", "patient_last", "patient_first", "dob", "payer", "service_date", "billed", "paid", "status",
         "submitted_on", "codes", "diagnoses", "paper", "denial_code")),
    "fees": Import(
        ".csv", lambda s, p: fees.import_fees(s, "Aetna", p, now=NOW, actor=ACTOR), fees.FeesRefused,
        "code,modifier,allowed\n99213,,85.00\n99214,25,120\n", ("code", "modifier", "allowed")),
    "era": Import(
        ".835", lambda s, p: era.post_file(s, p, today=TODAY, now=NOW, actor=ACTOR), era.EraRefused,
        era_text([EraClaim("CL1", "1", 15_000, 10_000, adjustments=[("CO", "45", 5_000)])])),
}
KINDS = sorted(IMPORTS)
CSV_KINDS = sorted(kind for kind, spec in IMPORTS.items() if spec.columns)


@pytest.fixture
def practice(session: Session) -> Session:
    """What the good files refer to: a provider (NPI 1234567893), an appointment type, Ada, Aetna, claim CL1."""
    make_provider(session)
    make_appointment_type(session, name="Follow-up", minutes=15)
    ada = make_patient(session)
    aetna = make_payer(session, name="Aetna")
    claim = make_claim(session, number="CL1", patient=ada, payer=aetna, billed_cents=15_000)
    make_claim_line(session, claim, code="99213", charge_cents=15_000)
    return session


def row_counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables}


def attempt(session: Session, kind: str, path: Path) -> Any:
    """Run the import; on a refusal check the message and that no table changed. The result, or None if refused."""
    spec = IMPORTS[kind]
    before = row_counts(session)
    try:
        return spec.run(session, path)
    except spec.refused as exc:
        message = str(exc)
        assert message.strip(), "a refusal without a message"
        assert not re.search(r"Traceback|\b[A-Z]\w*(Error|Exception)\b", message), message
        session.rollback()
        assert row_counts(session) == before, f"a refused {kind} import changed the database"
        return None


def write(folder: Path, kind: str, data: bytes) -> Path:
    path = folder / f"hostile{IMPORTS[kind].suffix}"
    path.write_bytes(data)
    return path


# --- the good files import (so the hostile ones below are measured against something that works) ---------


@pytest.mark.parametrize("kind", KINDS)
def test_the_good_file_imports(practice: Session, tmp_path: Path, kind: str) -> None:
    before = row_counts(practice)
    assert attempt(practice, kind, write(tmp_path, kind, IMPORTS[kind].good.encode())) is not None
    assert row_counts(practice)["audit_event"] > before["audit_event"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_good_file_with_a_bom_imports(practice: Session, tmp_path: Path, kind: str) -> None:
    assert attempt(practice, kind, write(tmp_path, kind, b"\xef\xbb\xbf" + IMPORTS[kind].good.encode())) is not None


# --- hostile cells under a valid header ---------------------------------------------------------------


def _cells(good: list[str]) -> st.SearchStrategy[list[str]]:
    """One row: each cell the good value or something hostile."""
    return st.tuples(*[st.one_of(st.just(cell), hostile_text, hostile_date, hostile_amount) for cell in good]
                     ).map(list)


@pytest.mark.parametrize("kind", CSV_KINDS)
@DB
@given(data=st.data())
def test_hostile_cells_are_imported_or_refused_without_a_trace(practice: Session, tmp_path: Path, kind: str,
                                                               data: st.DataObject) -> None:
    spec = IMPORTS[kind]
    good_row = next(csv.reader(io.StringIO(spec.good.splitlines()[1])))
    rows = data.draw(st.lists(_cells(good_row), min_size=1, max_size=3))
    out = io.StringIO()
    csv.writer(out).writerows([list(spec.columns), *rows])
    attempt(practice, kind, write(tmp_path, kind, out.getvalue().encode("utf-8")))


@DB
@given(description=hostile_text, start=st.one_of(st.just("20261124T100000"), hostile_date))
def test_a_hostile_calendar_event_is_imported_or_refused(practice: Session, tmp_path: Path, description: str,
                                                         start: str) -> None:
    text = IMPORTS["calendar"].good.replace("20261124T100000", start).replace("Lovelace, Ada", description)
    attempt(practice, "calendar", write(tmp_path, "calendar", text.encode("utf-8")))


@DB
@given(number=st.one_of(st.just("CL1"), hostile_text), paid=st.one_of(st.just("100.00"), hostile_amount),
       payer=hostile_text)
@example(number="~0", paid="100.00", payer="PAYER")  # a segment terminator inside a value
@example(number="CL1", paid="-1e20", payer="[bold]x[/bold]")
def test_a_hostile_remittance_is_posted_or_refused(practice: Session, tmp_path: Path, number: str, paid: str,
                                                   payer: str) -> None:
    text = era_text([EraClaim("CL1", "1", 15_000, 10_000)], payer="PAYER").replace("CLP*CL1", f"CLP*{number}")
    text = text.replace("*100.00*", f"*{paid}*").replace("N1*PR*PAYER", f"N1*PR*{payer}")
    result = attempt(practice, "era", write(tmp_path, "era", text.encode("utf-8")))
    if number == "~0":
        assert result is None


# --- files that are not what they claim ---------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@DB
@given(data=st.binary(max_size=400))
def test_random_bytes_are_refused_cleanly(practice: Session, tmp_path: Path, kind: str, data: bytes) -> None:
    # Random bytes are never a file anyone meant to import; the odd one that parses as one must not crash either.
    attempt(practice, kind, write(tmp_path, kind, data))


@pytest.mark.parametrize("kind", KINDS)
@DB
@given(cut=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_a_file_cut_short_is_imported_or_refused(practice: Session, tmp_path: Path, kind: str, cut: float) -> None:
    good = IMPORTS[kind].good.encode("utf-8")
    attempt(practice, kind, write(tmp_path, kind, good[: int(len(good) * cut)]))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_wide_encoding_is_refused(practice: Session, tmp_path: Path, kind: str, encoding: str) -> None:
    assert attempt(practice, kind, write(tmp_path, kind, IMPORTS[kind].good.encode(encoding))) is None


@pytest.mark.parametrize("kind", CSV_KINDS)
def test_a_csv_saved_in_a_windows_code_page_is_refused(practice: Session, tmp_path: Path, kind: str) -> None:
    data = IMPORTS[kind].good.replace("\n", ",Zoë\n", 1).encode("cp1252")  # an extra header cell "Zoë"
    assert attempt(practice, kind, write(tmp_path, kind, data)) is None


# A value in each good file that has a length limit: two million characters there cannot be saved.
HUGE_AT = {"appointments": "cough", "calendar": "Ada", "items": "Supply room", "claims": "Ada", "fees": "85.00",
           "era": "DOE"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_huge_line_is_refused(practice: Session, tmp_path: Path, kind: str) -> None:
    data = IMPORTS[kind].good.replace(HUGE_AT[kind], "x" * 2_000_000, 1)
    assert attempt(practice, kind, write(tmp_path, kind, data.encode("utf-8"))) is None


@pytest.mark.parametrize("kind", KINDS)
def test_a_folder_or_a_missing_file_is_refused(practice: Session, tmp_path: Path, kind: str) -> None:
    folder = tmp_path / f"folder{IMPORTS[kind].suffix}"
    folder.mkdir()
    assert attempt(practice, kind, folder) is None
    assert attempt(practice, kind, tmp_path / f"missing{IMPORTS[kind].suffix}") is None


# --- every CSV import refuses the same things in the same words ----------------------------------------

# A money cell in each good file, and the column it is under.
MONEY_AT = {"items": ("$8.50", "unit_cost"), "claims": ("165.00", "billed"), "fees": ("85.00", "allowed")}
# A required column of each CSV import.
REQUIRED_COLUMN = {"appointments": "dob", "items": "name", "claims": "codes", "fees": "allowed"}
# Imports whose good file has a date of birth 05/17/1980.
WITH_DOB = ("appointments", "claims")


def first_row(kind: str) -> tuple[str, str]:
    """The header and first row of the kind's good file."""
    header, row = IMPORTS[kind].good.splitlines()[:2]
    return header, row


def refusal_of(session: Session, tmp_path: Path, kind: str, text: str) -> FileRefused:
    spec = IMPORTS[kind]
    with pytest.raises(spec.refused) as caught:
        spec.run(session, write(tmp_path, kind, text.encode("utf-8")))
    session.rollback()
    assert isinstance(caught.value, FileRefused)
    return caught.value


@pytest.mark.parametrize("kind", sorted(MONEY_AT))
@pytest.mark.parametrize(("amount", "problem"), [
    ("(12.00)", "(12.00) is negative"),
    ("-12.00", "-12.00 is negative"),
    ("-$12.00", "-$12.00 is negative"),
    ("12.345", "'12.345' is not an amount like "),
])
def test_every_money_column_refuses_a_negative_or_a_typo_alike(practice: Session, tmp_path: Path, kind: str,
                                                               amount: str, problem: str) -> None:
    good, column = MONEY_AT[kind]
    header, row = first_row(kind)

    error = refusal_of(practice, tmp_path, kind, f"{header}\n{row.replace(good, amount, 1)}\n")

    assert len(error.problems) == 1 and error.problems[0].startswith(f"line 2: {column}: {problem}")
    assert str(error).startswith("hostile.csv: nothing was imported; 1 of 1 line has problems:")


@pytest.mark.parametrize("kind", sorted(REQUIRED_COLUMN))
def test_every_csv_import_names_a_missing_column_alike(practice: Session, tmp_path: Path, kind: str) -> None:
    column = REQUIRED_COLUMN[kind]
    header, row = first_row(kind)
    names = header.split(",")
    keep = [i for i, name in enumerate(names) if name != column]
    text = ",".join(names[i] for i in keep) + "\n" + ",".join(row.split(",")[i] for i in keep) + "\n"

    error = refusal_of(practice, tmp_path, kind, text)

    assert str(error).startswith(f"hostile.csv: line 1: missing column(s) {column} (the columns are: ")


@pytest.mark.parametrize("kind", WITH_DOB)
def test_every_date_column_reads_dates_alike(practice: Session, tmp_path: Path, kind: str) -> None:
    good = IMPORTS[kind].good

    error = refusal_of(practice, tmp_path, kind, good.replace("05/17/1980", "02/29/2025"))

    assert error.problems == ["line 2: dob: '02/29/2025' is not a date (11/23/2026 or 2026-11-23)"]
    assert attempt(practice, kind, write(tmp_path, kind, good.replace("05/17/1980", "02/29/2024").encode())) is not None


@pytest.mark.parametrize("kind", CSV_KINDS)
def test_every_csv_import_counts_lines_as_a_spreadsheet_does(practice: Session, tmp_path: Path, kind: str) -> None:
    header, row = first_row(kind)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header.split(","), [], [*next(csv.reader([row])), "stray"]])

    error = refusal_of(practice, tmp_path, kind, out.getvalue())

    assert error.problems == ["line 3: more fields than the header has columns"]
