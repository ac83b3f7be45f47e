"""Month-end close (issue 24, part 5): the checklist and its hints, closing in order, reopening, the guard biting,
and the month report's roll-forward and its escaping."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from audit_guard import AuditGuard
from factories import audit_events, make_claim, make_patient, make_payer, make_vendor
from officemgr.models import Closure, UserRole
from officemgr.models.billing import Remittance, RemittanceClaim
from officemgr.models.finance import BudgetCategory, ClaimPosting, CloseTask, MonthClose, PostingKind
from officemgr.models.ledger import DrawerClose, Dunning, EntryKind, LedgerEntry, PayMethod, Statement
from officemgr.models.payables import Bill, BillStatus
from officemgr.services import actuals, payables_report, productivity
from officemgr.services import month_report as mr
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.ar_rollforward import ArBalance, ar_through, roll_forward
from officemgr.services.closed_months import MonthClosed, guard
from officemgr.services.common import ServiceError
from officemgr.services.month_close import (
    CHECKLIST,
    close_month,
    last_ended_month,
    month_status,
    parse_month,
    reopen_month,
    tick,
    untick,
)
from officemgr.services.report_section import ReportSection

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
BILLER = Actor("bill", {UserRole.biller})
OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
DEC1 = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 0)


def tick_all(session: Session, month: date, today: date = DEC1) -> None:
    for key, _ in CHECKLIST:
        tick(session, month, key, today=today, now=NOW, actor=MANAGER)


def ledger(session: Session, patient_id: int, day: date, kind: EntryKind, cents: int, **more: object) -> LedgerEntry:
    row = LedgerEntry(patient_id=patient_id, day=day, at=NOW, actor="test", kind=kind, amount_cents=cents, **more)
    session.add(row)
    session.commit()
    return row


def posting(session: Session, claim_id: int, day: date, kind: PostingKind, cents: int, group: str = "") -> None:
    session.add(ClaimPosting(claim_id=claim_id, day=day, kind=kind, carc_group=group, amount_cents=cents, at=NOW,
                             actor="test"))
    session.commit()


def hint(session: Session, month: date, key: str, today: date = DEC1) -> str:
    return next(i.hint for i in month_status(session, month, today=today, actor=MANAGER).items if i.key == key)


# ------------------------------------------------------------------------------------------------ months


@pytest.mark.parametrize("text", ["2026-13", "Nov", "2026-00", "", "2026/11", "1999-01"])
def test_a_bad_month_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(ServiceError, match="e.g. 2026-11"):
        parse_month(text)


def test_months_parse_and_the_last_ended_month_crosses_the_year() -> None:
    assert parse_month("2026-11") == NOV
    assert parse_month(" 2026-2 ") == date(2026, 2, 1)
    assert last_ended_month(date(2027, 1, 1)) == DEC
    assert last_ended_month(date(2026, 12, 31)) == NOV


# ------------------------------------------------------------------------------------------------ hints


def test_a_missing_drawer_close_on_an_open_day_is_hinted_but_not_on_a_holiday_or_a_closure(session: Session) -> None:
    # November 2026: Thanksgiving Thu 11/26 and Veterans Day Wed 11/11 are federal holidays; 11/27 a closure.
    session.add(Closure(day=date(2026, 11, 27), reason="Day after Thanksgiving", at=NOW, actor="t"))
    session.commit()
    opened = [d for d in (NOV + timedelta(days=n) for n in range(30))
              if d.weekday() < 5 and d not in (date(2026, 11, 11), date(2026, 11, 26), date(2026, 11, 27))]
    for day in opened:
        if day != date(2026, 11, 30):
            session.add(DrawerClose(day=day, at=NOW, actor="t", counted_cash_cents=100, counted_checks_cents=0,
                                    recorded_cash_cents=100, recorded_checks_cents=0))
    session.commit()
    assert hint(session, NOV, "deposits") == "1 open day without a drawer close (11/30)"
    # On 11/30 itself the day is still under way: not missing yet.
    assert hint(session, NOV, "deposits", today=date(2026, 11, 30)).startswith("every open day has a drawer close")


def test_a_close_counted_unlike_recorded_is_hinted(session: Session) -> None:
    session.add(DrawerClose(day=date(2026, 11, 2), at=NOW, actor="t", counted_cash_cents=100, counted_checks_cents=0,
                            recorded_cash_cents=150, recorded_checks_cents=0))
    session.commit()
    assert "1 drawer close counted ≠ recorded (11/02)" in hint(session, NOV, "deposits")


def test_payments_statements_and_bills_hints(session: Session) -> None:
    assert hint(session, NOV, "statements") == "no statement run in the month"
    patient = make_patient(session)
    session.add(Statement(patient_id=patient.id, day=date(2026, 11, 30), balance_cents=5000, oldest_days=10,
                          dunning=Dunning.statement, actor="t"))
    remit = Remittance(file_hash="h", file_name="f.835", imported_at=datetime(2026, 11, 30, 23, 59), actor="t")
    late = Remittance(file_hash="i", file_name="g.835", imported_at=datetime(2026, 12, 1, 0, 0), actor="t")
    session.add_all([remit, late])
    session.flush()
    for r in (remit, late):
        session.add(RemittanceClaim(remittance_id=r.id, claim_number="X", status_code="1", posted=False))
    session.add(RemittanceClaim(remittance_id=remit.id, claim_number="Y", status_code="1", posted=True))
    vendor = make_vendor(session)
    for due, status, paid in ((date(2026, 11, 30), BillStatus.approved, 2500), (date(2026, 11, 1), BillStatus.entered,
                              0), (date(2026, 11, 15), BillStatus.paid, 10000), (DEC1, BillStatus.entered, 0)):
        session.add(Bill(vendor_id=vendor.id, invoice_number=str(due), invoice_key=str(due), invoice_date=due,
                         due_date=due, amount_cents=10000, paid_cents=paid, category=BudgetCategory.rent,
                         status=status, entered_at=NOW, entered_by="t"))
    session.commit()
    assert hint(session, NOV, "statements") == "yes: 1 statement sent, the last on 11/30"
    assert hint(session, NOV, "payments") == "1 remittance claim received in the month not posted"
    assert hint(session, NOV, "bills") == "2 bills due in the month still open ($175.00)"
    assert hint(session, NOV, "ar_review") == ""


def test_the_payroll_hint_names_periods_ending_in_the_month(session: Session) -> None:
    # Semimonthly by default: 11/01–11/15 and 11/16–11/30 end in November; nobody has hours, so all is approved.
    assert hint(session, NOV, "payroll") == "every timesheet approved (2 pay periods ending in the month)"
    biller = month_status(session, NOV, today=DEC1, actor=BILLER).items
    assert next(i.hint for i in biller if i.key == "payroll") == "(timesheets are the manager's to see)"


# ------------------------------------------------------------------------------------------------ ticking


def test_ticking_and_unticking_are_audited(session: Session) -> None:
    tick(session, NOV, "deposits", "  all three  banks ", today=DEC1, now=NOW, actor=MANAGER)
    [item] = [i for i in month_status(session, NOV, today=DEC1, actor=MANAGER).items if i.done]
    assert (item.key, item.done_by, item.note, item.done_at) == ("deposits", str(MANAGER), "all three banks", NOW)
    with pytest.raises(ServiceError, match="already ticked"):
        tick(session, NOV, "deposits", today=DEC1, now=NOW, actor=MANAGER)
    untick(session, NOV, "deposits", today=DEC1, now=NOW, actor=MANAGER)
    assert session.exec(select(CloseTask)).all() == []
    assert [e.action for e, _ in audit_events(session, "close_task")] == ["tick", "untick"]
    with pytest.raises(NotAllowed):
        tick(session, NOV, "bills", today=DEC1, now=NOW, actor=BILLER)
    with pytest.raises(ServiceError, match="control character"):
        tick(session, NOV, "bills", "a\x1b[31m", today=DEC1, now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="has not begun"):
        tick(session, date(2027, 1, 1), "bills", today=DEC1, now=NOW, actor=MANAGER)


# ------------------------------------------------------------------------------------------------ closing


def test_a_month_closes_only_once_it_has_ended(session: Session) -> None:
    tick_all(session, NOV, today=date(2026, 11, 30))
    with pytest.raises(ServiceError, match="November 2026 has not ended: it can be closed from 12/01/2026"):
        close_month(session, NOV, today=date(2026, 11, 30), now=NOW, actor=MANAGER)
    status = close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER)
    assert status.closed and status.state == f"Closed by {MANAGER} on 12/01/2026 09:00"


def test_december_closes_on_january_first(session: Session) -> None:
    tick_all(session, DEC, today=date(2026, 12, 31))
    with pytest.raises(ServiceError, match="has not ended"):
        close_month(session, DEC, today=date(2026, 12, 31), now=NOW, actor=MANAGER)
    assert close_month(session, DEC, today=date(2027, 1, 1), now=NOW, actor=MANAGER).closed


def test_unticked_steps_refuse_the_close_unless_forced_and_the_audit_names_them(session: Session) -> None:
    tick(session, NOV, "deposits", today=DEC1, now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="5 steps of the checklist not ticked: Payments posted, Statements sent"):
        close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER)
    assert session.exec(select(MonthClose)).all() == []
    close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER, force=True)
    [(event, changes)] = audit_events(session, "month_close")
    assert (event.action, event.entity_id, changes["forced"]) == ("close", 202611, True)
    assert changes["unticked"] == ["Payments posted", "Statements sent", "A/R reviewed", "Bills paid",
                                   "Payroll approved"]


def test_only_the_manager_closes(session: Session) -> None:
    with pytest.raises(NotAllowed, match="closing a month needs the manager role"):
        close_month(session, NOV, today=DEC1, now=NOW, actor=BILLER, force=True)


def test_the_close_records_both_a_rs_at_month_end(session: Session) -> None:
    patient = make_patient(session)
    claim = make_claim(session, patient=patient, service_date=date(2026, 11, 30))
    posting(session, claim.id, date(2026, 11, 30), PostingKind.charge, 17000)
    posting(session, claim.id, date(2026, 11, 30), PostingKind.patient_share, -2000)
    posting(session, claim.id, DEC1, PostingKind.payment, -9000)
    ledger(session, patient.id, date(2026, 11, 30), EntryKind.patient_share, 2000)
    ledger(session, patient.id, DEC1, EntryKind.payment, -2000, method=PayMethod.cash)
    close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER, force=True)
    row = session.get(MonthClose, NOV)
    assert ar_through(session, date(2026, 11, 30)) == ArBalance(15000, 2000)
    assert row is not None and (row.insurance_ar_cents, row.patient_ar_cents) == (15000, 2000)
    [(_, changes)] = audit_events(session, "month_close")
    assert (changes["insurance_ar_cents"], changes["patient_ar_cents"]) == (15000, 2000)
    november = roll_forward(session, NOV, actor=MANAGER)
    assert (november.insurance.recorded_closing_cents, november.patient.recorded_closing_cents) == (15000, 2000)
    assert november.balances


def test_months_close_in_order_once_the_books_have_begun(session: Session) -> None:
    patient = make_patient(session)
    ledger(session, patient.id, date(2026, 9, 15), EntryKind.patient_share, 1000)
    ledger(session, patient.id, date(2026, 10, 31), EntryKind.courtesy, -100, reason="kind")
    # The first close starts the books: September's posting does not hold October back.
    close_month(session, OCT, today=DEC1, now=NOW, actor=MANAGER, force=True)
    close_month(session, NOV, today=date(2027, 1, 4), now=NOW, actor=MANAGER, force=True)
    reopen_month(session, NOV, "late EOB", now=NOW, actor=MANAGER)
    reopen_month(session, OCT, "late EOB", now=NOW, actor=MANAGER)
    # October is reopened and holds a posting: November must wait for it; December (no posting in Nov? it has
    # none) still waits for October.
    with pytest.raises(ServiceError, match="October 2026 is still open: close the months in order"):
        close_month(session, NOV, today=date(2027, 1, 4), now=NOW, actor=MANAGER, force=True)
    close_month(session, OCT, today=date(2027, 1, 4), now=NOW, actor=MANAGER, force=True)
    # November has no posting, so December may close before it.
    close_month(session, DEC, today=date(2027, 1, 4), now=NOW, actor=MANAGER, force=True)
    assert month_status(session, DEC, today=date(2027, 1, 4), actor=MANAGER).closed


def test_reopen_needs_a_reason_the_manager_and_the_latest_month_first(session: Session) -> None:
    close_month(session, OCT, today=DEC1, now=NOW, actor=MANAGER, force=True)
    close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER, force=True)
    with pytest.raises(ServiceError, match="say why"):
        reopen_month(session, NOV, "   ", now=NOW, actor=MANAGER)
    with pytest.raises(NotAllowed):
        reopen_month(session, NOV, "late EOB", now=NOW, actor=BILLER)
    with pytest.raises(ServiceError, match="November 2026 is closed too: reopen the latest month first"):
        reopen_month(session, OCT, "late EOB", now=NOW, actor=MANAGER)
    reopen_month(session, NOV, "a late EOB from Acme", now=NOW + timedelta(hours=1), actor=MANAGER)
    status = month_status(session, NOV, today=DEC1, actor=MANAGER)
    assert not status.closed
    assert status.state == f"Reopened by {MANAGER} on 12/01/2026 10:00: a late EOB from Acme"
    with pytest.raises(ServiceError, match="is not closed"):
        reopen_month(session, NOV, "again", now=NOW, actor=MANAGER)
    events = audit_events(session, "month_close")
    assert [(e.action, c.get("reason")) for e, c in events][-1] == ("reopen", "a late EOB from Acme")
    # Closed again: the row is the new close, the audit keeps both.
    assert close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER, force=True).reopened_at is None


def test_a_closed_months_checklist_is_frozen(session: Session) -> None:
    close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER, force=True)
    with pytest.raises(ServiceError, match="is closed: reopen it"):
        tick(session, NOV, "deposits", today=DEC1, now=NOW, actor=MANAGER)
    with pytest.raises(ServiceError, match="already closed"):
        close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER, force=True)


def test_the_guard_refuses_a_posting_dated_in_the_closed_month(session: Session) -> None:
    guard(session, date(2026, 11, 30), what="a payment of $40.00", actor=MANAGER, now=NOW)
    close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER, force=True)
    with pytest.raises(MonthClosed, match="November 2026 is closed"):
        guard(session, date(2026, 11, 30), what="a payment of $40.00", actor=MANAGER, now=NOW)
    with pytest.raises(MonthClosed):
        guard(session, date(2026, 11, 1), what="a payment of $40.00", actor=MANAGER, now=NOW)
    guard(session, DEC1, what="a payment of $40.00", actor=MANAGER, now=NOW)
    guard(session, date(2026, 10, 31), what="a payment of $40.00", actor=MANAGER, now=NOW)
    reopen_month(session, NOV, "fix", now=NOW, actor=MANAGER)
    guard(session, date(2026, 11, 30), what="a payment of $40.00", actor=MANAGER, now=NOW)


# ------------------------------------------------------------------------------------------------ report


def hand_made_month(session: Session) -> None:
    """October's opening balances, then November with a posting of every kind on both A/Rs: charges, payments,
    adjustments (CO, OA, an overpayment's credit, a write-off), shares moved to the patient and received by the
    ledger, patient payments with a void and a refund, a small-balance write-off and a courtesy discount."""
    patient = make_patient(session, last_name="<script>alert(1)</script>")
    payer = make_payer(session, name="Acme <b>Health</b>")
    old = make_claim(session, patient=patient, payer=payer, service_date=date(2026, 10, 20), billed_cents=20000)
    new = make_claim(session, patient=patient, payer=payer, service_date=date(2026, 11, 10), billed_cents=15000,
                     submitted_on=date(2026, 11, 11), denied_on=date(2026, 11, 25))
    posting(session, old.id, date(2026, 10, 20), PostingKind.charge, 20000)
    ledger(session, patient.id, date(2026, 10, 20), EntryKind.sent_to_patient, 3000)
    posting(session, new.id, date(2026, 11, 1), PostingKind.charge, 15000)
    posting(session, old.id, date(2026, 11, 5), PostingKind.payment, -11000)
    posting(session, old.id, date(2026, 11, 5), PostingKind.adjustment, -5000, "CO")
    posting(session, old.id, date(2026, 11, 5), PostingKind.adjustment, -1000, "OA")
    posting(session, old.id, date(2026, 11, 5), PostingKind.patient_share, -2000)
    ledger(session, patient.id, date(2026, 11, 5), EntryKind.patient_share, 2000)
    posting(session, old.id, date(2026, 11, 6), PostingKind.write_off, -500)
    posting(session, old.id, date(2026, 11, 30), PostingKind.patient_share, -500)
    ledger(session, patient.id, date(2026, 11, 30), EntryKind.sent_to_patient, 500)
    posting(session, new.id, date(2026, 11, 25), PostingKind.payment, -15200)
    posting(session, new.id, date(2026, 11, 25), PostingKind.adjustment, 200)
    paid = ledger(session, patient.id, date(2026, 11, 12), EntryKind.payment, -2500, method=PayMethod.card)
    ledger(session, patient.id, date(2026, 11, 13), EntryKind.void, 2500, voids_id=paid.id)
    ledger(session, patient.id, date(2026, 11, 14), EntryKind.payment, -2500, method=PayMethod.card)
    ledger(session, patient.id, date(2026, 11, 20), EntryKind.refund, 500)
    ledger(session, patient.id, date(2026, 11, 29), EntryKind.small_balance, -200)
    ledger(session, patient.id, date(2026, 11, 30), EntryKind.courtesy, -300, reason="hardship")
    ledger(session, patient.id, DEC1, EntryKind.payment, -100, method=PayMethod.cash)
    posting(session, new.id, DEC1, PostingKind.charge, 700)


def test_the_roll_forward_balances_on_a_hand_made_month_with_postings_of_every_kind(session: Session) -> None:
    hand_made_month(session)
    report = mr.month_report(session, NOV, today=DEC1, actor=MANAGER)
    assert report.roll_forward == roll_forward(session, NOV, actor=MANAGER)
    ins, pat = report.roll_forward.insurance, report.roll_forward.patient
    assert (ins.opening_cents, ins.closing_cents, pat.opening_cents, pat.closing_cents) == (20000, 0, 3000, 3000)
    assert report.roll_forward.line == "Balances" and report.roll_forward.notes == ()
    assert (report.charges_cents, report.claims) == (15000, 1)
    assert (report.insurance_payments_cents, report.patient_payments_cents) == (26200, 2000)
    assert report.adjustments == (("Payer adjustments, group CO", 5000), ("Payer adjustments, group OA", 1000),
                                  ("Overpaid (credit to refund)", -200), ("Claim balances written off", 500),
                                  ("Patient small balances written off", 200), ("Patient courtesy discounts", 300))
    days, denial, net = report.kpis
    assert denial.value == 100.0 and denial.detail == "1 denied of 1 submitted in the month"
    assert net.value == pytest.approx(28200 / (15000 - 5000) * 100)
    assert days.value == pytest.approx(3000 / (35000 / 365))
    assert report.ended and report.period_note == "11/01/2026 to 11/30/2026"
    markdown = mr.report_markdown(report)
    assert "\n".join(line for line in markdown.splitlines() if line.startswith(("| Opening", "| +", "| −", "| ±",
                                                                                "| ="))) == "\n".join((
        "| Opening (11/01/2026) | $200.00 | $30.00 | $230.00 |",
        "| + Charges | $150.00 | $0.00 | $150.00 |",
        "| − Payments | $262.00 | $20.00 | $282.00 |",
        "| − Adjustments | $63.00 | $5.00 | $68.00 |",
        "| ± Transfers (insurance to patient) | -$25.00 | $25.00 | $0.00 |",
        "| = Closing (11/30/2026) | $0.00 | $30.00 | $30.00 |"))
    assert "| Payments in all | $282.00 |" in markdown and "| Adjustments in all | $68.00 |" in markdown


def test_a_transfer_the_ledger_did_not_receive_does_not_balance(session: Session) -> None:
    claim = make_claim(session, service_date=date(2026, 11, 2))
    posting(session, claim.id, date(2026, 11, 2), PostingKind.charge, 10000)
    posting(session, claim.id, date(2026, 11, 9), PostingKind.patient_share, -1500)
    line = mr.month_report(session, NOV, today=DEC1, actor=MANAGER).roll_forward.line
    assert line == ("Does not balance by $15.00: Claims moved $15.00 to patients in November 2026, but the "
                    "patients' ledgers received $0.00: a share the ledger took in another month")


def test_a_posting_added_after_the_close_shows_in_the_report(session: Session) -> None:
    claim = make_claim(session, service_date=date(2026, 11, 2))
    posting(session, claim.id, date(2026, 11, 2), PostingKind.charge, 10000)
    close_month(session, NOV, today=DEC1, now=NOW, actor=MANAGER, force=True)
    assert mr.month_report(session, NOV, today=DEC1, actor=MANAGER).roll_forward.balances
    posting(session, claim.id, date(2026, 11, 20), PostingKind.payment, -4000)
    report = mr.month_report(session, NOV, today=DEC1, actor=MANAGER)
    assert report.roll_forward.line.startswith("Does not balance by $40.00: The insurance A/R closes at $60.00, but "
                                               "November 2026 closed with $100.00")
    assert "| = Closing (11/30/2026) | $60.00 | $0.00 | $60.00 |" in mr.report_markdown(report)


def test_the_report_of_a_month_not_yet_ended_says_so(session: Session) -> None:
    report = mr.month_report(session, DEC, today=date(2026, 12, 7), actor=BILLER)
    assert report.period_note == "month not yet ended (figures to 12/07/2026)"
    assert "month not yet ended (figures to 12/07/2026)" in mr.report_markdown(report)
    with pytest.raises(NotAllowed):
        mr.month_report(session, DEC, today=DEC1, actor=Actor("fd", {UserRole.front_desk}))


def test_the_html_escapes_names_from_the_data_and_the_sections(session: Session,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    hand_made_month(session)

    def vendors(session: Session, month: date, *, actor: str) -> ReportSection:
        return ReportSection("Bills <paid>", ("Vendor", "Amount"), (("<script>x()</script> & Co", "$10.00"),),
                             "from <the> bills")

    monkeypatch.setattr(mr, "EXTRA_SECTIONS", (("Bills", vendors),))
    from officemgr.services import settings
    settings.put(session, "practice", {"name": "<script>evil()</script>", "address": "", "phone": ""}, now=NOW,
                 actor="test")
    session.commit()
    report = mr.month_report(session, NOV, today=DEC1, actor=MANAGER)
    page = mr.report_html(report)
    assert "<script>" not in page
    assert "&lt;script&gt;evil()&lt;/script&gt;: Month-end report — November 2026" in page
    assert "<td>&lt;script&gt;x()&lt;/script&gt; &amp; Co</td>" in page
    assert "<h2>Bills &lt;paid&gt;</h2>" in page and "from &lt;the&gt; bills" in page
    assert "@media print" in page and "<td class=\"num\">$150.00</td>" in page
    markdown = mr.report_markdown(report)
    assert markdown.startswith("# \\<script\\>evil()\\</script\\>: Month-end report — November 2026")
    assert "## Bills \\<paid\\>" in markdown and "| \\<script\\>x()\\</script\\> & Co | $10.00 |" in markdown
    assert "| = Closing (11/30/2026) | $0.00 | $30.00 | $30.00 |" in markdown
    assert "Balances" in markdown


def test_a_section_that_refuses_is_named_not_raised(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuses(session: Session, month: date, *, actor: str) -> ReportSection:
        raise NotAllowed("productivity needs the manager role")

    def shown(session: Session, month: date, *, actor: str) -> ReportSection:
        return ReportSection(f"Shown for {actor}, {month:%B %Y}", (), ())

    monkeypatch.setattr(mr, "EXTRA_SECTIONS", (("Provider productivity", refuses), ("Bills", shown)))
    first, second = mr.month_report(session, NOV, today=DEC1, actor=BILLER).sections
    assert (first.title, first.note) == ("Provider productivity", "Not shown: productivity needs the manager role")
    assert second.title == "Shown for bill, November 2026"


def test_the_report_holds_the_budget_bills_and_productivity_sections_in_order(session: Session) -> None:
    assert [make for _, make in mr.EXTRA_SECTIONS] == [actuals.month_report_section,
                                                       payables_report.month_report_section,
                                                       productivity.month_report_section]
    hand_made_month(session)
    report = mr.month_report(session, NOV, today=DEC1, actor=MANAGER)
    assert [section.title for section in report.sections] == ["Budget vs actual, November 2026",
                                                              "Bills paid and owed, November 2026",
                                                              "Provider productivity, November 2026"]
    titles = [line for line in mr.report_markdown(report).splitlines() if line.startswith("## ")]
    assert titles[-3:] == ["## Budget vs actual, November 2026", "## Bills paid and owed, November 2026",
                           "## Provider productivity, November 2026"]


def test_every_write_audits_its_rows(session: Session, tmp_path: Path) -> None:
    with AuditGuard() as guard:
        tick(session, OCT, "deposits", today=DEC1, now=NOW, actor=MANAGER)
        untick(session, OCT, "deposits", today=DEC1, now=NOW, actor=MANAGER)
        close_month(session, OCT, today=DEC1, now=NOW, actor=MANAGER, force=True)
        reopen_month(session, OCT, "late EOB", now=NOW, actor=MANAGER)
        mr.save_report(session, OCT, tmp_path / "oct.md", "md", today=DEC1, now=NOW, actor=MANAGER)
    assert guard.committed_by >= {"month_close.tick", "month_close.untick", "month_close.close_month",
                                  "month_close.reopen_month", "month_report.save_report"}
    assert guard.problems == []
    assert [(e.entity_id, e.action) for e, _ in audit_events(session, "month_close")] == [
        (202610, "close"), (202610, "reopen")]
    assert [(e.action, c["file"]) for e, c in audit_events(session, "report")] == [
        ("month", str(tmp_path / "oct.md"))]
    assert (tmp_path / "oct.md").read_text().startswith("# The practice: Month-end report — October 2026")
