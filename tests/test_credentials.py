"""Credentials (bands, required vs optional, NPI), yearly evaluations, payer enrollment and CAQH, and the
huddle items they raise."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from factories import (
    ACTOR,
    NOW,
    TODAY,
    VALID_NPIS,
    audit_events,
    make_credential,
    make_payer,
    make_provider,
    make_staff,
)
from officemgr.models import Credential, CredentialKind, Evaluation, PayerEnrollment, Role
from officemgr.models.roster import EvaluationKind
from officemgr.services import credentials, settings
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.credentials import (
    CredentialCreate,
    CredentialRecord,
    CredentialRenewal,
    EnrollmentCreate,
    EnrollmentRecord,
    EnrollmentUpdate,
    EvaluationRecord,
)
from officemgr.services.huddle import huddle


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def staffing(session, today: date = TODAY):
    return next(s for s in huddle(session, today, actor="tests").sections if s.key == "staffing").items


# ----------------------------------------------------------------------------------------- expiry bands


def test_each_credential_falls_in_its_expiry_band(session):
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma)
    offsets = [-1, 0, 30, 31, 60, 61, 90, 91]
    for n in offsets:
        make_credential(session, mary, kind=CredentialKind.bls, expires=days(n), number=f"N{n}")
    make_credential(session, mary, kind=CredentialKind.npi, expires=None, number=VALID_NPIS[0])

    lines = credentials.credential_list(session, TODAY)

    on_file = [line for line in lines if not line.missing]
    assert [(line.number, line.days_left, line.band) for line in on_file] == [
        ("N-1", -1, "expired"), ("N0", 0, "30"), ("N30", 30, "30"), ("N31", 31, "60"), ("N60", 60, "60"),
        ("N61", 61, "90"), ("N90", 90, "90"), ("N91", 91, "ok"), (VALID_NPIS[0], None, "none"),
    ]
    assert on_file[0].expired and not on_file[1].expired  # valid through its expiry date
    assert credentials.band(None) == "none" and credentials.band(-30) == "expired" and credentials.band(400) == "ok"


def test_credential_list_puts_missing_required_first_and_can_show_one_person(session):
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma)
    fran = make_staff(session, first_name="Fran", last_name="Allen", role=Role.front_desk)
    make_credential(session, mary, kind=CredentialKind.bls, expires=days(100))
    make_credential(session, mary, kind=CredentialKind.rma, expires=days(10))
    make_credential(session, fran, kind=CredentialKind.hipaa_training, expires=days(5))

    everyone = credentials.credential_list(session, TODAY)
    assert [(line.staff_name, line.kind, line.band, line.required) for line in everyone] == [
        ("Mary Jones", CredentialKind.bbp_training, "missing", True),
        ("Mary Jones", CredentialKind.hipaa_training, "missing", True),
        ("Fran Allen", CredentialKind.hipaa_training, "30", True),
        ("Mary Jones", CredentialKind.rma, "30", False),
        ("Mary Jones", CredentialKind.bls, "ok", True),
    ]
    assert everyone[0].missing and everyone[0].credential_id is None
    only_fran = credentials.credential_list(session, TODAY, fran.id)
    assert [(line.staff_id, line.kind) for line in only_fran] == [(fran.id, CredentialKind.hipaa_training)]


# ------------------------------------------------------------------------------------ required vs optional


def test_only_an_expired_required_credential_makes_a_person_lapsed(session):
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma)
    fran = make_staff(session, first_name="Fran", last_name="Allen", role=Role.front_desk)
    gone = make_staff(session, first_name="Gone", last_name="Away", role=Role.ma, active=False)
    make_credential(session, mary, kind=CredentialKind.bls, expires=days(-1))  # required for an MA
    make_credential(session, mary, kind=CredentialKind.rma, expires=days(-40))  # optional for an MA
    make_credential(session, mary, kind=CredentialKind.hipaa_training, expires=TODAY)  # valid through today
    make_credential(session, fran, kind=CredentialKind.hipaa_training, expires=days(200))
    make_credential(session, fran, kind=CredentialKind.bbp_training, expires=days(-3))  # not required at the desk
    make_credential(session, gone, kind=CredentialKind.bls, expires=days(-100))  # inactive: left out

    assert credentials.lapsed_required(session, TODAY) == {mary.id: ["BLS/CPR"]}
    # Missing is a gap, reported apart, and does not make anyone red.
    assert credentials.missing_required(session) == {mary.id: ["Bloodborne pathogens training"]}
    assert credentials.lapsed_required(session, days(1)) == {mary.id: ["BLS/CPR", "HIPAA training"]}


def test_a_second_valid_credential_of_the_same_kind_keeps_it_valid(session):
    doc = make_provider(session, template=False)
    make_credential(session, doc, kind=CredentialKind.dea, expires=days(-5), number="AB1234563")
    make_credential(session, doc, kind=CredentialKind.dea, expires=days(700), number="AB7654321")
    lapsed = credentials.lapsed_required(session, TODAY)
    assert "DEA registration" not in lapsed.get(doc.id, [])


def test_the_required_list_is_a_setting(session):
    fran = make_staff(session, first_name="Fran", last_name="Allen", role=Role.front_desk)
    make_credential(session, fran, kind=CredentialKind.hipaa_training, expires=days(100))
    make_credential(session, fran, kind=CredentialKind.bbp_training, expires=days(-3))
    assert credentials.lapsed_required(session, TODAY) == {}

    required = settings.get(session, "required_credentials")
    required["front_desk"] = ["hipaa_training", "bbp_training", "not_a_kind"]
    settings.put(session, "required_credentials", required, now=NOW, actor=ACTOR)

    assert credentials.lapsed_required(session, TODAY) == {fran.id: ["Bloodborne pathogens training"]}


# ------------------------------------------------------------------------------------------------- NPI


@pytest.mark.parametrize("npi", ["1234567893", "1558598797", " 1234-567-893 "])
def test_valid_npis_are_accepted(npi):
    data = CredentialCreate(staff_id=1, kind=CredentialKind.npi, number=npi)
    assert data.number == npi.strip().replace("-", "") and data.expires is None


@pytest.mark.parametrize(
    ("npi", "reason"),
    [
        ("1234567890", "the check digit"),
        ("123456789", "exactly 10 digits (this has 9)"),
        ("3234567893", "starts with 1 or 2"),
        ("12345678x3", "10 digits and nothing else"),
        ("", "required"),
    ],
)
def test_a_wrong_npi_is_refused_on_the_number_with_the_reason(npi, reason):
    with pytest.raises(ValidationError) as caught:
        CredentialCreate(staff_id=1, kind=CredentialKind.npi, number=npi)
    errors = caught.value.errors()
    assert [e["loc"] for e in errors] == [("number",)]
    assert reason in errors[0]["msg"]
    assert credentials.npi_problem("1234567890").startswith("not a valid NPI")
    assert credentials.npi_problem("1558598797") is None


def test_other_kinds_do_not_check_the_npi_rule_but_need_what_they_need():
    assert CredentialCreate(staff_id=1, kind=CredentialKind.bls, number="1234567890", expires=days(300)).number
    with pytest.raises(ValidationError) as caught:
        CredentialCreate(staff_id=1, kind=CredentialKind.license, number="", state="XX")
    problems = {e["loc"][0]: e["msg"] for e in caught.value.errors()}
    assert set(problems) == {"number", "state", "expires"}
    assert "2-letter" in problems["state"]
    with pytest.raises(ValidationError, match="does not expire"):
        CredentialCreate(staff_id=1, kind=CredentialKind.npi, number=VALID_NPIS[0], expires=days(10))
    training = CredentialCreate(staff_id=1, kind=CredentialKind.hipaa_training, expires=days(365))
    assert (training.number, training.state) == ("", "")


# ------------------------------------------------------------------------------------ credential writes


def test_add_credential_writes_it_with_an_audit_event(session):
    doc = make_provider(session, template=False)
    data = CredentialCreate(staff_id=doc.id, kind=CredentialKind.license, number="35.123456", state="oh",
                            expires=days(700))

    row = credentials.add_credential(session, data, now=NOW, actor=ACTOR)

    stored = session.get(Credential, row.id)
    assert (stored.kind, stored.number, stored.state, stored.expires) == (
        CredentialKind.license, "35.123456", "OH", days(700))
    assert row == CredentialRecord(stored.id, 1, doc.id, CredentialKind.license, "35.123456", "OH", days(700))
    [(event, changes)] = audit_events(session, "credential")
    assert (event.entity_id, event.action, event.actor, event.at) == (row.id, "create", ACTOR, NOW)
    assert changes["number"] == "35.123456" and changes["expires"] == days(700).isoformat()

    with pytest.raises(ServiceError, match="already has this State license"):
        credentials.add_credential(session, data, now=NOW, actor=ACTOR)
    npi = CredentialCreate(staff_id=doc.id, kind=CredentialKind.npi, number=VALID_NPIS[1])
    assert credentials.add_credential(session, npi, now=NOW, actor=ACTOR).expires is None
    with pytest.raises(ServiceError, match=f"already has an NPI on file \\({VALID_NPIS[1]}\\)"):
        credentials.add_credential(session, npi.model_copy(update={"number": VALID_NPIS[0]}), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="no longer exists"):
        credentials.add_credential(session, data.model_copy(update={"staff_id": 999}), now=NOW, actor=ACTOR)


def test_renewing_updates_the_same_row_and_is_audited(session):
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma)
    bls = make_credential(session, mary, kind=CredentialKind.bls, expires=days(-3), number="OLD-1")
    assert credentials.lapsed_required(session, TODAY) == {mary.id: ["BLS/CPR"]}

    renewed = credentials.renew_credential(session, bls.id, CredentialRenewal(number="NEW-2", expires=days(730)),
                                           now=NOW, actor=ACTOR, expected_version=1)
    assert renewed == CredentialRecord(bls.id, 2, mary.id, CredentialKind.bls, "NEW-2", "", days(730))

    rows = session.exec(select(Credential).where(Credential.staff_id == mary.id)).all()
    assert [(r.id, r.number, r.expires, r.version) for r in rows] == [(bls.id, "NEW-2", days(730), 2)]
    [(event, changes)] = audit_events(session, "credential")
    assert (event.action, event.entity_id) == ("renew", bls.id)
    assert changes == {"expires": [days(-3).isoformat(), days(730).isoformat()], "number": ["OLD-1", "NEW-2"]}
    assert mary.id not in credentials.lapsed_required(session, TODAY)

    # An empty number keeps the old one.
    credentials.renew_credential(session, bls.id, CredentialRenewal(number="  ", expires=days(800)), now=NOW,
                                 actor=ACTOR)
    assert session.get(Credential, bls.id).number == "NEW-2"


def test_renewal_refusals(session):
    mary = make_staff(session, role=Role.ma)
    bls = make_credential(session, mary, kind=CredentialKind.bls, expires=days(10))
    npi = make_credential(session, mary, kind=CredentialKind.npi, expires=None, number=VALID_NPIS[0])
    with pytest.raises(ServiceError, match="after today"):
        credentials.renew_credential(session, bls.id, CredentialRenewal(expires=TODAY), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="nothing to renew"):
        credentials.renew_credential(session, npi.id, CredentialRenewal(expires=days(9)), now=NOW, actor=ACTOR)
    with pytest.raises(StaleEdit):
        credentials.renew_credential(session, bls.id, CredentialRenewal(expires=days(400)), now=NOW, actor=ACTOR,
                                     expected_version=7)
    with pytest.raises(ServiceError, match="nothing changed"):
        credentials.renew_credential(session, bls.id, CredentialRenewal(expires=days(10)), now=NOW, actor=ACTOR)
    session.rollback()
    assert session.get(Credential, bls.id).expires == days(10)
    assert audit_events(session, "credential") == []


# ------------------------------------------------------------------------------------------ evaluations


def test_anniversaries_of_a_feb_29_hire():
    hire = date(2020, 2, 29)
    assert credentials.anniversary(hire, 2025) == date(2025, 2, 28)
    assert credentials.anniversary(hire, 2028) == date(2028, 2, 29)
    assert credentials.next_evaluation_due(hire, None) == date(2021, 2, 28)
    assert credentials.next_evaluation_due(hire, date(2026, 2, 28)) == date(2027, 2, 28)
    assert credentials.next_evaluation_due(hire, date(2027, 2, 28)) == date(2028, 2, 29)
    assert credentials.is_anniversary(hire, date(2027, 2, 28)) and not credentials.is_anniversary(hire, hire)


def test_without_any_evaluation_the_90_day_review_then_the_first_anniversary_is_due(session):
    new = make_staff(session, first_name="New", last_name="Hire", hire_date=days(-300))
    old = make_staff(session, first_name="Long", last_name="Timer", hire_date=date(2019, 12, 1))
    make_staff(session, first_name="No", last_name="Date")  # no hire date: left out
    make_staff(session, first_name="Gone", last_name="Away", hire_date=date(2020, 1, 1), active=False)

    rows = credentials.evaluations_due(session, TODAY, within_days=None)

    # The new hire's 90-day review is still owed (their first anniversary is ahead); the long-timer's first
    # anniversary passed without one, so theirs is the yearly evaluation.
    assert [(r.staff_id, r.due, r.days_left, r.overdue, r.last_done_on, r.kind) for r in rows] == [
        (old.id, date(2020, 12, 1), (date(2020, 12, 1) - TODAY).days, True, None, EvaluationKind.yearly),
        (new.id, days(-210), -210, True, None, EvaluationKind.probation),
    ]
    later = credentials.evaluations_due(session, days(66), within_days=None, staff_id=new.id)
    assert [(r.due, r.kind) for r in later] == [(days(65), EvaluationKind.yearly)]


def test_a_done_evaluation_moves_the_next_due_a_year(session):
    person = make_staff(session, first_name="Mary", last_name="Jones", hire_date=date(2019, 12, 1))
    credentials.record_evaluation(session, person.id, date(2025, 12, 1), date(2025, 12, 3), "Meets expectations",
                                  now=NOW, actor=ACTOR)

    [row] = credentials.evaluations_due(session, TODAY)
    assert (row.due, row.days_left, row.overdue, row.last_done_on) == (date(2026, 12, 1), 8, False,
                                                                        date(2025, 12, 3))

    credentials.record_evaluation(session, person.id, date(2026, 12, 1), TODAY, "Early, before leave",
                                  now=NOW, actor=ACTOR)

    assert credentials.evaluations_due(session, TODAY) == []
    [row] = credentials.evaluations_due(session, TODAY, within_days=None)
    assert (row.due, row.last_done_on) == (date(2027, 12, 1), TODAY)
    events = audit_events(session, "evaluation")
    assert [(e.action, c["due"], c["done_on"]) for e, c in events] == [
        ("done", "2025-12-01", "2025-12-03"), ("done", "2026-12-01", TODAY.isoformat())]


def test_a_feb_29_hire_is_due_on_feb_28_in_other_years(session):
    person = make_staff(session, hire_date=date(2020, 2, 29))
    credentials.record_evaluation(session, person.id, date(2026, 2, 28), date(2026, 3, 2), "", now=NOW,
                                  actor=ACTOR)
    today = date(2027, 2, 1)
    [row] = credentials.evaluations_due(session, today)
    assert (row.due, row.days_left) == (date(2027, 2, 28), 27)


def test_recording_an_evaluation_updates_the_row_for_that_due_date(session):
    person = make_staff(session, hire_date=date(2019, 12, 1))
    credentials.record_evaluation(session, person.id, date(2025, 12, 1), date(2025, 12, 1), now=NOW, actor=ACTOR)
    session.add(Evaluation(staff_id=person.id, due=date(2026, 12, 1), note="Schedule with Dr. Chen"))
    session.commit()
    [row] = credentials.evaluations_due(session, TODAY)
    assert row.evaluation_id is not None and row.note == "Schedule with Dr. Chen"

    done = credentials.record_evaluation(session, person.id, date(2026, 12, 1), TODAY, "Done", now=NOW, actor=ACTOR)

    assert done == EvaluationRecord(row.evaluation_id, 2, person.id, date(2026, 12, 1), TODAY, "Done")
    stored = session.exec(select(Evaluation).where(Evaluation.due == date(2026, 12, 1))).all()
    assert [(e.id, e.done_on, e.note, e.version) for e in stored] == [(row.evaluation_id, TODAY, "Done", 2)]
    (event, changes) = audit_events(session, "evaluation")[-1]
    assert (event.action, event.entity_id) == ("done", row.evaluation_id)
    assert changes == {"done_on": [None, TODAY.isoformat()], "note": ["Schedule with Dr. Chen", "Done"]}


def test_evaluation_refusals(session):
    person = make_staff(session, hire_date=date(2019, 12, 1))
    undated = make_staff(session, first_name="No", last_name="Date")
    with pytest.raises(ServiceError, match="in the future"):
        credentials.record_evaluation(session, person.id, date(2026, 12, 1), days(1), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="not an anniversary"):
        credentials.record_evaluation(session, person.id, date(2026, 12, 2), TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="no hire date"):
        credentials.record_evaluation(session, undated.id, date(2026, 12, 1), TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="note: at most 500"):
        credentials.record_evaluation(session, person.id, date(2026, 12, 1), TODAY, "x" * 501, now=NOW,
                                      actor=ACTOR)
    assert session.exec(select(Evaluation)).all() == []


# ------------------------------------------------------------------------------------- payer enrollment


@pytest.fixture
def enrolled(session):
    """Hopper enrolled with two payers, CAQH attested 100 days ago."""
    hopper = make_provider(session, first_name="Grace", last_name="Hopper", template=False)
    aetna, cigna = make_payer(session, name="Aetna"), make_payer(session, name="Cigna")
    for payer, due in ((aetna, days(30)), (cigna, days(31))):
        credentials.add_enrollment(session, EnrollmentCreate(
            provider_id=hopper.id, payer_id=payer.id, effective=date(2024, 1, 1), recredential_due=due,
            caqh_attested_on=days(-100)), now=NOW, actor=ACTOR)
    return hopper, aetna, cigna


def test_enrollment_due_window_is_the_setting(session, enrolled):
    hopper, aetna, _ = enrolled
    due = credentials.enrollments_due(session, TODAY)
    assert [(d.kind, d.what, d.days_left, d.overdue) for d in due] == [
        ("caqh", "CAQH ProView", 20, False),  # attested 100 days ago: due in 20
        ("recredential", "Aetna", 30, False),  # 30 days: in; Cigna at 31 days: out
    ]
    assert due[0].due == days(20) and due[1].provider_id == hopper.id
    settings.put(session, "enrollment_warn_days", 10, now=NOW, actor=ACTOR)
    assert credentials.enrollments_due(session, TODAY) == []
    assert [d.what for d in credentials.enrollments_due(session, TODAY, within_days=31)] == [
        "CAQH ProView", "Aetna", "Cigna"]
    assert [d.days_left for d in credentials.enrollments_due(session, days(40))] == [-20, -10, -9]


@pytest.mark.parametrize(("age", "listed", "days_left"), [(89, False, 31), (90, True, 30), (120, True, 0),
                                                          (121, True, -1)])
def test_caqh_is_due_120_days_after_the_attestation(session, age, listed, days_left):
    doc = make_provider(session, template=False)
    payer = make_payer(session)
    credentials.add_enrollment(session, EnrollmentCreate(provider_id=doc.id, payer_id=payer.id,
                                                         effective=date(2024, 1, 1), caqh_attested_on=days(-age)),
                               now=NOW, actor=ACTOR)
    [row] = credentials.enrollments(session, TODAY)
    assert (row.caqh_due, row.caqh_days) == (days(-age) + timedelta(days=120), days_left)
    caqh = [d for d in credentials.enrollments_due(session, TODAY) if d.kind == "caqh"]
    assert bool(caqh) is listed
    if caqh:
        assert caqh[0].overdue is (days_left < 0)


def test_never_attested_caqh_is_due_and_counts_once_per_provider(session):
    doc = make_provider(session, template=False)
    for name in ("A", "B", "C"):
        credentials.add_enrollment(session, EnrollmentCreate(
            provider_id=doc.id, payer_id=make_payer(session, name=name).id, effective=date(2025, 6, 1)),
            now=NOW, actor=ACTOR)
    [due] = credentials.enrollments_due(session, TODAY)
    assert (due.kind, due.due, due.days_left, due.overdue) == ("caqh", None, None, True)
    # Re-credentialing defaults to three years after the effective date.
    assert {r.recredential_due for r in credentials.enrollments(session, TODAY)} == {date(2028, 6, 1)}


def test_attesting_caqh_stamps_every_enrollment_of_the_provider(session, enrolled):
    hopper, _, _ = enrolled
    other = make_provider(session, first_name="Charles", last_name="Babbage", npi=VALID_NPIS[1], template=False)
    theirs = credentials.add_enrollment(session, EnrollmentCreate(
        provider_id=other.id, payer_id=make_payer(session).id, effective=date(2024, 1, 1),
        caqh_attested_on=days(-50)), now=NOW, actor=ACTOR)

    changed = credentials.attest_caqh(session, hopper.id, TODAY, now=NOW, actor=ACTOR)

    assert changed == 2
    rows = session.exec(select(PayerEnrollment).order_by(PayerEnrollment.id)).all()
    assert [(r.provider_id, r.caqh_attested_on, r.version) for r in rows] == [
        (hopper.id, TODAY, 2), (hopper.id, TODAY, 2), (other.id, days(-50), 1)]
    events = [(e.entity_id, c) for e, c in audit_events(session, "payer_enrollment") if e.action == "caqh_attest"]
    assert len(events) == 2 and all(c == {"caqh_attested_on": [days(-100).isoformat(), TODAY.isoformat()]}
                                    for _, c in events)
    assert [d.kind for d in credentials.enrollments_due(session, TODAY)] == ["recredential"]
    assert credentials.attest_caqh(session, hopper.id, TODAY, now=NOW, actor=ACTOR) == 0
    assert session.get(PayerEnrollment, theirs.id).caqh_attested_on == days(-50)


def test_a_new_enrollment_takes_the_providers_caqh_date(session, enrolled):
    hopper, _, _ = enrolled
    row = credentials.add_enrollment(session, EnrollmentCreate(
        provider_id=hopper.id, payer_id=make_payer(session, name="Medicare").id, effective=TODAY), now=NOW,
        actor=ACTOR)
    assert row.caqh_attested_on == days(-100)
    # A newer date given on a new enrollment moves the whole profile.
    credentials.add_enrollment(session, EnrollmentCreate(
        provider_id=hopper.id, payer_id=make_payer(session, name="Medicaid").id, effective=TODAY,
        caqh_attested_on=days(-1)), now=NOW, actor=ACTOR)
    assert {r.caqh_attested_on for r in credentials.enrollments(session, TODAY)} == {days(-1)}


def test_enrollment_refusals(session, enrolled):
    hopper, aetna, _ = enrolled
    mary = make_staff(session, role=Role.ma)
    with pytest.raises(ServiceError, match="already enrolled with Aetna"):
        credentials.add_enrollment(session, EnrollmentCreate(provider_id=hopper.id, payer_id=aetna.id,
                                                             effective=TODAY), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="only providers enroll"):
        credentials.add_enrollment(session, EnrollmentCreate(provider_id=mary.id, payer_id=aetna.id,
                                                             effective=TODAY), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="in the future"):
        credentials.attest_caqh(session, hopper.id, days(1), now=NOW, actor=ACTOR)
    with pytest.raises(ServiceError, match="last attested on"):
        credentials.attest_caqh(session, hopper.id, days(-101), now=NOW, actor=ACTOR)
    loner = make_provider(session, first_name="No", last_name="Payers", npi=VALID_NPIS[1], template=False)
    with pytest.raises(ServiceError, match="no payer enrollments"):
        credentials.attest_caqh(session, loner.id, TODAY, now=NOW, actor=ACTOR)
    with pytest.raises(ValidationError, match="after the effective date"):
        EnrollmentCreate(provider_id=hopper.id, payer_id=aetna.id, effective=TODAY, recredential_due=TODAY)


def test_update_enrollment_is_versioned_and_audited(session, enrolled):
    [first, *_] = credentials.enrollments(session, TODAY)
    data = EnrollmentUpdate(effective=first.effective, recredential_due=date(2029, 11, 1), note=" re-credentialed ")
    updated = credentials.update_enrollment(session, first.enrollment_id, data, now=NOW, actor=ACTOR,
                                            expected_version=1)
    assert updated == EnrollmentRecord(first.enrollment_id, 2, first.provider_id, first.payer_id, first.effective,
                                       date(2029, 11, 1), first.caqh_attested_on, "re-credentialed")
    row = session.get(PayerEnrollment, first.enrollment_id)
    assert (row.recredential_due, row.note, row.version) == (date(2029, 11, 1), "re-credentialed", 2)
    [(_, changes)] = [(e, c) for e, c in audit_events(session, "payer_enrollment") if e.action == "update"]
    assert changes == {"note": ["", "re-credentialed"], "recredential_due": [days(30).isoformat(), "2029-11-01"]}
    with pytest.raises(StaleEdit):
        credentials.update_enrollment(session, first.enrollment_id, data, now=NOW, actor=ACTOR, expected_version=1)


# ------------------------------------------------------------------------------------------------ huddle


def test_huddle_staffing_lists_evaluations_enrollments_and_urgent_lapses(session):
    mary = make_staff(session, first_name="Mary", last_name="Jones", role=Role.ma, hire_date=date(2018, 11, 13))
    fran = make_staff(session, first_name="Fran", last_name="Allen", role=Role.front_desk,
                      hire_date=date(2020, 12, 1))
    credentials.record_evaluation(session, mary.id, date(2025, 11, 13), date(2025, 11, 20), now=NOW, actor=ACTOR)
    credentials.record_evaluation(session, fran.id, date(2025, 12, 1), date(2025, 12, 1), now=NOW, actor=ACTOR)
    make_credential(session, mary, kind=CredentialKind.bls, expires=days(-2))  # required: urgent
    make_credential(session, fran, kind=CredentialKind.bbp_training, expires=days(-2))  # optional: listed, calm
    doc = make_provider(session, first_name="Grace", last_name="Hopper", template=False)
    payer = make_payer(session, name="Aetna")
    credentials.add_enrollment(session, EnrollmentCreate(
        provider_id=doc.id, payer_id=payer.id, effective=date(2024, 1, 1), recredential_due=days(-1),
        caqh_attested_on=days(-110)), now=NOW, actor=ACTOR)

    items = staffing(session)

    assert [(i.text, i.reason, i.record_id, i.urgent) for i in items] == [
        ("Mary Jones: BLS/CPR 11/21/2026", "credential expired", mary.id, True),
        ("Fran Allen: Bloodborne pathogens training 11/21/2026", "credential expired", fran.id, False),
        ("Mary Jones: yearly evaluation 11/13/2026", "evaluation overdue, was due 10 days ago", mary.id, False),
        ("Fran Allen: yearly evaluation 12/01/2026", "evaluation due in 8 days", fran.id, False),
        ("Grace Hopper: Aetna re-credentialing 11/22/2026", "re-credentialing overdue, was due yesterday", doc.id,
         True),
        ("Grace Hopper: CAQH re-attestation 12/03/2026", "CAQH re-attestation due in 10 days", doc.id, False),
    ]
    assert all(i.tab == "staff" for i in items)


def test_huddle_evaluations_two_weeks_ahead_after_last_years(session):
    mary = make_staff(session, first_name="Mary", last_name="Jones", hire_date=date(2018, 12, 7))
    later = make_staff(session, first_name="Later", last_name="On", hire_date=date(2018, 12, 8))
    for person, due in ((mary, date(2025, 12, 7)), (later, date(2025, 12, 8))):
        credentials.record_evaluation(session, person.id, due, due, now=NOW, actor=ACTOR)
    doc = make_provider(session, first_name="Grace", last_name="Hopper", template=False)
    credentials.add_enrollment(session, EnrollmentCreate(
        provider_id=doc.id, payer_id=make_payer(session).id, effective=date(2024, 1, 1)), now=NOW, actor=ACTOR)

    items = staffing(session)

    assert [(i.text, i.reason, i.urgent) for i in items] == [
        ("Mary Jones: yearly evaluation 12/07/2026", "evaluation due in 14 days", False),
        ("Grace Hopper: CAQH re-attestation", "CAQH never attested", True),
    ]
    later_items = staffing(session, days(20))
    assert "Later On: yearly evaluation 12/08/2026" in [i.text for i in later_items]
