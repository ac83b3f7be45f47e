"""The practice's own closed days and half days, beside the federal holidays the `holidays` package knows."""

from __future__ import annotations

from datetime import date, time

from pydantic import NaiveDatetime, field_validator, model_validator
from sqlmodel import Field, SQLModel

from officemgr.models.validation import require_text


class ClosureBase(SQLModel):
    day: date
    # None: the whole practice; else only this provider is out (a conference day, a provider's own closure).
    provider_id: int | None = Field(default=None, foreign_key="staff.id")
    # None: closed all day; else the practice closes at this time (a half day).
    closes_at: time | None = None
    reason: str = Field(max_length=120)


class Closure(ClosureBase, table=True):
    __tablename__ = "practice_closure"
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    at: NaiveDatetime
    actor: str = Field(default="", max_length=60)


class ClosureCreate(ClosureBase):
    _reason = field_validator("reason")(require_text)

    @model_validator(mode="after")
    def _half_day_ends_in_the_day(self) -> ClosureCreate:
        if self.closes_at is not None and not time(6) <= self.closes_at <= time(20):
            raise ValueError("a half day closes between 06:00 and 20:00, e.g. 12:00")
        return self
