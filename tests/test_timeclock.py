"""The time clock (issue 23, part 3): punching in and out, late/early/missed against the shift with the grace
period at its edge, the kiosk's PIN, fixes only the manager applies, and punches feeding payroll hours."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from factories import make_shift, make_staff, make_time_off
from officemgr.models import AuditEvent, Staff, UserAccount, UserRole
from officemgr.models.timeclock import FixStatus, Punch, PunchFix, PunchSource
from officemgr.services import huddle_hr, pin
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import ServiceError
from officemgr.services.payroll import Period, payroll
from officemgr.services.timeclock import (
    approve_fix,
    ask_fix,
    check_day,
    day_checks,
    deny_fix,
    fix_directly,
    kiosk_names,
    kiosk_punch,
    punch_self,
)

MON = date(2026, 11, 23)  # a Monday, the first day of a biweekly pay period
PERIOD = Period(MON, date(2026, 12, 6))
MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")


def t(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def desk(person: Staff) -> Actor:
    return Actor("mary", {UserRole.front_desk}, name=person.name, staff_id=person.id, workstation="desk")


def add_punch(session: Session, person: Staff, start: datetime, end: datetime | None) -> Punch:
    assert person.id is not None
    punch = Punch(staff_id=person.id, clock_in=start, clock_out=end)
    session.add(punch)
    session.commit()
    return punch


@pytest.mark.parametrize(("days_before", "missed"), [(None, False), (15, False), (14, True), (1, True)])
def test_only_people_who_punched_in_the_14_days_before_miss_a_shift_without_punches(
        session: Session, days_before: int | None, missed: bool) -> None:
    person = make_staff(session)
    make_shift(session, person, start=t(MON, 8), end=t(MON, 17))
    if days_before is not None:
        earlier = MON - timedelta(days=days_before)
        add_punch(session, person, t(earlier, 8), t(earlier, 17))
    checks = day_checks(session, MON, MON, now=t(MON, 18), actor=MANAGER)
    assert [c.missed for c in checks if c.day == MON] == [missed]


def test_a_punch_goes_in_then_out_and_each_is_audited(session: Session) -> None:
    person = make_staff(session)
    me = desk(person)
    first = punch_self(session, now=t(MON, 8, 3), actor=me)
    second = punch_self(session, now=t(MON, 17, 1), actor=me)
    assert (first.notice, second.notice) == ("In at 08:03", "Out at 17:01, 8 h 58 min")
    [row] = session.exec(select(Punch)).all()
    assert (row.clock_in, row.clock_out, row.source) == (t(MON, 8, 3), t(MON, 17, 1), PunchSource.desk)
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity == "punch"))]
    assert actions == ["create", "update"]


def test_an_open_punch_from_yesterday_is_left_missed_and_today_starts_a_new_one(session: Session) -> None:
    person = make_staff(session)
    add_punch(session, person, t(MON, 8), None)
    result = punch_self(session, now=t(MON + timedelta(days=1), 8), actor=desk(person))
    assert result.direction == "in"
    assert [p.clock_out for p in session.exec(select(Punch))] == [None, None]


def test_a_user_without_a_staff_record_is_told_so(session: Session) -> None:
    with pytest.raises(ServiceError, match="has no staff record"):
        punch_self(session, now=t(MON, 8), actor=MANAGER)


def test_nobody_punches_after_their_end_date(session: Session) -> None:
    person = make_staff(session, end_date=MON - timedelta(days=1))
    with pytest.raises(ServiceError, match="left on 11/22/2026"):
        punch_self(session, now=t(MON, 8), actor=desk(person))
    assert session.exec(select(Punch)).all() == []


@pytest.mark.parametrize(("minute_in", "late"), [(5, 0), (6, 6)])
def test_late_is_after_the_grace_not_at_it(session: Session, minute_in: int, late: int) -> None:
    person = make_staff(session)
    make_shift(session, person, start=t(MON, 8), end=t(MON, 17))
    add_punch(session, person, t(MON, 8, minute_in), t(MON, 17))
    [check] = day_checks(session, MON, MON, now=t(MON, 18), actor=MANAGER)
    assert (check.late_minutes, check.early_minutes, check.missed) == (late, 0, False)


@pytest.mark.parametrize(("out", "early"), [((16, 55), 0), ((16, 54), 6)])
def test_early_leave_is_before_the_grace_not_at_it(session: Session, out: tuple[int, int], early: int) -> None:
    person = make_staff(session)
    make_shift(session, person, start=t(MON, 8), end=t(MON, 17))
    add_punch(session, person, t(MON, 8), t(MON, *out))
    [check] = day_checks(session, MON, MON, now=t(MON, 18), actor=MANAGER)
    assert (check.late_minutes, check.early_minutes) == (0, early)


def test_missed_is_a_past_shift_without_punches_or_a_punch_open_after_the_shift(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    shift = make_shift(session, person, start=t(MON, 8), end=t(MON, 17))
    open_punch = add_punch(session, person, t(MON, 8), None)
    at_end, before_end = t(MON, 17), t(MON, 16, 59)
    assert check_day([shift], [open_punch], staff_id=person.id, day=MON, now=before_end, grace=5).missed is False
    assert check_day([shift], [open_punch], staff_id=person.id, day=MON, now=at_end, grace=5).missed is True
    assert check_day([shift], [], staff_id=person.id, day=MON, now=at_end, grace=5).missed is True
    assert check_day([shift], [], staff_id=person.id, day=MON, now=before_end, grace=5).missed is False
    # Someone who never punches is paid from their shifts: their shift is not a missed punch.
    assert check_day([shift], [], staff_id=person.id, day=MON, now=at_end, grace=5, on_the_clock=False).missed is False
    # No shift: an open punch is missed once its day is over.
    assert check_day([], [open_punch], staff_id=person.id, day=MON, now=t(MON, 23, 59), grace=5).missed is False
    assert check_day([], [open_punch], staff_id=person.id, day=MON,
                     now=t(MON + timedelta(days=1), 0), grace=5).missed is True


def make_account(session: Session, person: Staff, code: str = "4321") -> UserAccount:
    account = UserAccount(login="mary", name=person.name, roles="front_desk", pin_hash=pin.hasher().hash(code),
                          staff_id=person.id)
    session.add(account)
    session.commit()
    return account


def test_the_kiosk_punches_with_the_persons_own_pin(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    make_account(session, person)
    assert [n.name for n in kiosk_names(session, MON)] == ["Mary Jones"]
    result = kiosk_punch(session, person.id, "4321", now=t(MON, 7, 58), workstation="kiosk")
    assert result.notice == "In at 07:58"
    assert session.exec(select(Punch)).one().source is PunchSource.kiosk


def test_a_wrong_pin_at_the_kiosk_counts_like_a_failed_sign_in_and_punches_nothing(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    account = make_account(session, person)
    for _ in range(3):
        with pytest.raises(ServiceError, match="wrong PIN for Mary Jones"):
            kiosk_punch(session, person.id, "0000", now=t(MON, 8), workstation="kiosk")
    session.refresh(account)
    assert account.failures == 3
    with pytest.raises(ServiceError, match="too many wrong PINs: wait"):
        kiosk_punch(session, person.id, "4321", now=t(MON, 8), workstation="kiosk")
    assert session.exec(select(Punch)).all() == []
    failed = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")).all()
    assert len(failed) == 3


def test_someone_without_a_user_account_cannot_use_the_kiosk(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    assert kiosk_names(session, MON) == []
    with pytest.raises(ServiceError, match="has no user account, so cannot use the kiosk"):
        kiosk_punch(session, person.id, "4321", now=t(MON, 8), workstation="kiosk")


def test_a_fix_changes_punches_only_when_the_manager_approves_and_is_audited(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    punch = add_punch(session, person, t(MON, 8), None)
    me = desk(person)
    fix_id = ask_fix(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 17), reason="forgot to punch out",
                     punch_id=punch.id, today=MON + timedelta(days=1), now=t(MON + timedelta(days=1), 9), actor=me)
    session.refresh(punch)
    assert punch.clock_out is None
    with pytest.raises(NotAllowed, match="approving a punch fix needs the manager role"):
        approve_fix(session, fix_id, today=MON, now=t(MON, 9), actor=me)
    approve_fix(session, fix_id, today=MON + timedelta(days=1), now=t(MON + timedelta(days=1), 10), actor=MANAGER)
    session.refresh(punch)
    assert (punch.clock_out, punch.source) == (t(MON, 17), PunchSource.fix)
    fix = session.get(PunchFix, fix_id)
    assert fix is not None and (fix.status, fix.decided_by) == (FixStatus.approved, "pat@office")
    event = session.exec(select(AuditEvent).where(AuditEvent.entity == "punch", AuditEvent.action == "update")).one()
    assert json.loads(event.changes) == {"clock_out": [None, "2026-11-23T17:00:00"], "source": ["desk", "fix"],
                                         "fix_id": fix_id}
    with pytest.raises(ServiceError, match="already approved"):
        deny_fix(session, fix_id, today=MON, now=t(MON, 11), actor=MANAGER)


def test_a_denied_fix_leaves_the_punches_as_they_were(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    fix_id = ask_fix(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 17), reason="was here all day",
                     today=MON, now=t(MON, 18), actor=desk(person))
    deny_fix(session, fix_id, today=MON, now=t(MON, 18), actor=MANAGER)
    assert session.exec(select(Punch)).all() == []
    assert [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity == "punch_fix"))] == [
        "create", "denied"]


def test_asking_for_someone_elses_fix_needs_the_manager(session: Session) -> None:
    person, other = make_staff(session), make_staff(session, first_name="Zoe")
    assert other.id is not None
    with pytest.raises(NotAllowed, match="asking for a punch fix for someone else needs the manager role"):
        ask_fix(session, other.id, clock_in=t(MON, 8), clock_out=t(MON, 17), reason="x", today=MON,
                now=t(MON, 18), actor=desk(person))
    assert session.exec(select(PunchFix)).all() == []


@pytest.mark.parametrize(("start", "end", "reason", "message"), [
    (t(MON, 8), t(MON, 17), "  ", "give the reason"),
    (t(MON, 17), t(MON, 8), "late", "must be after the in time"),
    (t(MON, 22), t(MON + timedelta(days=1), 6), "night", "ends on the day it starts"),
    (t(MON, 8), t(MON, 19), "future", "has not happened yet"),
    (t(MON, 8), t(MON, 17), "two\nlines", "one line of plain text"),
])
def test_a_fix_is_refused_for_bad_input(session: Session, start: datetime, end: datetime, reason: str,
                                        message: str) -> None:
    person = make_staff(session)
    assert person.id is not None
    with pytest.raises(ServiceError, match=message):
        fix_directly(session, person.id, clock_in=start, clock_out=end, reason=reason, today=MON, now=t(MON, 18),
                     actor=MANAGER)
    session.rollback()
    assert (session.exec(select(PunchFix)).all(), session.exec(select(Punch)).all()) == ([], [])


def test_a_fix_overlapping_another_punch_that_day_is_refused(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    morning = add_punch(session, person, t(MON, 8), t(MON, 12))
    add_punch(session, person, t(MON, 13), t(MON, 17))
    with pytest.raises(ServiceError, match="13:00-17:00 that day"):
        fix_directly(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 13, 1), reason="stayed on",
                     punch_id=morning.id, today=MON, now=t(MON, 18), actor=MANAGER)
    fix_directly(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 13), reason="worked through lunch",
                 punch_id=morning.id, today=MON, now=t(MON, 18), actor=MANAGER)
    session.refresh(morning)
    assert morning.clock_out == t(MON, 13)


@pytest.mark.parametrize(("start", "end", "refused"), [
    (t(MON, 8), t(MON, 12), True),  # the same missed stretch twice
    (t(MON, 11, 59), t(MON, 14), True),  # one minute over
    (t(MON, 12), t(MON, 14), False),  # starts when the other ends
    (t(MON, 6), t(MON, 8), False),  # ends when the other starts
])
def test_a_fix_overlapping_a_pending_fix_of_the_same_person_is_refused(
        session: Session, start: datetime, end: datetime, refused: bool) -> None:
    person, other = make_staff(session), make_staff(session, first_name="Zoe")
    assert person.id is not None and other.id is not None
    ask_fix(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 12), reason="kiosk down", today=MON,
            now=t(MON, 18), actor=desk(person))
    ask_fix(session, other.id, clock_in=start, clock_out=end, reason="kiosk down for me too", today=MON,
            now=t(MON, 18), actor=MANAGER)
    if refused:
        with pytest.raises(ServiceError, match="overlaps the fix 08:00-12:00 already waiting for that day"):
            fix_directly(session, person.id, clock_in=start, clock_out=end, reason="forgot to punch",
                         today=MON, now=t(MON, 18), actor=MANAGER)
        session.rollback()
        assert len(session.exec(select(PunchFix).where(PunchFix.staff_id == person.id)).all()) == 1
        assert session.exec(select(Punch)).all() == []
    else:
        fix_directly(session, person.id, clock_in=start, clock_out=end, reason="forgot to punch", today=MON,
                     now=t(MON, 18), actor=MANAGER)
        assert [(p.clock_in, p.clock_out) for p in session.exec(select(Punch))] == [(start, end)]


def test_a_decided_fix_does_not_block_a_new_one_for_the_same_stretch(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    denied = ask_fix(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 12), reason="kiosk down", today=MON,
                     now=t(MON, 18), actor=desk(person))
    deny_fix(session, denied, today=MON, now=t(MON, 18), actor=MANAGER)
    done = fix_directly(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 12), reason="kiosk down, checked",
                        today=MON, now=t(MON, 18), actor=MANAGER)
    assert session.exec(select(Punch)).one().id == done.punch_id


def test_approving_a_fix_checks_the_punches_again_so_a_stretch_is_not_paid_twice(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    first = ask_fix(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 12), reason="kiosk down", today=MON,
                    now=t(MON, 18), actor=desk(person))
    # the same stretch asked before pending fixes were checked against each other
    twin = PunchFix(staff_id=person.id, clock_in=t(MON, 9), clock_out=t(MON, 13), reason="forgot to punch",
                    requested_by="mary@desk", requested_on=MON)
    session.add(twin)
    session.commit()
    assert twin.id is not None
    approve_fix(session, first, today=MON, now=t(MON, 18), actor=MANAGER)
    with pytest.raises(ServiceError, match="09:00-13:00 overlaps the punch 08:00-12:00 made or fixed since this fix "
                                           "was asked; deny this fix, or ask again with other times"):
        approve_fix(session, twin.id, today=MON, now=t(MON, 18, 5), actor=MANAGER)
    session.rollback()
    assert [(p.clock_in, p.clock_out) for p in session.exec(select(Punch))] == [(t(MON, 8), t(MON, 12))]
    session.refresh(twin)
    assert twin.status is FixStatus.pending
    deny_fix(session, twin.id, today=MON, now=t(MON, 18, 5), actor=MANAGER)


def test_the_manager_fixes_directly_with_a_reason_in_one_step(session: Session) -> None:
    person = make_staff(session)
    assert person.id is not None
    done = fix_directly(session, person.id, clock_in=t(MON, 8), clock_out=t(MON, 12), reason="kiosk down",
                        today=MON, now=t(MON, 18), actor=MANAGER)
    assert done.notice == "Fix approved"
    punch = session.get(Punch, done.punch_id)
    assert punch is not None and (punch.clock_in, punch.clock_out, punch.source) == (
        t(MON, 8), t(MON, 12), PunchSource.fix)
    assert session.exec(select(PunchFix)).one().status is FixStatus.approved


def test_payroll_takes_punches_where_a_day_has_them_and_shifts_otherwise(session: Session) -> None:
    punched, scheduled, mixed = (make_staff(session, first_name=n) for n in ("Ann", "Bea", "Cy"))
    tue = MON + timedelta(days=1)
    for person in (punched, scheduled, mixed):
        make_shift(session, person, start=t(MON, 8), end=t(MON, 16))  # 8 h scheduled
        make_shift(session, person, start=t(tue, 8), end=t(tue, 16))
    for day in (MON, tue):
        add_punch(session, punched, t(day, 8), t(day, 16, 30))  # 8.5 h punched
    add_punch(session, mixed, t(MON, 8), t(MON, 12))  # 4 h punched on Monday, Tuesday from the shift
    add_punch(session, mixed, t(MON, 13), None)  # open: 0 h until fixed
    rows = {r.first_name: r for r in payroll(session, PERIOD, actor="tests")}
    assert (rows["Ann"].worked_hours, rows["Ann"].source) == (17.0, "punches")
    assert (rows["Bea"].worked_hours, rows["Bea"].source) == (16.0, "shifts")
    assert (rows["Cy"].worked_hours, rows["Cy"].source) == (12.0, "mixed")
    assert "the punch in at 2026-11-23 13:00 has no out time (counted as 0 h until fixed)" in rows["Cy"].notes


def test_payroll_pays_nothing_after_the_end_date_and_unpaid_time_off_as_unpaid(session: Session) -> None:
    leaver = make_staff(session, end_date=MON + timedelta(days=1))
    make_shift(session, leaver, start=t(MON, 8), end=t(MON, 16))
    make_shift(session, leaver, start=t(MON + timedelta(days=1), 8), end=t(MON + timedelta(days=1), 16))
    make_shift(session, leaver, start=t(MON + timedelta(days=2), 8), end=t(MON + timedelta(days=2), 16))
    stays = make_staff(session, first_name="Zoe")
    make_time_off(session, stays, start_date=MON + timedelta(days=7), kind="PTO", unpaid=True)
    rows = {r.first_name: r for r in payroll(session, PERIOD, actor="tests")}
    assert rows["Mary"].worked_hours == 16.0
    assert (rows["Zoe"].pto_hours, rows["Zoe"].unpaid_leave) == (0.0, {"PTO": 8.0})


def test_the_huddle_names_yesterdays_late_and_missed_punches_and_pending_fixes(session: Session) -> None:
    late, missing = make_staff(session, first_name="Ann"), make_staff(session, first_name="Bea")
    assert late.id is not None and missing.id is not None
    for person in (late, missing):
        make_shift(session, person, start=t(MON, 8), end=t(MON, 17))
    add_punch(session, late, t(MON, 8, 12), t(MON, 17))
    add_punch(session, missing, t(MON, 7, 58), None)
    fix_id = ask_fix(session, missing.id, clock_in=t(MON, 8), clock_out=t(MON, 17), reason="forgot",
                     today=MON, now=t(MON, 18), actor=desk(missing))
    items = huddle_hr.staffing_items(session, MON + timedelta(days=1), MANAGER)
    assert [(i.key, i.text) for i in items] == [
        (f"punch:{late.id}:2026-11-23", "Late: Ann Jones in 12 min after the shift on 11/23"),
        (f"punch:{missing.id}:2026-11-23", "Missed punch: Bea Jones on 11/23"),
        (f"fix:{fix_id}", "Punch fix to approve: Bea Jones, 11/23 08:00-17:00"),
    ]
    assert huddle_hr.staffing_items(session, MON + timedelta(days=1), desk(late)) == []
