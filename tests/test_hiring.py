"""Hiring (issue 23, item 1): openings, applicants through their stages with dated notes, hiring into a staff record
in one transaction, the retention purge at its exact boundary, and stale applicants on the manager's Huddle."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from factories import NOW, VALID_NPIS
from officemgr.models import AuditEvent, ProviderHours, Staff, UserRole
from officemgr.models.hiring import Applicant, ApplicantNote, ApplicantStage, JobOpening
from officemgr.models.lifecycle import StaffTask
from officemgr.models.people import Role
from officemgr.services import hiring, huddle_hr, settings
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError, StaleEdit
from officemgr.services.hiring import ApplicantCreate, HireInput, OpeningCreate, StageMove, StageNote

TODAY = date(2026, 11, 30)
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
AUDITOR = Actor("audra", {UserRole.auditor})


def opening(session: Session, role: Role = Role.ma, posted: date = TODAY - timedelta(days=40)) -> int:
    return hiring.add_opening(session, OpeningCreate(title="Medical assistant", role=role, hours_per_week=40,
                                                     posted_on=posted), today=TODAY, now=NOW, actor=MANAGER)


def applicant(session: Session, opening_id: int, applied: date = TODAY - timedelta(days=30), **more: Any) -> int:
    values: dict[str, Any] = {"opening_id": opening_id, "first_name": "Rosa", "last_name": "Diaz",
                              "phone": "555 201 3344", "email": "rosa@example.com", "applied_on": applied}
    values.update(more)
    return hiring.add_applicant(session, ApplicantCreate.model_validate(values), today=TODAY, now=NOW, actor=MANAGER)


def stored(session: Session, applicant_id: int) -> Applicant:
    row = session.get(Applicant, applicant_id)
    assert row is not None
    return row


def move(session: Session, applicant_id: int, stage: ApplicantStage, day: date = TODAY, note: str = "",
         interviewer: str = "") -> None:
    version = stored(session, applicant_id).version
    hiring.move_stage(session, applicant_id, StageMove(stage=stage, noted_on=day, note=note, interviewer=interviewer),
                      today=TODAY, now=NOW, actor=MANAGER, expected_version=version)


def row_of(session: Session, applicant_id: int) -> hiring.ApplicantRow:
    opening_id = stored(session, applicant_id).opening_id
    return next(r for r in hiring.applicants(session, opening_id, TODAY, actor=MANAGER) if r.id == applicant_id)


def test_an_applicant_moves_with_dated_notes_and_the_audit_names_no_one(session: Session) -> None:
    job = opening(session)
    rosa = applicant(session, job)
    move(session, rosa, ApplicantStage.phone_screen, TODAY - timedelta(days=20), "Good availability", "Pat Boss")
    move(session, rosa, ApplicantStage.interview, TODAY - timedelta(days=9), "Strong on phlebotomy", "Dr. Hopper")
    hiring.add_note(session, rosa, StageNote(noted_on=TODAY - timedelta(days=2), note="Second interview went well"),
                    today=TODAY, now=NOW, actor=MANAGER)
    row = row_of(session, rosa)
    # The stage began with the move, not with the later note.
    assert (row.stage, row.stage_since, row.days_in_stage, row.last_note) == (
        ApplicantStage.interview, TODAY - timedelta(days=9), 9, "Second interview went well")
    notes = hiring.notes_of(session, rosa, actor=MANAGER)
    assert [(n.stage, n.interviewer, n.note) for n in notes] == [
        (ApplicantStage.phone_screen, "Pat Boss", "Good availability"),
        (ApplicantStage.interview, "Dr. Hopper", "Strong on phlebotomy"),
        (ApplicantStage.interview, "", "Second interview went well")]
    [summary] = hiring.openings(session, actor=MANAGER)
    assert (summary.by_stage, summary.summary) == ({ApplicantStage.interview: 1}, "1 interview")
    events = session.exec(select(AuditEvent).where(col(AuditEvent.entity).in_(("applicant", "applicant_note")))).all()
    assert len(events) == 6  # created, two moves with their notes, a note
    assert all("Rosa" not in e.changes and "Diaz" not in e.changes and "phlebotomy" not in e.changes
               and "example.com" not in e.changes for e in events)
    assert stored(session, rosa).phone == "(555) 201-3344"


def test_an_applicant_never_moved_is_in_applied_since_the_day_they_applied(session: Session) -> None:
    rosa = applicant(session, opening(session), applied=TODAY - timedelta(days=12))
    hiring.add_note(session, rosa, StageNote(noted_on=TODAY - timedelta(days=1), note="Called back"),
                    today=TODAY, now=NOW, actor=MANAGER)
    row = row_of(session, rosa)
    assert (row.stage_since, row.days_in_stage) == (TODAY - timedelta(days=12), 12)


def test_a_closed_stage_is_final_and_sets_closed_on(session: Session) -> None:
    job = opening(session)
    rosa = applicant(session, job)
    move(session, rosa, ApplicantStage.declined, TODAY - timedelta(days=3), "Hired someone else")
    declined = stored(session, rosa)
    assert (declined.stage, declined.closed_on) == (ApplicantStage.declined, TODAY - timedelta(days=3))
    for stage in (ApplicantStage.interview, ApplicantStage.withdrawn):
        with pytest.raises(ServiceError, match="Rosa Diaz is declined: that is final"):
            move(session, rosa, stage)
    with pytest.raises(ServiceError, match="that is final"):
        hiring.hire(session, rosa, HireInput(start_date=TODAY), today=TODAY, now=NOW, actor=MANAGER,
                    expected_version=declined.version)


def test_moves_go_to_any_open_stage_but_not_to_hired_nor_the_same_stage(session: Session) -> None:
    rosa = applicant(session, opening(session))
    move(session, rosa, ApplicantStage.offer)
    move(session, rosa, ApplicantStage.phone_screen)  # back again is allowed
    with pytest.raises(ServiceError, match="already at phone screen"):
        move(session, rosa, ApplicantStage.phone_screen)
    with pytest.raises(ServiceError, match="use Hire"):
        move(session, rosa, ApplicantStage.hired)
    with pytest.raises(StaleEdit):
        hiring.move_stage(session, rosa, StageMove(stage=ApplicantStage.offer, noted_on=TODAY), today=TODAY,
                          now=NOW, actor=MANAGER, expected_version=1)


@pytest.mark.parametrize(("day", "message"), [
    (TODAY + timedelta(days=1), "the note's date cannot be after today"),
    (TODAY - timedelta(days=31), "cannot be before the day they applied")])
def test_a_move_dated_outside_the_applicants_time_saves_nothing(session: Session, day: date, message: str) -> None:
    rosa = applicant(session, opening(session))
    with pytest.raises(ServiceError, match=message):
        move(session, rosa, ApplicantStage.interview, day)
    session.rollback()
    assert stored(session, rosa).stage is ApplicantStage.applied
    assert session.exec(select(ApplicantNote)).all() == []


def test_a_move_is_not_dated_before_the_stage_it_leaves_began(session: Session) -> None:
    rosa = applicant(session, opening(session))
    move(session, rosa, ApplicantStage.interview, TODAY - timedelta(days=10))
    with pytest.raises(ServiceError, match="before Rosa Diaz reached interview \\(11/20/2026\\)"):
        move(session, rosa, ApplicantStage.references, TODAY - timedelta(days=11))
    move(session, rosa, ApplicantStage.references, TODAY - timedelta(days=10))
    assert row_of(session, rosa).stage_since == TODAY - timedelta(days=10)


def test_a_move_on_the_day_they_applied_and_today_are_taken(session: Session) -> None:
    rosa = applicant(session, opening(session))
    move(session, rosa, ApplicantStage.phone_screen, TODAY - timedelta(days=30))
    move(session, rosa, ApplicantStage.interview, TODAY)
    assert row_of(session, rosa).days_in_stage == 0


def test_an_applicant_is_dated_within_the_openings_time(session: Session) -> None:
    job = opening(session, posted=TODAY - timedelta(days=10))
    applicant(session, job, applied=TODAY - timedelta(days=10))
    applicant(session, job, applied=TODAY)
    with pytest.raises(ServiceError, match="before the opening was posted"):
        applicant(session, job, applied=TODAY - timedelta(days=11))
    with pytest.raises(ServiceError, match="the date applied cannot be after today"):
        applicant(session, job, applied=TODAY + timedelta(days=1))
    with pytest.raises(ServiceError, match="the posted date cannot be after today"):
        opening(session, posted=TODAY + timedelta(days=1))


def test_hiring_makes_the_staff_record_without_retyping(session: Session) -> None:
    rosa = applicant(session, opening(session))
    move(session, rosa, ApplicantStage.offer)
    version = stored(session, rosa).version
    staff_id = hiring.hire(session, rosa, HireInput(start_date=TODAY + timedelta(days=14)), today=TODAY, now=NOW,
                           actor=MANAGER, expected_version=version)
    person = session.get(Staff, staff_id)
    assert person is not None
    assert (person.first_name, person.last_name, person.phone, person.email, person.role, person.hire_date,
            person.is_provider, person.active) == ("Rosa", "Diaz", "(555) 201-3344", "rosa@example.com", Role.ma,
                                                   TODAY + timedelta(days=14), False, True)
    hired = stored(session, rosa)
    assert (hired.stage, hired.staff_id, hired.closed_on) == (
        ApplicantStage.hired, staff_id, TODAY)
    events = {(e.entity, e.action) for e in session.exec(select(AuditEvent))}
    assert {("staff", "create"), ("applicant", "hire")} <= events
    # Onboarding started with the hire, due from the start date (Monday 12/14): the I-9 by Thursday 12/17.
    tasks = {t.what: t.due for t in session.exec(select(StaffTask).where(StaffTask.staff_id == staff_id))}
    assert next(due for what, due in tasks.items() if what.startswith("I-9")) == date(2026, 12, 17)


@pytest.mark.parametrize(("back", "ok"), [(30, True), (31, False)])
def test_a_start_date_may_be_up_to_30_days_back(session: Session, back: int, ok: bool) -> None:
    rosa = applicant(session, opening(session))
    before = len(session.exec(select(Staff)).all())

    def hire() -> int:
        return hiring.hire(session, rosa, HireInput(start_date=TODAY - timedelta(days=back)), today=TODAY, now=NOW,
                           actor=MANAGER, expected_version=1)

    if ok:
        hire()
        assert len(session.exec(select(Staff)).all()) == before + 1
    else:
        with pytest.raises(ServiceError, match="cannot be before 10/31/2026"):
            hire()
        session.rollback()
        assert len(session.exec(select(Staff)).all()) == before


def test_hiring_a_provider_needs_an_npi_and_a_refusal_saves_nothing(session: Session) -> None:
    rosa = applicant(session, opening(session, role=Role.np_pa))
    for npi, message in ((None, "a provider needs an NPI"), ("1234567890", "last digit must check out")):
        with pytest.raises(ServiceError, match=message):
            hiring.hire(session, rosa, HireInput(start_date=TODAY, npi=npi), today=TODAY, now=NOW, actor=MANAGER,
                        expected_version=1)
        session.rollback()
        assert session.exec(select(Staff)).all() == []
        waiting = stored(session, rosa)
        assert (waiting.stage, waiting.staff_id) == (ApplicantStage.applied, None)
    staff_id = hiring.hire(session, rosa, HireInput(start_date=TODAY, npi=VALID_NPIS[0]), today=TODAY, now=NOW,
                           actor=MANAGER, expected_version=1)
    person = session.get(Staff, staff_id)
    assert person is not None and (person.is_provider, person.npi, person.role) == (True, VALID_NPIS[0], Role.np_pa)
    # Bookable at once, on the practice's usual hours, as services.staff.add_staff does.
    assert session.exec(select(ProviderHours).where(ProviderHours.provider_id == staff_id)).all()


def test_an_npi_typed_for_a_role_that_needs_none_is_not_kept(session: Session) -> None:
    rosa = applicant(session, opening(session))
    staff_id = hiring.hire(session, rosa, HireInput(start_date=TODAY, npi=VALID_NPIS[0]), today=TODAY, now=NOW,
                           actor=MANAGER, expected_version=1)
    person = session.get(Staff, staff_id)
    assert person is not None and person.npi is None


def test_an_opening_closes_only_once_no_applicant_is_open(session: Session) -> None:
    job = opening(session)
    rosa = applicant(session, job)
    with pytest.raises(ServiceError, match=r"1 applicant\(s\) still open \(Rosa Diaz\)"):
        hiring.close_opening(session, job, today=TODAY, now=NOW, actor=MANAGER, expected_version=1)
    move(session, rosa, ApplicantStage.withdrawn)
    hiring.close_opening(session, job, today=TODAY, now=NOW, actor=MANAGER, expected_version=1)
    closed = session.get(JobOpening, job)
    assert closed is not None and closed.closed_on == TODAY
    assert hiring.openings(session, actor=MANAGER) == []
    assert [o.id for o in hiring.openings(session, actor=MANAGER, include_closed=True)] == [job]
    with pytest.raises(ServiceError, match="already closed on 11/30/2026"):
        hiring.close_opening(session, job, today=TODAY, now=NOW, actor=MANAGER, expected_version=2)
    with pytest.raises(ServiceError, match="takes no new applicants"):
        applicant(session, job)


@pytest.mark.parametrize("role", [UserRole.front_desk, UserRole.biller, UserRole.clinical])
def test_no_other_role_reads_or_writes_applicants(session: Session, role: UserRole) -> None:
    job = opening(session)
    rosa = applicant(session, job)
    other = Actor("someone", {role})
    with pytest.raises(NotAllowed, match=r"seeing applicants needs the manager or read-only \(auditor\) role"):
        hiring.applicants(session, job, TODAY, actor=other)
    with pytest.raises(NotAllowed, match="seeing applicants"):
        hiring.openings(session, actor=other)
    with pytest.raises(NotAllowed, match="adding a job opening needs the manager role"):
        hiring.add_opening(session, OpeningCreate(title="MA", role=Role.ma, hours_per_week=40, posted_on=TODAY),
                           today=TODAY, now=NOW, actor=other)
    assert huddle_hr.staffing_items(session, TODAY, other) == []
    _refused_every_write(session, job, rosa, other)


def test_the_auditor_reads_applicants_but_changes_nothing(session: Session) -> None:
    job = opening(session)
    rosa = applicant(session, job)
    assert [r.id for r in hiring.applicants(session, job, TODAY, actor=AUDITOR)] == [rosa]
    _refused_every_write(session, job, rosa, AUDITOR)


def _refused_every_write(session: Session, job: int, rosa: int, other: Actor) -> None:
    calls = [
        lambda: hiring.add_applicant(session, ApplicantCreate(opening_id=job, first_name="A", last_name="B",
                                                              applied_on=TODAY), today=TODAY, now=NOW, actor=other),
        lambda: hiring.move_stage(session, rosa, StageMove(stage=ApplicantStage.interview, noted_on=TODAY),
                                  today=TODAY, now=NOW, actor=other, expected_version=1),
        lambda: hiring.add_note(session, rosa, StageNote(noted_on=TODAY, note="x"), today=TODAY, now=NOW,
                                actor=other),
        lambda: hiring.hire(session, rosa, HireInput(start_date=TODAY), today=TODAY, now=NOW, actor=other,
                            expected_version=1),
        lambda: hiring.close_opening(session, job, today=TODAY, now=NOW, actor=other, expected_version=1),
        lambda: hiring.purge_applicants(session, today=TODAY, now=NOW, actor=other),
    ]
    for call in calls:
        with pytest.raises(NotAllowed, match="needs the manager role"):
            call()
        session.rollback()
    unchanged = stored(session, rosa)
    assert (unchanged.stage, unchanged.version) == (ApplicantStage.applied, 1)
    assert session.exec(select(Staff)).all() == []


def _closed(session: Session, job: int, stage: ApplicantStage, days_ago: int, name: str) -> int:
    """An applicant closed `days_ago` days before TODAY (written directly: a move cannot be dated so far back)."""
    row = Applicant(opening_id=job, first_name=name, last_name="Old", applied_on=TODAY - timedelta(days=days_ago + 9),
                    stage=stage, closed_on=TODAY - timedelta(days=days_ago))
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add(ApplicantNote(applicant_id=row.id, stage=stage, noted_on=row.closed_on, note=f"{name} note"))
    session.commit()
    return row.id


def test_the_purge_takes_those_closed_more_than_the_retention_period_ago(session: Session) -> None:
    job = opening(session, posted=TODAY - timedelta(days=900))
    kept_365 = _closed(session, job, ApplicantStage.declined, 365, "Kept")
    gone_366 = _closed(session, job, ApplicantStage.declined, 366, "Gone")
    gone_withdrawn = _closed(session, job, ApplicantStage.withdrawn, 800, "Left")
    hired = _closed(session, job, ApplicantStage.hired, 800, "Hired")
    waiting = applicant(session, job, applied=TODAY - timedelta(days=800))
    due = hiring.purgeable(session, TODAY, actor=MANAGER)
    assert (due.ids, due.retention_days) == ([gone_366, gone_withdrawn], 365)
    assert hiring.purge_applicants(session, today=TODAY, now=NOW, actor=MANAGER) == 2
    left = {a.id for a in session.exec(select(Applicant))}
    assert left == {kept_365, hired, waiting}
    assert {n.applicant_id for n in session.exec(select(ApplicantNote))} == {kept_365, hired}
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "purge")).one()
    changes = json.loads(event.changes)
    assert (event.entity, changes["count"], changes["ids"], changes["notes"]) == (
        "applicant", 2, [gone_366, gone_withdrawn], 2)
    assert "Gone" not in event.changes and "Left" not in event.changes
    # Nothing left to purge: no second event.
    assert hiring.purge_applicants(session, today=TODAY, now=NOW, actor=MANAGER) == 0
    assert len(session.exec(select(AuditEvent).where(AuditEvent.action == "purge")).all()) == 1


def test_the_retention_period_is_the_setting_counted_in_days_across_feb_29(session: Session) -> None:
    settings.put(session, "applicant_retention_days", 30, now=NOW, actor=MANAGER)
    job = opening(session, posted=TODAY - timedelta(days=100))
    thirty = _closed(session, job, ApplicantStage.declined, 30, "Thirty")
    thirty_one = _closed(session, job, ApplicantStage.declined, 31, "Thirtyone")
    assert hiring.purgeable(session, TODAY, actor=MANAGER).ids == [thirty_one]
    assert thirty not in hiring.purgeable(session, TODAY, actor=MANAGER).ids
    # 365 days before 03/01/2028 is 03/02/2027: a year that holds Feb 29 is 366 days, so its last day is purged.
    settings.put(session, "applicant_retention_days", 365, now=NOW, actor=MANAGER)
    later = date(2028, 3, 1)
    assert hiring.purgeable(session, later, actor=MANAGER).cutoff == date(2027, 3, 2)


def test_an_applicant_in_one_stage_more_than_7_days_is_on_the_huddle(session: Session) -> None:
    job = opening(session)
    seven = applicant(session, job, first_name="Seven")
    eight = applicant(session, job, first_name="Eight")
    move(session, seven, ApplicantStage.interview, TODAY - timedelta(days=7))
    move(session, eight, ApplicantStage.interview, TODAY - timedelta(days=8), "First interview")
    move(session, applicant(session, job, first_name="Gone"), ApplicantStage.declined, TODAY - timedelta(days=20))
    items = [i for i in huddle_hr.staffing_items(session, TODAY, MANAGER) if i.key.startswith("applicant:")]
    assert [(i.text, i.key) for i in items] == [("Applicant Eight Diaz: interview stage 8 days", f"applicant:{eight}")]
    # The auditor may read hiring but the Huddle's lines are the manager's work.
    assert not [i for i in huddle_hr.staffing_items(session, TODAY, AUDITOR) if i.key.startswith("applicant:")]


@pytest.mark.parametrize(("schema", "values", "message"), [
    (OpeningCreate, {"title": "  ", "role": "ma", "hours_per_week": 40, "posted_on": TODAY}, "required"),
    (OpeningCreate, {"title": "x" * 81, "role": "ma", "hours_per_week": 40, "posted_on": TODAY}, "at most 80"),
    (OpeningCreate, {"title": "MA", "role": "janitor", "hours_per_week": 40, "posted_on": TODAY}, "Input should be"),
    (OpeningCreate, {"title": "MA", "role": "ma", "hours_per_week": 0, "posted_on": TODAY}, "greater than or equal"),
    (OpeningCreate, {"title": "MA", "role": "ma", "hours_per_week": 81, "posted_on": TODAY}, "less than or equal"),
    (OpeningCreate, {"title": "MA", "role": "ma", "hours_per_week": 40, "posted_on": "2026-02-30"}, "posted_on"),
    (ApplicantCreate, {"opening_id": 1, "first_name": "", "last_name": "B", "applied_on": TODAY}, "required"),
    (ApplicantCreate, {"opening_id": 1, "first_name": "A", "last_name": "x" * 61, "applied_on": TODAY}, "at most 60"),
    (ApplicantCreate, {"opening_id": 1, "first_name": "A", "last_name": "B", "phone": "12", "applied_on": TODAY},
     "10 digits"),
    (ApplicantCreate, {"opening_id": 1, "first_name": "A", "last_name": "B", "email": "rosa@", "applied_on": TODAY},
     "is not an e-mail address"),
    (StageNote, {"noted_on": TODAY, "interviewer": "x" * 61}, "at most 60"),
    (StageNote, {"noted_on": TODAY, "note": "x" * 2001}, "at most 2000"),
    (StageMove, {"noted_on": TODAY, "stage": "hired_maybe"}, "Input should be"),
])
def test_bad_input_is_refused(schema: type[Any], values: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        schema.model_validate(values)


def test_a_note_without_text_is_refused(session: Session) -> None:
    rosa = applicant(session, opening(session))
    with pytest.raises(ServiceError, match="write the note"):
        hiring.add_note(session, rosa, StageNote(noted_on=TODAY, note="   "), today=TODAY, now=NOW, actor=MANAGER)


def test_a_gone_applicant_or_opening_says_reload(session: Session) -> None:
    with pytest.raises(ServiceError, match="that applicant no longer exists"):
        hiring.add_note(session, 999, StageNote(noted_on=TODAY, note="x"), today=TODAY, now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="that job opening no longer exists"):
        applicant(session, 999)

