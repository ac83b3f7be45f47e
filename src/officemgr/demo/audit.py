"""The demo's audit log: the events the app would have written for the history the demo made up.

Claims' status changes and follow-up notes and appointments' status changes are replayed as audit events,
so the audit viewer (and its paging, on the large demo) shows a practice's real volume.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Connection

from officemgr import audit_chain
from officemgr.demo._db import _insert, _with_ids
from officemgr.demo._types import Row
from officemgr.models import AppointmentEvent, AuditEvent, ClaimEvent, ClaimNote
from officemgr.models.base import table_of


def _add_audit_trail(conn: Connection) -> int:
    rows: list[Row] = []
    claim_events = table_of(ClaimEvent).c
    for at, actor, claim_id, old, new, paid in conn.execute(select(
            claim_events.at, claim_events.actor, claim_events.claim_id, claim_events.from_status,
            claim_events.to_status, claim_events.amount_cents)):
        changes: dict[str, object] = {"status": [old, new]}
        if paid:
            changes["payment_cents"] = paid
        rows.append(_event(at, actor, "claim", claim_id, "status", changes))
    notes = table_of(ClaimNote).c
    for note_id, at, actor, claim_id, action in conn.execute(select(
            notes.id, notes.at, notes.actor, notes.claim_id, notes.action)):
        rows.append(_event(at, actor, "claim", claim_id, "note", {"action": action, "note_id": note_id}))
    visits = table_of(AppointmentEvent).c
    for at, actor, appointment_id, old, new in conn.execute(select(
            visits.at, visits.actor, visits.appointment_id, visits.from_status, visits.to_status)):
        rows.append(_event(at, actor, "appointment", appointment_id, "status", {"status": [old, new]}))
    rows.sort(key=lambda row: row["at"])
    # Ids given here, so each event's hash chains to the one its id follows (audit_chain), after any already there.
    _with_ids(conn, AuditEvent, rows)
    events = table_of(AuditEvent).c
    last = conn.execute(select(events.hash).order_by(events.id.desc()).limit(1)).scalar()
    previous = audit_chain.GENESIS if last is None else last
    for row in rows:
        row["hash"] = previous = audit_chain.event_hash(previous, row["at"], row["actor"], row["entity"],
                                                        row["entity_id"], row["action"], row["changes"])
    return _insert(conn, AuditEvent, rows)


def _event(at: datetime, actor: str, entity: str, entity_id: int, action: str, changes: dict[str, object]) -> Row:
    return {"at": at, "actor": actor, "entity": entity, "entity_id": entity_id, "action": action,
            "changes": json.dumps(changes, sort_keys=True)}
