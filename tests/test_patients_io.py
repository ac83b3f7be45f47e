"""`officemgr import patients` (services/patients_io.py): all or none, checked as registering by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select

from factories import NOW, TODAY, make_patient, make_payer
from officemgr.cli import main
from officemgr.models import AuditEvent, InsurancePlan, Patient, UserRole
from officemgr.services.access import Actor
from officemgr.services.patients_io import PatientsImportRefused, import_patients

DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")
HEADER = "Last,First,Date of birth,MRN,Sex,Cell,Zip,Guarantor_name,Insurance,Member ID,Copay"


def write(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "patients.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(session: Session, path: Path) -> object:
    return import_patients(session, path, today=TODAY, now=NOW, actor=DESK)


def test_patients_and_their_primary_plans_are_registered(session: Session, tmp_path: Path) -> None:
    make_payer(session, name="Aetna")
    result = run(session, write(tmp_path, "Lopez,Maria,02/28/1990,A-100,female,614-555-0101,43215,,aetna,W1,25",
                                "Lee,Leo,2015-06-01,,M,,,Ann Lee,,,"))
    assert (result.patients, result.plans) == (2, 1)  # type: ignore[attr-defined]
    maria = session.exec(select(Patient).where(Patient.last_name == "Lopez")).one()
    leo = session.exec(select(Patient).where(Patient.last_name == "Lee")).one()
    assert (maria.account, maria.sex.value, maria.mobile, maria.zip_code) == ("A-100", "F", "(614) 555-0101", "43215")
    assert leo.account == f"{leo.id:06d}" and leo.guarantor_name == "Ann Lee"
    plan = session.exec(select(InsurancePlan)).one()
    assert (plan.patient_id, plan.member_id, plan.copay_cents, plan.rank.value) == (maria.id, "W1", 2500, "primary")
    actions = {(e.entity, e.action, e.actor) for e in session.exec(select(AuditEvent))}
    assert actions == {("patient", "import", "hb@desk1"), ("insurance_plan", "import", "hb@desk1")}


def test_every_bad_line_is_named_and_nothing_is_imported(session: Session, tmp_path: Path) -> None:
    make_payer(session, name="Aetna")
    make_patient(session, first_name="Ada", last_name="Lovelace", account="000777")
    path = write(tmp_path,
                 "Lopez,Maria,02/28/1990,,F,,43215,,,,",  # fine on its own
                 "Lopez,Maria,02/28/1990,,F,,,,,,",  # the same patient twice
                 "Lovelace,Ada,05/17/1980,,F,,,,,,",  # already registered
                 "Kid,Tom,2020-01-01,,M,,,,,,",  # a minor without a guarantor
                 "Doe,Jo,1970-01-01,000777,X,,4321,,Cigna,Z9,",  # account taken, sex, zip, unknown payer
                 ",Jo,1970-01-01,,,,,,,,")
    with pytest.raises(PatientsImportRefused) as refused:
        run(session, path)
    message = str(refused.value)
    assert "line 3: the same patient is on line 2" in message
    assert "line 4: Lovelace, Ada, born 05/17/1980, is already registered as #000777" in message
    assert "line 5: guarantor_name: a patient under 18 needs a guarantor" in message
    assert "line 6: sex: 'X' is not F, M or U" in message
    assert "line 7: the last_name is empty" in message
    assert len(session.exec(select(Patient)).all()) == 1  # only Ada, from before


def test_the_cli_imports_as_the_signed_in_person_and_refuses_a_semicolon_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "office.db"
    good = write(tmp_path, "Lopez,Maria,02/28/1990,,F,,,,,,")
    assert main(["import", "patients", str(good), "--db", str(db)]) == 0  # no users yet: the program itself
    assert "Imported 1 patient from patients.csv (0 insurance plans)." in capsys.readouterr().out
    semicolons = tmp_path / "semi.csv"
    semicolons.write_text("Last;First;Date of birth\nLee;Leo;1990-01-01\n", encoding="utf-8")
    assert main(["import", "patients", str(semicolons), "--db", str(db)]) == 1
    assert "semi.csv is separated by semicolons (;), not commas" in capsys.readouterr().err
