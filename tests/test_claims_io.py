"""Claims in from the billing system's CSV export (all or nothing), and the work queue out as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from factories import ACTOR, NOW, TODAY, audit_events, make_claim, make_patient, make_payer
from officemgr.models import (
    AuditEvent,
    Claim,
    ClaimDiagnosis,
    ClaimEvent,
    ClaimLine,
    ClaimStatus,
    CloseReason,
    Patient,
    Payer,
    UserRole,
)
from officemgr.services import billing, claims_io
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.claims_io import ClaimsImportRefused, import_claims, queue_csv

HEADER = ("claim,patient_last,patient_first,dob,payer,service_date,billed,paid,status,submitted_on,codes,diagnoses,"
          "paper,denial_code")
GOOD = "C-100,Lovelace,Ada,05/17/1980,Aetna,2026-11-02,165.00,,submitted,2026-11-03,99213-25;36415x2,E11.9;i10,no,"


def write(tmp_path: Path, *lines: str, header: str = HEADER, name: str = "claims.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run(session: Session, path: Path) -> claims_io.ClaimsImportResult:
    return import_claims(session, path, today=TODAY, now=NOW, actor=ACTOR)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def claim(session: Session, number: str) -> Claim:
    return session.exec(select(Claim).where(Claim.number == number)).one()


def events(session: Session, claim_id: int) -> list[ClaimEvent]:
    return list(session.exec(select(ClaimEvent).where(ClaimEvent.claim_id == claim_id).order_by(ClaimEvent.id)))


# --- create -------------------------------------------------------------------------------------------


def test_a_new_claim_is_created_with_its_patient_payer_lines_and_diagnoses(session: Session, tmp_path: Path) -> None:
    result = run(session, write(tmp_path, GOOD))
    assert result == claims_io.ClaimsImportResult(created=1, updated=0, payers_created=1, patients_created=1,
                                                  unchanged=0, new_payers=["Aetna"])
    c = claim(session, "C-100")
    patient = session.get(Patient, c.patient_id)
    payer = session.get(Payer, c.payer_id)
    assert (patient.last_name, patient.first_name, patient.dob) == ("Lovelace", "Ada", date(1980, 5, 17))
    assert (payer.name, payer.timely_filing_days) == ("Aetna", 365)
    assert (c.service_date, c.billed_cents, c.paid_cents, c.status) == (date(2026, 11, 2), 16_500, 0,
                                                                       ClaimStatus.submitted)
    assert c.submitted_on == date(2026, 11, 3) and c.last_activity == date(2026, 11, 3) and not c.paper
    # Not yet accepted: the timely-filing deadline, 365 days from service (Tuesday 2027-11-02).
    assert c.deadline == billing.claim_deadline(c, payer) == date(2027, 11, 2)
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == c.id).order_by(ClaimLine.id)).all()
    assert [(line.code, line.modifiers, line.units, line.charge_cents) for line in lines] == [
        ("99213", "25", 1, 16_500), ("36415", "", 2, 0)]
    dx = session.exec(select(ClaimDiagnosis).where(ClaimDiagnosis.claim_id == c.id)
                      .order_by(ClaimDiagnosis.position)).all()
    assert [(d.position, d.code) for d in dx] == [(1, "E11.9"), (2, "I10")]
    [event] = events(session, c.id)
    assert (event.from_status, event.to_status, event.at, event.actor) == ("", "submitted", NOW, ACTOR)
    assert event.text == "imported from claims.csv"
    audited = {(e.entity, e.action) for e, _ in audit_events(session)}
    assert audited == {("claim", "create"), ("patient", "create"), ("payer", "create")}
    [(_, changes)] = audit_events(session, "claim")
    assert changes["lines"] == ["99213-25", "36415x2"] and changes["diagnoses"] == ["E11.9", "I10"]
    assert changes["file"] == "claims.csv"


def test_existing_patient_and_payer_are_matched_in_any_case(session: Session, tmp_path: Path) -> None:
    patient = make_patient(session)
    payer = make_payer(session, name="Aetna", timely_filing_days=120)
    row = GOOD.replace("Lovelace,Ada", "LOVELACE,ada").replace("Aetna", "aetna")
    result = run(session, write(tmp_path, row))
    assert (result.created, result.payers_created, result.patients_created) == (1, 0, 0)
    c = claim(session, "C-100")
    assert (c.patient_id, c.payer_id) == (patient.id, payer.id)
    assert c.deadline == date(2027, 3, 2)  # 120 days from 11/02/2026
    assert count(session, Patient) == 1 and count(session, Payer) == 1


def test_line_charges_modifiers_units_and_hcpcs_codes(session: Session, tmp_path: Path) -> None:
    row = ("C-7,Lovelace,Ada,1980-05-17,Medicare,11/02/2026,\"$1,050.00\",,,,"
           "\"99214-25-59=900.00;G0439=120.00;3074f;36415x2=30.00\",Z00.00,yes,")
    with pytest.raises(ClaimsImportRefused, match="give a charge for every code or for none"):
        run(session, write(tmp_path, row))
    row = row.replace("3074f;", "3074fx1=0;")
    run(session, write(tmp_path, row))
    c = claim(session, "C-7")
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == c.id).order_by(ClaimLine.id)).all()
    assert [(line.code, line.modifiers, line.units, line.charge_cents) for line in lines] == [
        ("99214", "25 59", 1, 90_000), ("G0439", "", 1, 12_000), ("3074F", "", 1, 0), ("36415", "", 2, 3_000)]
    assert c.billed_cents == 105_000 and c.paper


def test_statuses_a_new_denied_claim_gets_its_appeal_deadline(session: Session, tmp_path: Path) -> None:
    make_payer(session, name="Aetna", appeal_days=180)
    rows = [
        GOOD.replace("C-100", "C-1").replace(",submitted,", ",denied,").replace(",no,", ",no,CO-50"),
        GOOD.replace("C-100", "C-2").replace(",,submitted,", ",165.00,paid,"),
        GOOD.replace("C-100", "C-3").replace(",submitted,2026-11-03,", ",draft,,").replace(",no,", ",,"),
        GOOD.replace("C-100", "C-4").replace(",,submitted,", ",50.00,Partly Paid,"),
        GOOD.replace("C-100", "C-5").replace(",submitted,", ",closed,"),
    ]
    run(session, write(tmp_path, *rows))
    denied = claim(session, "C-1")
    assert (denied.status, denied.denial_group, denied.denial_code, denied.denied_on) == (
        ClaimStatus.denied, "CO", "50", TODAY)
    assert denied.deadline == date(2027, 5, 24)  # 180 days after the denial
    assert events(session, denied.id)[0].code == "50"
    paid = claim(session, "C-2")
    assert (paid.status, paid.paid_cents, paid.deadline) == (ClaimStatus.paid, 16_500, None)
    assert events(session, paid.id)[0].amount_cents == 16_500
    draft = claim(session, "C-3")
    assert (draft.status, draft.submitted_on, draft.last_activity) == (ClaimStatus.draft, None, date(2026, 11, 2))
    partly = claim(session, "C-4")
    assert (partly.status, partly.paid_cents, partly.denial_code) == (ClaimStatus.partly_paid, 5_000, None)
    closed = claim(session, "C-5")
    assert closed.status is ClaimStatus.closed and closed.close_reason is None
    assert closed.close_note == "closed in the billing system (imported from claims.csv)"


def test_a_status_given_empty_means_submitted_for_a_new_claim(session: Session, tmp_path: Path) -> None:
    header = "claim,patient_last,patient_first,dob,payer,service_date,billed,codes,diagnoses"
    run(session, write(tmp_path, "X1,Lovelace,Ada,05/17/1980,Aetna,2026-11-02,95,99212,J06.9", header=header))
    c = claim(session, "X1")
    assert (c.status, c.paid_cents, c.paper, c.billed_cents) == (ClaimStatus.submitted, 0, False, 9_500)


def test_header_aliases_and_any_case(session: Session, tmp_path: Path) -> None:
    header = "Claim Number,Last Name,First Name,DOB,Payer,Date of Service,Billed,CPT,DX"
    run(session, write(tmp_path, "X1,Lovelace,Ada,05/17/1980,Aetna,2026-11-02,95,99212,J06.9", header=header))
    assert claim(session, "X1").billed_cents == 9_500


# --- update -------------------------------------------------------------------------------------------


def _existing(session: Session) -> Claim:
    patient = make_patient(session)
    payer = make_payer(session, name="Aetna", appeal_days=90)
    c = make_claim(session, patient=patient, payer=payer, number="C-100", service_date=date(2026, 11, 2),
                   billed_cents=16_500, status=ClaimStatus.submitted, submitted_on=date(2026, 11, 3))
    session.add_all([ClaimLine(claim_id=c.id, code="99213", modifiers="25", units=1, charge_cents=16_500),
                     ClaimLine(claim_id=c.id, code="36415", modifiers="", units=2, charge_cents=0),
                     ClaimDiagnosis(claim_id=c.id, position=1, code="E11.9"),
                     ClaimDiagnosis(claim_id=c.id, position=2, code="I10")])
    session.commit()
    return c


def test_a_claim_already_here_is_updated_with_history(session: Session, tmp_path: Path) -> None:
    c = _existing(session)
    version = c.version
    row = GOOD.replace(",submitted,", ",denied,").replace(",no,", ",no,CO-197")
    result = run(session, write(tmp_path, row))
    assert (result.created, result.updated, result.unchanged, result.payers_created) == (0, 1, 0, 0)
    session.refresh(c)
    assert (c.status, c.denial_group, c.denial_code, c.denied_on, c.last_activity) == (
        ClaimStatus.denied, "CO", "197", TODAY, TODAY)
    assert c.deadline == date(2027, 2, 22) and c.version == version + 1  # 90 days after the denial
    [event] = events(session, c.id)
    assert (event.from_status, event.to_status, event.code, event.amount_cents) == ("submitted", "denied", "197", 0)
    [(_, changes)] = audit_events(session, "claim")
    assert changes["status"] == ["submitted", "denied"] and changes["denial_code"] == [None, "197"]
    assert "lines" not in changes
    assert count(session, ClaimLine) == 2 and count(session, Claim) == 1


def test_a_payment_update_records_the_amount_and_leaves_the_queue(session: Session, tmp_path: Path) -> None:
    c = _existing(session)
    c.next_follow_up = TODAY + timedelta(days=3)
    session.add(c)
    session.commit()
    run(session, write(tmp_path, GOOD.replace(",,submitted,", ",120.00,paid,")))
    session.refresh(c)
    assert (c.status, c.paid_cents, c.deadline, c.next_follow_up) == (ClaimStatus.paid, 12_000, None, None)
    [event] = events(session, c.id)
    assert (event.from_status, event.to_status, event.amount_cents) == ("submitted", "paid", 12_000)


def test_the_same_row_again_changes_nothing(session: Session, tmp_path: Path) -> None:
    _existing(session)
    result = run(session, write(tmp_path, GOOD))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert count(session, ClaimEvent) == 0 and count(session, AuditEvent) == 0


def test_an_import_twice_creates_once_then_is_unchanged(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, GOOD.replace("C-100", "C-101").replace("2026-11-02", "2026-10-30"))
    assert run(session, path).created == 2
    again = run(session, path)
    assert (again.created, again.updated, again.unchanged, again.payers_created) == (0, 0, 2, 0)
    assert count(session, Claim) == 2 and count(session, Patient) == 1 and count(session, ClaimEvent) == 2


def test_changed_lines_and_diagnoses_are_replaced(session: Session, tmp_path: Path) -> None:
    c = _existing(session)
    row = GOOD.replace("99213-25;36415x2", "99214").replace("E11.9;i10", "E11.65").replace("165.00", "195.00")
    result = run(session, write(tmp_path, row))
    assert result.updated == 1
    session.refresh(c)
    lines = session.exec(select(ClaimLine).where(ClaimLine.claim_id == c.id)).all()
    assert [(line.code, line.charge_cents) for line in lines] == [("99214", 19_500)]
    assert [d.code for d in session.exec(select(ClaimDiagnosis).where(ClaimDiagnosis.claim_id == c.id))] == ["E11.65"]
    assert c.billed_cents == 19_500
    assert count(session, ClaimEvent) == 0  # neither status nor payment changed: audit only
    [(_, changes)] = audit_events(session, "claim")
    assert changes["lines"] == ["99214"] and changes["billed_cents"] == [16_500, 19_500]


# --- all or nothing -----------------------------------------------------------------------------------


BAD_ROWS = [
    (GOOD.replace("E11.9;i10", "E11;I10"),
     "diagnoses: E11 is a category, not a billable code: use a more specific code such as E11.9"),
    (GOOD.replace("E11.9;i10", "E99.9"), "diagnoses: E99.9 is not an ICD-10-CM code"),
    (GOOD.replace("E11.9;i10", "E11.9;E119"), "diagnoses: E11.9 is listed twice"),
    (GOOD.replace("99213-25;36415x2", "99213 office visit"), "codes: '99213 office visit' is not a CPT/HCPCS code"),
    (GOOD.replace("99213-25;36415x2", "9921"), "codes: '9921' is not a CPT/HCPCS code"),
    (GOOD.replace("99213-25;36415x2", "9921A"), "codes: '9921A' is not a CPT/HCPCS code"),
    (GOOD.replace("99213-25;36415x2", "99213-2"), "codes: '99213-2' is not a CPT/HCPCS code"),
    (GOOD.replace("99213-25;36415x2", "36415x0"), "codes: 36415x0: units must be 1 to 999"),
    (GOOD.replace("99213-25;36415x2", "99213=100;36415=10"), "the line charges add up to $110.00, not the billed"),
    (GOOD.replace("2026-11-02", "2026-12-01"), "service_date: 12/01/2026 is after today"),
    (GOOD.replace("2026-11-02", "2026-13-02"), "service_date: '2026-13-02' is not a date"),
    (GOOD.replace("05/17/1980", "1980"), "dob: '1980' is not a date"),
    (GOOD.replace("05/17/1980", "12/01/2026"), "dob: 12/01/2026 is after the date of service"),
    (GOOD.replace("Lovelace", ""), "the patient_last is empty"),
    (GOOD.replace("165.00", "a lot"), "billed: 'a lot' is not an amount"),
    (GOOD.replace("165.00", "-165.00"), "billed: -165.00 is negative"),
    (GOOD.replace(",,submitted,", ",200.00,paid,"), "paid 200.00 is more than billed 165.00"),
    (GOOD.replace(",submitted,", ",lost,"), "status: unknown status 'lost'"),
    (GOOD.replace("2026-11-03", "2026-11-01"), "submitted_on: 11/01/2026 is before the date of service"),
    (GOOD.replace(",no,", ",maybe,"), "paper: 'maybe' is not yes or no"),
    (GOOD.replace(",no,", ",no,CO-50"), "denial_code: a submitted claim has no denial"),
    (GOOD.replace(",,submitted,", ",20.00,partly paid,").replace(",no,", ",no,PR-2"),
     "denial_code: a partly paid claim has no denial"),
    (GOOD.replace(",submitted,", ",denied,"), "denial_code: a denied claim needs its CARC code"),
    (GOOD.replace(",submitted,", ",denied,").replace(",no,", ",no,XX-50"), "denial_code: 'XX-50' is not a CARC"),
    (GOOD.replace("C-100", "C 100"), "claim: 'C 100' is not a claim number"),
    (GOOD + ",extra", "more fields than the header has columns"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_ROWS)
def test_one_bad_row_refuses_the_whole_file_and_names_its_line(session: Session, tmp_path: Path, bad: str,
                                                               message: str) -> None:
    other = GOOD.replace("C-100", "C-200").replace("Ada", "Grace")
    with pytest.raises(ClaimsImportRefused) as refused:
        run(session, write(tmp_path, other, bad))
    assert refused.value.problems[0].startswith("line 3: ")
    assert message in refused.value.problems[0]
    assert len(refused.value.problems) == 1
    assert "nothing was imported" in str(refused.value)
    for model in (Claim, ClaimLine, ClaimDiagnosis, ClaimEvent, Patient, Payer, AuditEvent):
        assert count(session, model) == 0, model.__name__


def test_every_bad_line_is_named(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, BAD_ROWS[0][0].replace("C-100", "C-2"), GOOD.replace("C-100", "C-3"),
                 BAD_ROWS[3][0].replace("C-100", "C-4"), GOOD)
    with pytest.raises(ClaimsImportRefused) as refused:
        run(session, path)
    assert [p.split(":")[0] for p in refused.value.problems] == ["line 3", "line 5", "line 6"]
    assert refused.value.problems[2] == "line 6: claim C-100 is also on line 2"
    assert "3 of 5 lines have problems" in str(refused.value)
    assert count(session, Claim) == 0


def test_a_claim_on_file_for_another_patient_payer_or_date_is_refused(session: Session, tmp_path: Path) -> None:
    _existing(session)
    make_payer(session, name="Cigna")
    rows = [GOOD.replace("Ada", "Grace"), ]
    with pytest.raises(ClaimsImportRefused, match=r"line 2: claim C-100 is on file for Lovelace, Ada \(born "
                                                  r"05/17/1980\), not this patient"):
        run(session, write(tmp_path, *rows))
    with pytest.raises(ClaimsImportRefused, match="claim C-100 is on file with Aetna, not Cigna"):
        run(session, write(tmp_path, GOOD.replace("Aetna", "Cigna")))
    with pytest.raises(ClaimsImportRefused, match="is on file for service on 11/02/2026, not 10/30/2026"):
        run(session, write(tmp_path, GOOD.replace("2026-11-02", "2026-10-30")))
    assert claim(session, "C-100").status is ClaimStatus.submitted and count(session, Patient) == 1


def test_two_patients_with_the_same_name_and_birth_date_are_refused(session: Session, tmp_path: Path) -> None:
    make_patient(session)
    make_patient(session)
    with pytest.raises(ClaimsImportRefused, match="more than one patient is Lovelace, Ada born 05/17/1980"):
        run(session, write(tmp_path, GOOD))


@pytest.mark.parametrize(("header", "message"), [
    (HEADER + ",notes", "line 1 has the unknown column(s) 'notes'"),
    (HEADER.replace(",codes", ""), "line 1: missing column(s) codes (the columns are: claim,"),
    (HEADER.replace("paper", "codes"), "line 1 has the column(s) codes more than once"),
])
def test_a_bad_header_is_refused(session: Session, tmp_path: Path, header: str, message: str) -> None:
    with pytest.raises(ClaimsImportRefused, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(session, write(tmp_path, GOOD, header=header))


def test_files_that_are_not_claims_csv_are_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ClaimsImportRefused, match="reads a .csv file"):
        run(session, write(tmp_path, GOOD, name="claims.txt"))
    with pytest.raises(ClaimsImportRefused, match="there is no file"):
        run(session, tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ClaimsImportRefused, match="is empty"):
        run(session, empty)
    with pytest.raises(ClaimsImportRefused, match="has a header but no claims"):
        run(session, write(tmp_path))
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "\n" + GOOD.replace("Ada", "Adé")).encode("latin-1"))
    with pytest.raises(ClaimsImportRefused, match="not UTF-8"):
        run(session, latin)


# --- export -------------------------------------------------------------------------------------------


def _queue(session: Session) -> list[Claim]:
    aetna = make_payer(session, name="Aetna", timely_filing_days=90)
    patient = make_patient(session, last_name="=Hack", first_name="Eve")
    return [
        make_claim(session, payer=aetna, patient=patient, number="Q1", service_date=TODAY - timedelta(days=80),
                   billed_cents=10_000, denial_code=None),
        make_claim(session, payer=aetna, patient=patient, number="Q2", service_date=TODAY - timedelta(days=10),
                   billed_cents=50_000, paid_cents=12_345, status=ClaimStatus.partly_paid),
        make_claim(session, payer=aetna, patient=patient, number="Q3", service_date=TODAY - timedelta(days=40),
                   status=ClaimStatus.denied, denial_code="50", denial_group="CO", denied_on=TODAY - timedelta(days=5),
                   next_follow_up=TODAY),
        make_claim(session, payer=aetna, patient=patient, number="Q4", service_date=TODAY - timedelta(days=40),
                   next_follow_up=TODAY + timedelta(days=1), last_activity=TODAY),  # snoozed: not in the queue
        make_claim(session, payer=aetna, patient=patient, number="Q5", status=ClaimStatus.paid, paid_cents=15_000),
    ]


def test_queue_csv_lists_todays_queue_in_order(session: Session) -> None:
    _queue(session)
    text, rows = queue_csv(session, TODAY, actor="tests")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == list(claims_io.QUEUE_COLUMNS)
    assert rows == len(table) - 1 == 3
    expected = [r.number for r in billing.work_queue(session, today=TODAY, offset=0, limit=100, actor="tests").rows]
    assert [r[0] for r in table[1:]] == expected == ["Q1", "Q3", "Q2"]
    q1 = dict(zip(table[0], table[1], strict=True))
    assert q1 == {
        "claim": "Q1", "patient": "'=Hack, Eve", "payer": "Aetna", "service_date": "2026-09-04",
        "status": "submitted", "balance": "100.00", "deadline": "2026-12-03", "days_to_deadline": "10",
        "bucket": "61–90", "denial_code": "", "next_follow_up": "", "reason": "deadline in 10 days",
    }
    q2 = dict(zip(table[0], table[3], strict=True))
    assert (q2["status"], q2["balance"], q2["deadline"], q2["days_to_deadline"]) == ("partly paid", "376.55", "", "")
    q3 = dict(zip(table[0], table[2], strict=True))
    assert (q3["denial_code"], q3["next_follow_up"], q3["deadline"]) == ("CO-50", "2026-11-23", "2027-05-17")
    assert text.endswith("\r\n")


def test_queue_csv_reads_every_page(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    payer = make_payer(session)
    patient = make_patient(session)
    for i in range(7):
        make_claim(session, payer=payer, patient=patient, number=f"P{i}", service_date=TODAY - timedelta(days=i),
                   billed_cents=1_000 * (i + 1))
    monkeypatch.setattr(claims_io, "EXPORT_PAGE", 3)
    text, rows = queue_csv(session, TODAY, actor="tests")
    numbers = [r[0] for r in list(csv.reader(io.StringIO(text)))[1:]]
    assert rows == 7 and numbers == ["P6", "P5", "P4", "P3", "P2", "P1", "P0"]


def test_queue_csv_of_an_empty_queue_is_the_header(session: Session) -> None:
    text, rows = queue_csv(session, TODAY, actor="tests")
    assert rows == 0 and text == ",".join(claims_io.QUEUE_COLUMNS) + "\r\n"


def test_a_denied_claim_moving_on_drops_its_denial_and_a_closed_one_gets_its_reason(session: Session,
                                                                                     tmp_path: Path) -> None:
    c = _existing(session)
    run(session, write(tmp_path, GOOD.replace(",submitted,", ",denied,").replace(",no,", ",no,CO-16")
                       + ",2026-11-20", header=HEADER + ",denied_on"))
    session.refresh(c)
    assert (c.status, c.denial_code, c.denied_on, c.deadline) == (ClaimStatus.denied, "16", date(2026, 11, 20),
                                                                   date(2027, 2, 18))
    # Corrected and sent again: no denial on it any more (the history keeps it), the timely-filing deadline back.
    run(session, write(tmp_path, GOOD.replace("2026-11-03", "2026-11-21")))
    session.refresh(c)
    assert (c.status, c.denial_code, c.denial_group, c.submitted_on) == (ClaimStatus.submitted, None, None,
                                                                         date(2026, 11, 21))
    assert c.deadline == date(2027, 11, 2)
    run(session, write(tmp_path, GOOD.replace(",,submitted,", ",165.00,closed,")))
    session.refresh(c)
    assert (c.status, c.close_reason, c.deadline) == (ClaimStatus.closed, CloseReason.paid, None)
    assert [(e.from_status, e.to_status, e.code, e.amount_cents) for e in events(session, c.id)] == [
        ("submitted", "denied", "16", 0), ("denied", "submitted", "", 0), ("submitted", "closed", "", 16_500)]
    [*_, (_, changes)] = audit_events(session, "claim")
    assert changes["close_reason"] == [None, "paid"]


def test_a_biller_imports_claims_that_bring_new_patients_and_the_front_desk_cannot(session: Session,
                                                                                   tmp_path: Path) -> None:
    biller = Actor("bea", {UserRole.biller}, workstation="office")
    with pytest.raises(NotAllowed, match="billing"):
        import_claims(session, write(tmp_path, GOOD), today=TODAY, now=NOW,
                      actor=Actor("kim", {UserRole.front_desk}, workstation="desk1"))
    session.rollback()
    assert count(session, Patient) == 0
    result = import_claims(session, write(tmp_path, GOOD), today=TODAY, now=NOW, actor=biller)
    assert (result.created, result.patients_created) == (1, 1)
    [created] = [e for e in audit_events(session, "patient")]
    assert created[0].actor == "bea@office"
