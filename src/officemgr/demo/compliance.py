"""Compliance tasks from the checklist and their completion history, phased so some are due or overdue."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from officemgr.checklist import ChecklistRow
from officemgr.demo._db import (
    DEMO_CALENDAR,
    _at,
    _ensure_named,
    _insert,
    _lot_number,
    _open,
    _open_on_or_after,
    _with_ids,
    _working_time,
)
from officemgr.demo._types import DemoSummary, Person, Row
from officemgr.models import ComplianceCompletion, ComplianceTask
from officemgr.models.base import table_of
from officemgr.models.lifecycle import PolicySignature, PolicyVersion
from officemgr.models.people import CorrectiveAction, CorrectiveKind, Role, Staff
from officemgr.services.compliance import due_dates, is_temperature_log

# ------------------------------------------------------------------------------------------ compliance

# How far back each kind of rule's history reaches.
HISTORY_DAYS = {"DAILY": 365, "WEEKLY": 365, "MONTHLY": 730, "YEARLY": 3 * 365}
LATE_CHANCE = 0.1


def _add_compliance(conn: Connection, rng: random.Random, checklist: list[ChecklistRow], staff: list[Person],
                    today: date, summary: DemoSummary) -> None:
    """Tasks from the checklist with anchors in the past, and a history in which a few are overdue today
    and a few are due today (plain yearly/monthly rules are phased to make that so)."""
    plain = [row.title for row in checklist if _is_plain(row.rrule)]
    yearly = [t for t in plain if "YEARLY" in _rule_of(checklist, t)]
    monthly = [t for t in plain if "MONTHLY" in _rule_of(checklist, t)]
    overdue = rng.sample(monthly, min(2, len(monthly))) + rng.sample(yearly, min(1, len(yearly)))
    candidates = [t for t in yearly if t not in overdue]
    due_today = rng.sample(candidates, min(1, len(candidates)))
    phases: dict[str, int] = {}
    for title in plain:
        if title in overdue:
            phases[title] = -rng.randint(3, 20)
        elif title in due_today:
            phases[title] = 0
        elif title in monthly:
            phases[title] = rng.randint(2, 27)
        else:
            phases[title] = rng.randint(20, 330)
    anchors = {row.title: _anchor(row.rrule, today, phases.get(row.title)) for row in checklist}
    task_ids = _ensure_tasks(conn, checklist, anchors, summary)
    rows: list[Row] = []
    for row in checklist:
        if is_temperature_log(row.title):
            continue  # done by the readings the vaccine log writes (demo.vaccine), its one source of truth
        missed_from = today + timedelta(days=phases[row.title]) if row.title in overdue else today
        for due in _occurrences(row.rrule, anchors[row.title], missed_from):
            rows.append(_completion(rng, row, due, today, staff, task_ids[row.title]))
    rows.sort(key=lambda r: (r["done_at"], r["task_id"]))
    summary.compliance_completions = _insert(conn, ComplianceCompletion, _with_ids(conn, ComplianceCompletion, rows))


def _rule_of(checklist: list[ChecklistRow], title: str) -> str:
    return next(row.rrule for row in checklist if row.title == title).upper()


def _is_plain(rule: str) -> bool:
    """A rule without BY* parts repeats on its anchor's day, so the anchor sets when it falls due."""
    upper = rule.upper()
    return "BY" not in upper and ("YEARLY" in upper or "MONTHLY" in upper)


def _freq(rule: str) -> str:
    match = re.search(r"FREQ=(\w+)", rule.upper())
    return match.group(1) if match else "YEARLY"


def _interval(rule: str) -> int:
    match = re.search(r"INTERVAL=(\d+)", rule.upper())
    return int(match.group(1)) if match else 1


def _anchor(rule: str, today: date, phase: int | None) -> date:
    freq = _freq(rule)
    earliest = today - timedelta(days=HISTORY_DAYS.get(freq, 3 * 365) * _interval(rule))
    if phase is None:  # BY* rules: the first occurrence on or after the start of the history
        found = rrulestr(rule, dtstart=datetime.combine(earliest, time.min)).after(
            datetime.combine(earliest, time.min), inc=True)
        return found.date() if found else earliest
    target = today + timedelta(days=phase)
    if freq == "MONTHLY":
        target = target.replace(day=min(target.day, 28))  # every month has the day
        step = relativedelta(months=_interval(rule))
    else:
        if (target.month, target.day) == (2, 29):
            target -= timedelta(days=1)
        step = relativedelta(years=_interval(rule))
    anchor = target
    while anchor > earliest:
        anchor -= step
    return anchor


def _occurrences(rule: str, anchor: date, before: date) -> list[date]:
    """The duty's due dates from its anchor to the day before `before`, on the demo practice's calendar."""
    if anchor >= before:
        return []
    return due_dates(rule, anchor, anchor, before - timedelta(days=1), DEMO_CALENDAR)


def _ensure_tasks(conn: Connection, checklist: list[ChecklistRow], anchors: dict[str, date],
                  summary: DemoSummary) -> dict[str, int]:
    table = table_of(ComplianceTask)
    existing = set(conn.execute(select(table.c.title)).scalars())
    rows: list[Row] = [{"title": row.title, "category": row.category.value, "rrule": row.rrule,
                        "anchor": anchors[row.title], "evidence": row.evidence, "owner_role": row.owner_role,
                        "active": True} for row in checklist]
    ids, summary.compliance_tasks = _ensure_named(conn, ComplianceTask, rows, key="title")
    # Tasks that were already there (a checklist loaded at setup) take the demo's anchors and rules.
    for row in (r for r in rows if r["title"] in existing):
        conn.execute(update(table).where(table.c.id == ids[row["title"]])
                     .values(anchor=row["anchor"], rrule=row["rrule"]))
    return ids


def _completion(rng: random.Random, row: ChecklistRow, due: date, today: date, staff: list[Person],
                task_id: int) -> Row:
    daily = _freq(row.rrule) == "DAILY"
    done_day = due
    if not _open(done_day):
        done_day = _open_on_or_after(done_day)
    elif not daily and rng.random() < LATE_CHANCE:
        done_day += timedelta(days=rng.randint(1, 3))
    if done_day >= today:
        done_day = due
    doers = [p for p in staff if p.role.value == row.owner_role] or staff
    doer = rng.choice(doers)
    reading, evidence = _evidence(rng, row, due)
    return {
        "task_id": task_id,
        "due_date": due,
        "done_at": _at(done_day, rng.randrange(7 * 60 + 40, 8 * 60 + 20)) if daily else _working_time(rng, done_day),
        "done_by": doer.initials if daily else doer.name,
        "evidence": evidence,
        "reading": reading,
        "corrects_id": None,
    }


def _evidence(rng: random.Random, row: ChecklistRow, due: date) -> tuple[str, str]:
    """(reading, evidence) in the words a practice would log them."""
    title = row.title.lower()
    if "spore" in title:
        return "", f"BI lot {_lot_number(rng)}: test negative, control positive (pass)"
    if "eyewash" in title and "weekly" in title:
        return "", "Flushed 3 minutes; water clear and tepid"
    if "aed" in title:
        return "", "Status light green; pads and battery in date"
    if "drug kit" in title:
        return "", "All items present; expiry dates logged"
    if "leie" in title or "exclusion" in title:
        return "", f"LEIE search saved {due:%Y-%m-%d}: no matches"
    if "fire extinguisher" in title and "monthly" in title:
        return "", "Gauge in green, pin and seal intact; tag initialled"
    return "", f"{row.evidence} ({due:%b %Y})"[:500]


# The written policies a small practice keeps, reviewed yearly: (title, area, owner role).
POLICIES = (
    ("HIPAA privacy policy", "hipaa", "manager"),
    ("HIPAA security policy", "hipaa", "manager"),
    ("Bloodborne pathogens exposure control plan (policy)", "osha", "nurse"),
    ("Emergency and fire evacuation plan", "safety", "manager"),
    ("Vaccine storage and handling plan", "cdc", "nurse"),
)


def _add_policies(conn: Connection, rng: random.Random, staff: list[Person], today: date,
                  summary: DemoSummary) -> None:
    """The policy register: each reviewed within the last year, one review overdue, one due this month."""
    manager = next((p for p in staff if p.role.value == "manager"), staff[0])
    offsets = [-400, -340, -200, -120, -30]  # days since the last review; -400 is overdue by a month
    tasks, reviews = [], []
    for (title, area, role), since in zip(POLICIES, offsets, strict=True):
        reviewed = today + timedelta(days=since)
        tasks.append({"title": title, "category": area, "rrule": "FREQ=YEARLY", "anchor": reviewed,
                      "evidence": "Reviewed and signed policy", "owner_role": role, "owner": manager.name,
                      "active": True, "is_policy": True, "version": 1})
        reviews.append((title, reviewed))
    ids, added = _ensure_named(conn, ComplianceTask, tasks, key="title")
    summary.compliance_tasks += added
    rows = [{"task_id": ids[title], "due_date": reviewed, "done_by": manager.initials,
             "done_at": datetime.combine(reviewed, time(16, rng.randrange(60))),
             "evidence": "Reviewed; no changes needed" if rng.random() < 0.7 else "Reviewed; updated contact list",
             "reading": "", "corrects_id": None} for title, reviewed in reviews]
    summary.compliance_completions += _insert(conn, ComplianceCompletion, _with_ids(conn, ComplianceCompletion, rows))
    _add_policy_versions(conn, rng, ids, reviews, staff, manager, today)


def _add_policy_versions(conn: Connection, rng: random.Random, ids: dict[str, int], reviews: list[tuple[str, date]],
                         staff: list[Person], manager: Person, today: date) -> None:
    """Each policy's v1 (from its last review) signed by everyone; the HIPAA privacy policy's v2, effective 10
    days ago, signed by all but two (one the front desk's demo sign-in); the written warning names the privacy
    policy."""
    staff_table = table_of(Staff)
    hired = {sid: day for sid, day in conn.execute(select(staff_table.c.id, staff_table.c.hire_date))}
    versions: list[Row] = [{"task_id": ids[title], "label": "v1", "effective": reviewed, "created_on": reviewed,
                            "created_by": manager.name, "summary": "The policy as adopted", "roles": "",
                            "document": f"policies/{re.sub(r'[^a-z]+', '-', title.lower()).strip('-')}-v1.pdf",
                            "version": 1} for title, reviewed in reviews]
    privacy = ids[POLICIES[0][0]]
    versions.append({"task_id": privacy, "label": "v2", "effective": today - timedelta(days=10),
                     "created_on": today - timedelta(days=14), "created_by": manager.name, "roles": "",
                     "summary": "Adds texting patients and the patient portal: what may be sent, and how",
                     "document": "policies/hipaa-privacy-policy-v2.pdf", "version": 1})
    versions = _with_ids(conn, PolicyVersion, versions)
    _insert(conn, PolicyVersion, versions)
    # The front desk's demo sign-in is one of the two (its Huddle asks it to sign), and one other.
    desk = next((p.id for p in staff if p.role is Role.front_desk), None)
    pending = {desk} if desk is not None else set()
    others = sorted(sid for sid in hired if sid not in pending and sid != manager.id)
    pending |= set(rng.sample(others, 2 - len(pending)))
    names = {p.id: p.name for p in staff}  # each signed for themselves
    signatures: list[Row] = []
    for version in versions:
        for sid, hire in sorted(hired.items()):
            if version["label"] == "v2" and sid in pending:
                continue
            start = max(version["effective"], hire or version["effective"])
            signed = min(today, start + timedelta(days=rng.randint(0, 9)))
            signatures.append({"version_id": version["id"], "staff_id": sid, "signed_on": signed,
                               "recorded_by": names.get(sid, manager.name)})
    _insert(conn, PolicySignature, _with_ids(conn, PolicySignature, signatures))
    warnings = table_of(CorrectiveAction)
    conn.execute(update(warnings).where(warnings.c.kind == CorrectiveKind.written_warning.value)
                 .values(policy_task_id=privacy))
