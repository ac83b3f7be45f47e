"""Shared column helpers: enums stored by value with a CHECK constraint, and the version column."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Column, Table, inspect
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel


def _enum_type(enum_cls: type[enum.Enum]) -> SAEnum:
    return SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        length=max(len(m.value) for m in enum_cls),
        name=f"ck_{enum_cls.__name__.lower()}",
    )


def nullable_enum(enum_cls: type[enum.Enum]) -> Column[str | enum.Enum]:
    return Column(_enum_type(enum_cls), nullable=True)


def enum_field(enum_cls: type[enum.Enum], *, default: Any = None, index: bool = False) -> Any:
    """A column that stores an enum by its value (readable in SQL) and refuses anything else."""
    column: Column[str | enum.Enum] = Column(_enum_type(enum_cls), nullable=False, index=index)
    if default is None:
        return Field(sa_column=column)
    return Field(default=default, sa_column=column)


class Versioned(SQLModel):
    """Every editable row carries a version, bumped on each update, so stale edits can be refused."""

    version: int = Field(default=1, nullable=False)


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model, for bulk inserts and DDL events (SQLModel's classes do not declare
    `__table__` to a type checker)."""
    table = inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


# Free text (notes) may hold line breaks and tabs; every other text may not.
FREE_TEXT_COLUMNS = frozenset({"note", "notes", "text", "detail", "resolution", "evidence", "portal_note",
                               "close_note"})
