"""The audit trail: one row per write, in the same transaction as the write."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(index=True)
    actor: str = Field(max_length=60)
    entity: str = Field(max_length=40)
    entity_id: int
    action: str = Field(max_length=20)
    # JSON object of changed fields: {"field": [old, new]} for updates, {"field": new} for creates.
    changes: str = Field(default="{}")
