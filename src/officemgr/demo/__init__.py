"""Deterministic demo data: a small primary-care practice, every date relative to `today`.

`fill(engine, today=..., seed=..., scale=...)` writes people, schedule, roster, inventory, claims and the
compliance history of a practice into an empty database. The same seed and `today` always give the same
rows: each area draws from its own `random.Random` seeded from (seed, area), so changing one area does
not reshuffle the others. Rows are written as plain dicts with Core bulk inserts, explicit ids, all in one
transaction.

The areas live in their own modules (`people`, `schedule`, `frontdesk`, `inventory`, `equipment`, `billing`,
`staffing`, `compliance`), each exposing an `_add_*` step that `fill` below calls in order; `_db` writes rows and
`_types` holds what they share.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time

from sqlalchemy import text
from sqlalchemy.engine import Engine

from officemgr import claim_journal
from officemgr.checklist import checklist_path, load_checklist
from officemgr.demo._db import _refuse_if_filled, _transaction
from officemgr.demo._types import DEMO_NOW, SCALES, DemoSummary, Scale
from officemgr.demo.audit import _add_audit_trail
from officemgr.demo.billing import _add_claims
from officemgr.demo.checklists import _add_checklists
from officemgr.demo.compliance import _add_compliance, _add_policies
from officemgr.demo.concerns import _add_concerns
from officemgr.demo.desk import _add_desk
from officemgr.demo.equipment import _add_equipment
from officemgr.demo.evaluations import _add_evaluations_and_meetings
from officemgr.demo.finance import _add_finance
from officemgr.demo.frontdesk import _add_frontdesk
from officemgr.demo.hiring import _add_hiring
from officemgr.demo.inventory import _add_inventory
from officemgr.demo.leave import _add_leave
from officemgr.demo.payables import _add_payables
from officemgr.demo.people import _add_credentials, _add_patients, _add_shifts, _add_staff, _add_time_off
from officemgr.demo.schedule import _add_appointments, _add_templates
from officemgr.demo.staffing import _add_staffing
from officemgr.demo.timeclock import _add_punches
from officemgr.demo.users import _add_users
from officemgr.demo.vaccine import _add_vaccine_storage
from officemgr.transfer import sync_sequences

__all__ = ["DEMO_NOW", "SCALES", "DemoSummary", "Scale", "fill"]


DEMO_PRACTICE = {"name": "Maple Street Family Medicine", "address": "1200 Maple St, Columbus, OH 43215",
                 "phone": "(614) 555-0100"}


def fill(engine: Engine, *, today: date, seed: int = 1, scale: str = "small") -> DemoSummary:
    """Fill an empty practice database with demo data; refuse one that already has patients."""
    if scale not in SCALES:
        raise ValueError(f"unknown demo scale '{scale}' (use one of: {', '.join(SCALES)})")
    plan = SCALES[scale]
    checklist = load_checklist(checklist_path())

    def rng(area: str) -> random.Random:
        return random.Random(f"{seed}:{area}")

    summary = DemoSummary()
    # One transaction: a run that fails or is killed midway leaves no half-built practice behind.
    with _transaction(engine) as conn:
        _refuse_if_filled(conn)
        staff = _add_staff(conn, rng("staff"), plan, today, summary)
        patients = _add_patients(conn, rng("patients"), plan.patients, today, summary)
        _add_credentials(conn, rng("credentials"), staff, today, summary)
        off_days = _add_time_off(conn, rng("time_off"), staff, plan, today, summary)
        _add_shifts(conn, staff, plan, today, off_days, summary)
        _add_templates(conn, staff, plan, today, summary)
        _add_appointments(conn, rng("appointments"), staff, patients, plan, today, summary)
        _add_frontdesk(conn, rng("frontdesk"), staff, patients, today, summary)
        _add_inventory(conn, rng("inventory"), staff, today, summary)
        _add_equipment(conn, rng("equipment"), staff, today, summary)
        _add_claims(conn, rng("claims"), staff, patients, plan, today, summary)
        _add_desk(conn, rng("desk"), staff, patients, today, summary)
        # Each claim's dated postings (the A/R journal), from the totals the claims step wrote; before the close.
        claim_journal.backfill_claims(conn, at=datetime.combine(today, time(7, 0)), actor="demo")
        # Evaluations and payer enrollment: after the claims step, which creates the payers.
        _add_staffing(conn, rng("staffing"), staff, today, summary)
        _add_compliance(conn, rng("compliance"), checklist, staff, today, summary)
        _add_policies(conn, rng("policies"), staff, today, summary)
        for table, count in _add_vaccine_storage(conn, rng("vaccine"), staff, today).items():
            setattr(summary, table, getattr(summary, table) + count)
        summary.concerns += _add_concerns(conn, rng("concerns"), today)
        _add_hiring(conn, rng("hiring"), staff, today)
        summary.evaluations -= _add_checklists(conn, rng("checklists"), staff, today)
        summary.evaluations += _add_evaluations_and_meetings(conn, rng("evaluations"), staff, today)
        _add_leave(conn, rng("leave"), staff, today)
        _add_punches(conn, rng("timeclock"), staff, today)
        _add_payables(conn, rng("payables"), staff, plan, today, summary)
        _add_finance(conn, rng("finance"), staff, plan, today)
        _add_users(conn, staff, summary)
        # Made-up patients: the app opens signed in as the demo manager (ctrl+l shows the sign-in screen).
        conn.exec_driver_sql("INSERT INTO setting (key, value, version) VALUES ('demo_data', 'true', 1)")
        # The name and address statements and receipts are printed under.
        conn.execute(text("INSERT INTO setting (key, value, version) VALUES ('practice', :value, 1)"),
                     {"value": json.dumps(DEMO_PRACTICE)})
        summary.audit_events = _add_audit_trail(conn)
        sync_sequences(conn)
    return summary
