"""Registering, finding, editing and merging patients (services/patients.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from factories import NOW, TODAY, make_appointment, make_claim, make_patient, make_payer, make_provider
from officemgr.models import Appointment, AuditEvent, Claim, Patient, UserRole
from officemgr.services import patients
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError

DESK = Actor("hb", {UserRole.front_desk}, workstation="desk1")
BILLER = Actor("wm", {UserRole.biller}, workstation="desk2")
MANAGER = Actor("tt", {UserRole.manager}, workstation="office")


def _new(**values: object) -> dict[str, object]:
    return {"first_name": "Maria", "last_name": "Lopez", "dob": date(1990, 2, 28), "phone": "614-555-0101",
            **values}


def test_registering_numbers_the_patient_and_audits_every_field(session: Session) -> None:
    hit = patients.register(session, _new(preferred_name="Mari", city="Columbus", state="oh", zip_code="43215"),
                            today=TODAY, actor=DESK, now=NOW)
    stored = session.get(Patient, hit.id)
    assert stored is not None
    assert (stored.account, stored.state, stored.phone) == (f"{hit.id:06d}", "OH", "(614) 555-0101")
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "patient")).one()
    assert event.actor == "hb@desk1" and '"preferred_name": "Mari"' in event.changes


def test_a_possible_duplicate_is_refused_until_the_desk_says_it_is_someone_else(session: Session) -> None:
    first = patients.register(session, _new(), today=TODAY, actor=DESK, now=NOW)
    with pytest.raises(patients.DuplicatePatient) as refused:
        patients.register(session, _new(first_name="MARIA", phone=""), today=TODAY, actor=DESK, now=NOW)
    assert [m.id for m in refused.value.matches] == [first.id]
    assert "already registered as #" in str(refused.value)
    # Same date of birth and phone, another name: still someone to look at first.
    with pytest.raises(patients.DuplicatePatient):
        patients.register(session, _new(first_name="Mary", last_name="Lopes"), today=TODAY, actor=DESK, now=NOW)
    second = patients.register(session, _new(), today=TODAY, actor=DESK, now=NOW, different_person=True)
    assert second.id != first.id
    assert len(session.exec(select(Patient)).all()) == 2


def test_a_minor_needs_a_guarantor_counted_to_the_birthday(session: Session) -> None:
    seventeen = TODAY.replace(year=TODAY.year - 18) + timedelta(days=1)  # eighteen tomorrow
    with pytest.raises(ServiceError, match="guarantor"):
        patients.register(session, _new(dob=seventeen), today=TODAY, actor=DESK, now=NOW)
    adult = patients.register(session, _new(dob=seventeen - timedelta(days=1)), today=TODAY, actor=DESK, now=NOW)
    minor = patients.register(session, _new(first_name="Leo", dob=seventeen, guarantor_name="Maria Lopez",
                                            guarantor_relation="mother"), today=TODAY, actor=DESK, now=NOW)
    assert adult.id and minor.id
    assert len(session.exec(select(Patient)).all()) == 2


def test_a_leap_day_birthday_is_eighteen_on_march_first() -> None:
    assert patients.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert patients.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


@pytest.mark.parametrize(("field", "value", "words"), [
    ("zip_code", "4321", "ZIP code"), ("state", "Ohio", "two-letter"), ("phone", "555-12", "10 digits"),
    ("dob", "2040-01-01", "after today"), ("first_name", "  ", "required"), ("email", "maria@", "e-mail"),
    ("last_name", "Lo\x1b[31mpez", "escape character"),
])
def test_bad_details_are_refused_in_words_and_nothing_is_saved(session: Session, field: str, value: str,
                                                               words: str) -> None:
    with pytest.raises(ServiceError, match=words):
        patients.register(session, _new(**{field: value}), today=TODAY, actor=DESK, now=NOW)
    assert session.exec(select(Patient)).all() == []


def test_only_roles_with_the_schedule_register_patients(session: Session) -> None:
    with pytest.raises(NotAllowed, match="front desk"):
        patients.register(session, _new(), today=TODAY, actor=BILLER, now=NOW)
    assert session.exec(select(Patient)).all() == []


def test_search_by_name_date_of_birth_phone_and_account(session: Session) -> None:
    maria = patients.register(session, _new(preferred_name="Mari", mobile="(614) 555-0199"), today=TODAY,
                              actor=DESK, now=NOW)
    other = patients.register(session, _new(first_name="Ann", last_name="Lopezz", dob=date(1970, 1, 1),
                                            phone="614-555-0202"), today=TODAY, actor=DESK, now=NOW)

    def ids(text: str) -> list[int]:
        return [h.id for h in patients.search(session, text)]

    assert ids("lop") == [maria.id, other.id]  # by last name
    assert ids("lopez, mar") == [maria.id]
    assert ids("mari lopez") == [maria.id]  # the preferred name
    assert ids("02/28/1990") == ids("1990-02-28") == [maria.id]
    assert ids("6145550101") == ids("(614) 555-0101") == ids("555-0199") == [maria.id]
    assert ids(maria.account) == ids(str(maria.id)) == [maria.id]
    assert ids("02/30/1990") == [] and ids("%") == [] and ids("") == []


def test_edit_refuses_a_stale_version(session: Session) -> None:
    hit = patients.register(session, _new(), today=TODAY, actor=DESK, now=NOW)
    values, version = patients.details(session, hit.id)
    patients.update_patient(session, hit.id, values.model_copy(update={"city": "Dayton"}), today=TODAY, actor=DESK,
                            now=NOW, expected_version=version)
    with pytest.raises(ServiceError, match="changed by someone else"):
        patients.update_patient(session, hit.id, values.model_copy(update={"city": "Akron"}), today=TODAY,
                                actor=DESK, now=NOW, expected_version=version)
    stored = session.get(Patient, hit.id)
    assert stored is not None and stored.city == "Dayton"


def test_merge_moves_visits_and_claims_and_unmerge_puts_them_back(session: Session) -> None:
    doc = make_provider(session)
    keep, gone = make_patient(session), make_patient(session, first_name="Adah", phone="")
    visit = make_appointment(session, patient=gone, provider=doc)
    claim = make_claim(session, payer=make_payer(session), patient=gone, provider=doc)
    with pytest.raises(NotAllowed, match="claims move too"):
        patients.merge(session, keep.id, gone.id, actor=DESK, now=NOW)
    assert session.get(Appointment, visit.id).patient_id == gone.id  # type: ignore[union-attr]
    assert patients.merge(session, keep.id, gone.id, actor=MANAGER, now=NOW) == 2
    assert session.get(Appointment, visit.id).patient_id == keep.id  # type: ignore[union-attr]
    assert session.get(Claim, claim.id).patient_id == keep.id  # type: ignore[union-attr]
    assert [h.id for h in patients.search(session, "lovelace")] == [keep.id]  # the merged record is hidden
    with pytest.raises(ServiceError, match="already merged"):
        patients.merge(session, keep.id, gone.id, actor=MANAGER, now=NOW)
    assert patients.unmerge(session, gone.id, actor=MANAGER, now=NOW) == 2
    assert session.get(Appointment, visit.id).patient_id == gone.id  # type: ignore[union-attr]
    assert session.get(Claim, claim.id).patient_id == gone.id  # type: ignore[union-attr]
    assert sorted(h.id for h in patients.search(session, "lovelace")) == sorted([keep.id, gone.id])


def test_bulk_added_patients_get_account_numbers(session: Session) -> None:
    first, second = make_patient(session), make_patient(session, first_name="Bo")
    patients.give_accounts(session)
    session.commit()
    assert [session.get(Patient, p.id).account for p in (first, second)] == [  # type: ignore[union-attr]
        f"{first.id:06d}", f"{second.id:06d}"]


def test_a_six_digit_account_is_the_practices_own(session: Session) -> None:
    with pytest.raises(ServiceError, match="six-digit numbers are the practice's own"):
        patients.register(session, _new(), today=TODAY, actor=DESK, now=NOW, account="000042")
    hit = patients.register(session, _new(), today=TODAY, actor=DESK, now=NOW, account="MRN000042")
    assert hit.account == "MRN000042"


def test_a_merge_moves_the_money_too(session: Session) -> None:
    from officemgr.models import LedgerEntry
    from officemgr.services import ledger

    keep, gone = make_patient(session), make_patient(session, first_name="Adah", phone="")
    ledger.take_payment(session, gone.id, 2_500, "cash", today=TODAY, actor=MANAGER, now=NOW)
    patients.merge(session, keep.id, gone.id, actor=MANAGER, now=NOW)
    assert (ledger.balance(session, keep.id), ledger.balance(session, gone.id)) == (-2_500, 0)
    patients.unmerge(session, gone.id, actor=MANAGER, now=NOW)
    assert (ledger.balance(session, keep.id), ledger.balance(session, gone.id)) == (0, -2_500)
    assert len(session.exec(select(LedgerEntry)).all()) == 1


def test_a_clinical_user_sees_the_patient_not_their_account(session: Session) -> None:
    from officemgr.services import ledger
    from officemgr.services.patient_record import patient_record

    patient = make_patient(session)
    ledger.take_payment(session, patient.id, 2_500, "cash", today=TODAY, actor=DESK, now=NOW)
    nurse = patient_record(session, patient.id, today=TODAY, now=NOW, actor=Actor("cam", {UserRole.clinical}))
    assert (nurse.name, nurse.balance_cents, nurse.entries) == ("Lovelace, Ada", None, [])
    assert patient_record(session, patient.id, today=TODAY, now=NOW, actor=DESK).balance_cents == -2_500
