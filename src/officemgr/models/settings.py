"""Practice settings: one row per key, the value as JSON (defaults live in services/settings.py)."""

from __future__ import annotations

from sqlmodel import Field

from officemgr.models.base import Versioned


class Setting(Versioned, table=True):
    key: str = Field(primary_key=True, max_length=60)
    value: str = Field(default="null")
