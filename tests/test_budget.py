"""The operating budget (issue 24, part 2): amounts per category and month, copying a year, CSV out and in."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import Session, select

from factories import NOW, plan_budget
from officemgr.models import AuditEvent, UserRole
from officemgr.models.finance import BudgetAmount, BudgetCategory
from officemgr.services import budget
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.budget import BudgetRefused
from officemgr.services.common import ServiceError

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss")
BILLER = Actor("bo", {UserRole.biller})
HEADER = "category,jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec,total\n"


def amounts(session: Session, year: int) -> dict[tuple[str, int], int]:
    rows = session.exec(select(BudgetAmount).where(BudgetAmount.year == year)).all()
    return {(BudgetCategory(r.category).value, r.month): r.amount_cents for r in rows}


def events(session: Session) -> list[AuditEvent]:
    return list(session.exec(select(AuditEvent).where(AuditEvent.entity == "budget_amount")
                             .order_by(AuditEvent.id)).all())


def test_a_year_lists_every_category_with_twelve_months_and_a_total(session: Session) -> None:
    budget.set_amount(session, 2027, 1, BudgetCategory.rent, 450_000, now=NOW, actor=MANAGER)
    budget.set_amount(session, 2027, 12, BudgetCategory.rent, 500_000, now=NOW, actor=MANAGER)
    rows = budget.budget_year(session, 2027, actor=BILLER)
    assert [r.category for r in rows] == list(BudgetCategory)
    rent = next(r for r in rows if r.category is BudgetCategory.rent)
    assert rent.months == (450_000,) + (0,) * 10 + (500_000,)
    assert rent.total_cents == 950_000
    assert all(r.months == (0,) * 12 for r in rows if r.category is not BudgetCategory.rent)


def test_setting_an_amount_is_audited_and_changing_it_keeps_one_row(session: Session) -> None:
    assert budget.set_amount(session, 2027, 2, BudgetCategory.software, 10_000, now=NOW, actor=MANAGER)
    assert budget.set_amount(session, 2027, 2, BudgetCategory.software, 12_500, now=NOW, actor=MANAGER)
    assert not budget.set_amount(session, 2027, 2, BudgetCategory.software, 12_500, now=NOW, actor=MANAGER)
    assert amounts(session, 2027) == {("software", 2): 12_500}
    changes = [json.loads(e.changes) for e in events(session)]
    assert [c["amount_cents"] for c in changes] == [[0, 10_000], [10_000, 12_500]]
    assert (changes[0]["year"], changes[0]["month"], changes[0]["category"]) == (2027, 2, "software")


def test_set_row_plans_the_same_amount_every_month(session: Session) -> None:
    assert budget.set_row(session, 2027, BudgetCategory.insurance, [80_000] * 12, now=NOW, actor=MANAGER) == 12
    assert budget.set_row(session, 2027, BudgetCategory.insurance, [80_000] * 11 + [0], now=NOW, actor=MANAGER) == 1
    assert amounts(session, 2027)[("insurance", 12)] == 0
    assert sum(amounts(session, 2027).values()) == 80_000 * 11


@pytest.mark.parametrize(("year", "month", "cents", "message"), [
    (2027, 0, 1, "a month is 1 to 12, not 0"),
    (2027, 13, 1, "a month is 1 to 12, not 13"),
    (1999, 1, 1, "a budget year is from 2000 to 2100, not 1999"),
    (2027, 1, -1, "a budget amount cannot be negative"),
    (2027, 1, 100_000_000_01, "a budget amount is at most $100,000,000.00 a month"),
])
def test_bad_amounts_are_refused_and_nothing_is_saved(session: Session, year: int, month: int, cents: int,
                                                      message: str) -> None:
    with pytest.raises(ServiceError) as refused:
        budget.set_amount(session, year, month, BudgetCategory.rent, cents, now=NOW, actor=MANAGER)
    assert str(refused.value) == message
    assert amounts(session, year) == {}


def test_only_the_manager_changes_it_and_others_with_finance_read_see_it(session: Session) -> None:
    with pytest.raises(NotAllowed):
        budget.set_amount(session, 2027, 1, BudgetCategory.rent, 1, now=NOW, actor=BILLER)
    with pytest.raises(NotAllowed):
        budget.budget_year(session, 2027, actor=Actor("fd", {UserRole.front_desk}))
    assert len(budget.budget_year(session, 2027, actor=Actor("au", {UserRole.auditor}))) == len(BudgetCategory)


def test_copy_last_year_with_a_percentage_rounds_half_a_cent_up(session: Session) -> None:
    plan_budget(session, 2026, {"rent": 450_000, "software": 333}, months=range(1, 12))  # nothing in December
    plan_budget(session, 2026, {"marketing": 5}, months=range(12, 13))
    written = budget.copy_year(session, 2026, 2027, "+3", now=NOW, actor=MANAGER)
    got = amounts(session, 2027)
    assert got[("rent", 1)] == 463_500
    assert got[("software", 11)] == 343  # 342.99 -> 343
    assert got[("marketing", 12)] == 5  # 5.15 -> 5
    assert ("rent", 12) not in got  # $0 stays unstored
    assert written == 11 * 2 + 1
    budget.copy_year(session, 2026, 2028, Decimal("-2.5"), now=NOW, actor=MANAGER)
    assert amounts(session, 2028)[("marketing", 12)] == 5  # 4.875 -> 5 (half up)
    assert amounts(session, 2028)[("software", 1)] == 325  # 324.675 -> 325
    assert budget.changed_by(10, Decimal("5")) == 11  # 10.5 -> 11: exactly half a cent rounds up
    assert budget.changed_by(10, Decimal("4.9")) == 10


def test_copy_refuses_an_empty_source_and_an_existing_target_unless_replacing(session: Session) -> None:
    with pytest.raises(ServiceError, match="2025 has no budget to copy"):
        budget.copy_year(session, 2025, 2026, 3, now=NOW, actor=MANAGER)
    plan_budget(session, 2026, {"rent": 100_000})
    plan_budget(session, 2027, {"rent": 0})  # amounts of $0 only: nothing planned, nothing to replace
    budget.copy_year(session, 2026, 2027, 0, now=NOW, actor=MANAGER)
    plan_budget(session, 2028, {"rent": 1, "vaccines": 7})
    assert amounts(session, 2027)[("rent", 1)] == 100_000
    with pytest.raises(ServiceError, match="2028 already has a budget"):
        budget.copy_year(session, 2026, 2028, 0, now=NOW, actor=MANAGER)
    assert amounts(session, 2028)[("rent", 1)] == 1
    budget.copy_year(session, 2026, 2028, 0, now=NOW, actor=MANAGER, replace=True)
    got = amounts(session, 2028)
    assert (got[("rent", 1)], got[("vaccines", 1)]) == (100_000, 0)  # what 2026 lacked is $0 now


@pytest.mark.parametrize("text", ["abc", "-100.5", "1001", "nan", "inf"])
def test_a_percentage_out_of_range_or_not_a_number_is_refused(text: str) -> None:
    with pytest.raises(ServiceError):
        budget.parse_percent(text)


def test_parse_percent_accepts_signs_and_a_percent_sign() -> None:
    assert budget.parse_percent(" +3% ") == Decimal(3)
    assert budget.parse_percent("-100") == Decimal(-100)


def test_export_then_import_gives_the_same_budget(session: Session, tmp_path: Path) -> None:
    plan_budget(session, 2026, {"medical_supplies": 250_050, "rent": 450_000})
    text = budget.budget_csv(session, 2026, actor=MANAGER)
    lines = text.split("\r\n")
    assert lines[0] == HEADER.strip()
    assert lines[3] == "Supplies,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00"
    assert lines[4].startswith("Medical supplies,2500.50,") and lines[4].endswith(",30006.00")
    path = tmp_path / "budget.csv"
    path.write_text(text, encoding="utf-8")
    assert budget.import_budget_csv(session, path, 2027, now=NOW, actor=MANAGER) == 24
    assert amounts(session, 2027) == {(c, m): v for (c, m), v in amounts(session, 2026).items()}


def test_import_reads_dollars_with_signs_and_commas_and_blank_months_as_zero(session: Session,
                                                                            tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + '"medical supplies","$1,250.50",,3,,,,,,,,,"$1,000.00",2253.50\n'
                    "Rent,100,100,100,100,100,100,100,100,100,100,100,100,\n", encoding="utf-8")
    budget.import_budget_csv(session, path, 2027, now=NOW, actor=MANAGER)
    got = amounts(session, 2027)
    assert (got[("medical_supplies", 1)], got[("medical_supplies", 3)], got[("medical_supplies", 12)]) == (
        125_050, 300, 100_000)
    assert ("medical_supplies", 2) not in got
    assert sum(v for (c, _), v in got.items() if c == "rent") == 120_000


def test_import_is_all_or_nothing_and_names_every_bad_line(session: Session, tmp_path: Path) -> None:
    plan_budget(session, 2027, {"rent": 5})
    path = tmp_path / "plan.csv"
    path.write_text(HEADER
                    + "Rent,1,1,1,1,1,1,1,1,1,1,1,1,12\n"
                    + "Parking,1,1,1,1,1,1,1,1,1,1,1,1,\n"
                    + "Software,-5,1,1,1,1,1,1,1,1,1,1,1,\n"
                    + "Insurance,lots,1,1,1,1,1,1,1,1,1,1,1,\n"
                    + "Marketing,1,1,1,1,1,1,1,1,1,1,1,1,13\n"
                    + "rent,1,1,1,1,1,1,1,1,1,1,1,1,\n", encoding="utf-8")
    with pytest.raises(BudgetRefused) as refused:
        budget.import_budget_csv(session, path, 2027, now=NOW, actor=MANAGER)
    assert refused.value.problems == [
        "line 3: category: 'Parking' is not a budget category (payroll, rent, supplies, medical supplies, vaccines, "
        "equipment, software, insurance, marketing, other)",
        "line 4: jan: -5 is negative",
        "line 5: jan: 'lots' is not an amount like 2,500.00 or $1,250.00",
        "line 6: total: 13 is not the sum of the months ($12.00)",
        "line 7: Rent is already on line 2",
    ]
    assert str(refused.value).startswith("plan.csv: nothing was imported; 5 of 6 lines have problems:")
    assert amounts(session, 2027) == {("rent", m): 5 for m in range(1, 13)}
    assert events(session) == []


def test_import_refuses_a_file_missing_a_month_column(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("category,jan,feb\nRent,1,2\n", encoding="utf-8")
    with pytest.raises(BudgetRefused, match="missing column"):
        budget.import_budget_csv(session, path, 2027, now=NOW, actor=MANAGER)


def test_import_needs_the_manager(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "Rent,1,1,1,1,1,1,1,1,1,1,1,1,\n", encoding="utf-8")
    with pytest.raises(NotAllowed):
        budget.import_budget_csv(session, path, 2027, now=NOW, actor=BILLER)
    assert amounts(session, 2027) == {}
