"""The Billing tab's A/R view shows what patients owe by age beside what payers owe, with both together; only to
those who may see the desk's money."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from textual.widgets import DataTable, Label

from factories import make_claim, make_patient, make_payer
from officemgr.models import EntryKind, LedgerEntry, PayMethod
from officemgr.services.access import Actor, Area, UserRole
from officemgr.store import write_session
from officemgr.tui.app import make_app
from officemgr.tui.views.billing_ar import ArPanel
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


@pytest.fixture
def office(practice_engine):  # type: ignore[no-untyped-def]
    """Medicare owes $150.00 on an open claim; Ada owes $30.00 from 10 days ago, $50.00 from 45 days ago and, of
    $20.00 from 200 days ago, $10.00 after a $10.00 payment (which paid the oldest first)."""
    with write_session(practice_engine) as session:
        make_claim(session, payer=make_payer(session, name="Medicare"), billed_cents=15_000)
        ada = make_patient(session)
        for days, kind, cents in ((200, EntryKind.sent_to_patient, 2_000), (45, EntryKind.patient_share, 5_000),
                                  (10, EntryKind.patient_share, 3_000), (5, EntryKind.payment, -1_000)):
            session.add(LedgerEntry(patient_id=ada.id, day=TODAY - timedelta(days=days), at=NOW, actor="test",
                                    kind=kind, amount_cents=cents,
                                    method=PayMethod.cash if kind is EntryKind.payment else None))
        session.commit()
    yield practice_engine
    practice_engine.dispose()


def rows(table: DataTable[Any]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def ar_view(pilot) -> ArPanel:  # type: ignore[no-untyped-def]
    await settle(pilot)
    for key in ("5", "v"):
        await pilot.press(key)
        await settle(pilot)
    panel = pilot.app.query_one(ArPanel)
    assert panel.display
    return panel


@pytest.mark.parametrize("size", [SIZE, (80, 24)])
async def test_patient_aging_sits_under_the_payers_with_both_together(office, size) -> None:  # type: ignore[no-untyped-def]
    app = make_app(office, today=TODAY, clock=lambda: NOW, actor="kim")
    async with app.run_test(size=size) as pilot:
        panel = await ar_view(pilot)
        patients = panel.query_one("#patient-aging", DataTable)
        assert rows(patients) == [["Patients", "$30.00", "$50.00", "—", "—", "$10.00", "$90.00"]]
        assert [str(c.label) for c in patients.columns.values()] == ["Owed by", "0–30", "31–60", "61–90", "91–120",
                                                                      "120+", "Total"]
        title = panel.query_one("#patient-title", Label)
        assert str(title.render()) == "Owed by patients, by age of charge · $90.00 · all A/R $240.00"
        assert rows(panel.query_one("#aging", DataTable))[-1][-1] == "$150.00"
        # On screen whole, also at 80x24: the chart gives way on a narrow terminal.
        assert patients.region.bottom <= app.size.height - 2 and title.region.bottom <= patients.region.y
        assert panel.query_one("#ar-chart").display is (size == SIZE)


async def test_without_the_desk_money_only_the_payers_show(office) -> None:  # type: ignore[no-untyped-def]
    # Emergency access to billing: what payers owe, not what patients owe.
    actor = Actor("cal", {UserRole.clinical}, emergency=[Area.billing])
    app = make_app(office, today=TODAY, clock=lambda: NOW, actor=actor)
    async with app.run_test(size=SIZE) as pilot:
        panel = await ar_view(pilot)
        assert not panel.query_one("#patient-aging", DataTable).display
        assert not panel.query_one("#patient-title", Label).display
        assert panel.query_one("#patient-aging", DataTable).row_count == 0
        assert rows(panel.query_one("#aging", DataTable))[-1][-1] == "$150.00"
