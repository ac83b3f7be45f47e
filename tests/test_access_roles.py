"""Each role's refusals at the service layer: what a screen hides is only a convenience, the services refuse.

Every refusal names the roles that may, and saves nothing; the write backstop (common.record) refuses a table
outside the actor's roles even when a service forgot its own check.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from factories import NOW, TODAY, make_claim, make_credential, make_staff, make_time_off
from officemgr.models import (
    AuditEvent,
    ClaimNoteCreate,
    Credential,
    CredentialKind,
    Role,
    Shift,
    ShiftCreate,
    Staff,
    TimeOffCreate,
    TimeOffStatus,
    UserRole,
)
from officemgr.services import ar, audit, billing, claims_io, credentials, denials, fees, leave, payroll, roster
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.audit import AuditFilter
from officemgr.services.common import record
from officemgr.services.credentials import CredentialCreate, CredentialRenewal


def person(session: Session, login: str, *roles: UserRole) -> Actor:
    """A signed-in person with a staff record of their own, as services.users makes them."""
    staff = make_staff(session, first_name=login.title(), last_name="Test", role=Role.ma)
    return Actor(login, set(roles), workstation="desk1", staff_id=staff.id, user_id=staff.id)


def events(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def refused(session: Session, call, *words: str) -> str:  # type: ignore[no-untyped-def]
    """Run `call`, which must be refused; roll back as the app's write session does; return the message."""
    before = events(session)
    with pytest.raises(NotAllowed) as caught:
        call()
    session.rollback()
    assert events(session) == before
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return message


def period(session: Session) -> payroll.Period:
    return payroll.pay_period(session, TODAY, actor="tests")


# --- front desk ---------------------------------------------------------------------------------------


def test_front_desk_cannot_export_payroll_nor_read_the_audit_log(session: Session) -> None:
    desk = person(session, "kim", UserRole.front_desk)
    pay = period(session)
    rows = payroll.payroll(session, pay, actor="tests")
    message = refused(session, lambda: payroll.payroll_csv(rows, pay, actor=desk), "the payroll export needs")
    assert message == ("the payroll export needs the manager or read-only (auditor) role; kim is front desk")
    refused(session, lambda: payroll.payroll(session, pay, actor=desk), "payroll needs the manager")
    refused(session, lambda: payroll.period_starting(session, pay.start, actor=desk), "payroll needs")
    refused(session, lambda: audit.audit_page(session, AuditFilter(), actor=desk), "the audit log needs")
    refused(session, lambda: audit.choices(session, actor=desk), "the audit log needs")
    refused(session, lambda: billing.work_queue(session, TODAY, actor=desk), "the billing work queue needs")


def test_a_person_sees_their_own_paid_time_off_but_not_anyone_elses(session: Session) -> None:
    desk = person(session, "kim", UserRole.front_desk)
    other = make_staff(session, first_name="Bo", last_name="Other")
    assert desk.staff_id is not None
    assert leave.balances_of(session, desk.staff_id, TODAY, actor=desk)[0].left >= 0
    assert other.id is not None
    refused(session, lambda: leave.balances_of(session, other.id or 0, TODAY, actor=desk),
            "seeing another person's leave balance needs the manager")


def test_front_desk_asks_for_time_off_but_cannot_decide_it(session: Session) -> None:
    desk = person(session, "kim", UserRole.front_desk)
    assert desk.staff_id is not None
    asked = roster.request_time_off(session, TimeOffCreate(staff_id=desk.staff_id, kind="PTO",
                                                           start_date=TODAY + timedelta(days=14),
                                                           end_date=TODAY + timedelta(days=14)),
                                    now=NOW, actor=desk)
    refused(session, lambda: roster.decide_time_off(session, asked.id, True, now=NOW, actor=desk,
                                                    expected_version=None),
            "approving or denying time off needs the manager role; kim is front desk — nothing was changed")


# --- biller -------------------------------------------------------------------------------------------


def test_biller_cannot_approve_time_off_nor_change_the_roster(session: Session) -> None:
    biller = person(session, "bea", UserRole.biller)
    ma = make_staff(session, first_name="Mo", last_name="Assistant")
    off = make_time_off(session, ma, start_date=TODAY + timedelta(days=7), status=TimeOffStatus.requested)
    assert off.id is not None and ma.id is not None
    refused(session, lambda: roster.decide_time_off(session, off.id or 0, True, now=NOW, actor=biller,
                                                    expected_version=None),
            "approving or denying time off needs the manager role; bea is biller")
    shifts = session.exec(select(func.count()).select_from(Shift)).one()
    refused(session, lambda: roster.add_shift(session, ShiftCreate(staff_id=ma.id or 0, day=TODAY, start_time="08:00",
                                                                   end_time="12:00"), now=NOW, actor=biller),
            "changing staff needs the manager role; bea is biller — nothing was changed")
    assert session.exec(select(func.count()).select_from(Shift)).one() == shifts
    # Billing is theirs.
    assert billing.work_queue(session, TODAY, actor=biller).total >= 0


# --- clinical -----------------------------------------------------------------------------------------


def test_clinical_cannot_touch_billing(session: Session) -> None:
    nurse = person(session, "cam", UserRole.clinical)
    claim = make_claim(session)
    assert claim.id is not None
    refused(session, lambda: billing.work_queue(session, TODAY, actor=nurse), "the billing work queue needs")
    refused(session, lambda: billing.claim_detail(session, claim.id or 0, actor=nurse), "a claim's detail needs")
    refused(session, lambda: ar.aging(session, TODAY, actor=nurse), "the A/R aging needs")
    refused(session, lambda: ar.kpis(session, TODAY, actor=nurse), "the billing figures needs")
    refused(session, lambda: denials.denial_counts(session, TODAY, actor=nurse), "the denial counts needs")
    refused(session, lambda: fees.underpayments(session, TODAY, actor=nurse), "the underpayments report needs")
    refused(session, lambda: claims_io.queue_csv(session, TODAY, actor=nurse),
            "exporting the work queue needs the manager, biller or read-only (auditor) role")
    refused(session, lambda: billing.add_note(session, claim.id or 0, ClaimNoteCreate(text="called", today=TODAY),
                                              now=NOW, actor=nurse, expected_version=None),
            "changing billing needs the manager or biller role; cam is clinical — nothing was changed")


def test_clinical_adds_and_renews_only_their_own_credentials(session: Session) -> None:
    nurse = person(session, "cam", UserRole.clinical)
    colleague = make_staff(session, first_name="Dee", last_name="Colleague")
    assert nurse.staff_id is not None and colleague.id is not None
    own = credentials.add_credential(session, CredentialCreate(staff_id=nurse.staff_id, kind=CredentialKind.bls,
                                                               expires=TODAY + timedelta(days=300)),
                                     now=NOW, actor=nurse)
    assert own.staff_id == nurse.staff_id
    credentials.renew_credential(session, own.id, CredentialRenewal(expires=TODAY + timedelta(days=700)), now=NOW,
                                 actor=nurse)
    theirs = make_credential(session, colleague, kind=CredentialKind.bls)
    held = session.exec(select(func.count()).select_from(Credential)).one()
    message = refused(session, lambda: credentials.add_credential(
        session, CredentialCreate(staff_id=colleague.id or 0, kind=CredentialKind.hipaa_training,
                                  expires=TODAY + timedelta(days=300)), now=NOW, actor=nurse))
    assert message == ("adding a credential for someone else needs the manager role; cam may keep only their own "
                       "credentials — nothing was changed")
    refused(session, lambda: credentials.renew_credential(
        session, theirs.id or 0, CredentialRenewal(expires=TODAY + timedelta(days=700)), now=NOW, actor=nurse),
        "renewing a credential for someone else needs the manager role")
    assert session.exec(select(func.count()).select_from(Credential)).one() == held
    # Front desk keeps no credentials at all, not even their own.
    desk = person(session, "kim", UserRole.front_desk)
    refused(session, lambda: credentials.add_credential(
        session, CredentialCreate(staff_id=desk.staff_id or 0, kind=CredentialKind.hipaa_training,
                                  expires=TODAY + timedelta(days=300)), now=NOW, actor=desk),
        "adding a credential needs the manager or clinical role")


# --- auditor ------------------------------------------------------------------------------------------


def test_the_auditor_reads_billing_audit_and_payroll_and_writes_nothing(session: Session) -> None:
    auditor = person(session, "aud", UserRole.auditor)
    claim = make_claim(session)
    ma = make_staff(session, first_name="Mo", last_name="Assistant")
    off = make_time_off(session, ma, start_date=TODAY + timedelta(days=7), status=TimeOffStatus.requested)
    assert claim.id is not None and ma.id is not None and auditor.staff_id is not None
    assert billing.work_queue(session, TODAY, actor=auditor).total >= 1
    assert billing.claim_detail(session, claim.id, actor=auditor).claim.id == claim.id
    ar.aging(session, TODAY, actor=auditor)
    ar.kpis(session, TODAY, actor=auditor)
    assert audit.audit_page(session, AuditFilter(), actor=auditor).total >= 0
    assert {row.staff_id for row in payroll.payroll(session, period(session), actor=auditor)} >= {ma.id}
    leave.balances_of(session, ma.id, TODAY, actor=auditor)

    refused(session, lambda: billing.add_note(session, claim.id or 0, ClaimNoteCreate(text="called", today=TODAY),
                                              now=NOW, actor=auditor, expected_version=None),
            "changing billing needs the manager or biller role; aud is read-only (auditor)")
    refused(session, lambda: roster.request_time_off(session, TimeOffCreate(
        staff_id=auditor.staff_id or 0, kind="PTO", start_date=TODAY + timedelta(days=9),
        end_date=TODAY + timedelta(days=9)), now=NOW, actor=auditor), "changing time off needs")
    refused(session, lambda: roster.decide_time_off(session, off.id or 0, False, now=NOW, actor=auditor,
                                                    expected_version=None), "approving or denying time off needs")
    refused(session, lambda: credentials.add_credential(session, CredentialCreate(
        staff_id=auditor.staff_id or 0, kind=CredentialKind.hipaa_training, expires=TODAY + timedelta(days=300)),
        now=NOW, actor=auditor), "adding a credential needs")
    assert claims_io.queue_csv(session, TODAY, actor=auditor)[1] >= 1  # reading, as a file: the auditor may


# --- manager ------------------------------------------------------------------------------------------


def test_the_manager_may_do_all_of_it(session: Session) -> None:
    boss = person(session, "max", UserRole.manager)
    claim = make_claim(session)
    ma = make_staff(session, first_name="Mo", last_name="Assistant")
    off = make_time_off(session, ma, start_date=TODAY + timedelta(days=7), status=TimeOffStatus.requested)
    assert claim.id is not None and ma.id is not None and off.id is not None
    pay = payroll.pay_period(session, TODAY, actor=boss)
    assert "employee_id" in payroll.payroll_csv(payroll.payroll(session, pay, actor=boss), pay, actor=boss)
    assert billing.claim_detail(session, claim.id, actor=boss).claim.id == claim.id
    assert claims_io.queue_csv(session, TODAY, actor=boss)[1] >= 1
    billing.add_note(session, claim.id, ClaimNoteCreate(text="called the payer", today=TODAY), now=NOW, actor=boss,
                     expected_version=None)
    decided = roster.decide_time_off(session, off.id, True, now=NOW, actor=boss, expected_version=None)
    assert decided.status is TimeOffStatus.approved
    added = credentials.add_credential(session, CredentialCreate(staff_id=ma.id, kind=CredentialKind.bls,
                                                                 expires=TODAY + timedelta(days=300)),
                                       now=NOW, actor=boss)
    assert added.staff_id == ma.id
    assert audit.audit_page(session, AuditFilter(actor="max"), actor=boss).total == 3  # note, decision, credential


# --- the backstop -------------------------------------------------------------------------------------


def test_the_backstop_refuses_a_write_whose_service_forgot_its_check(session: Session) -> None:
    desk = person(session, "kim", UserRole.front_desk)
    claim = make_claim(session)
    assert claim.id is not None
    message = refused(session, lambda: record(session, actor=desk, entity="claim", entity_id=claim.id or 0,
                                              action="update", changes={"paid_cents": [0, 100]}, now=NOW))
    assert message == "changing billing needs the manager or biller role; kim is front desk — nothing was changed"
    # A table no role was granted is the manager's.
    refused(session, lambda: record(session, actor=Actor("bea", {UserRole.biller}), entity="something_new",
                                    entity_id=1, action="update", changes={}, now=NOW),
            "changing settings needs the manager role")
    # The same write by a role that may is recorded with the person's name and workstation.
    record(session, actor=Actor("bea", {UserRole.biller}, workstation="desk2"), entity="claim",
           entity_id=claim.id, action="update", changes={"paid_cents": [0, 100]}, now=NOW)
    session.commit()
    assert session.exec(select(AuditEvent.actor).where(AuditEvent.entity == "claim")).all() == ["bea@desk2"]
    assert session.get(Staff, desk.staff_id) is not None
