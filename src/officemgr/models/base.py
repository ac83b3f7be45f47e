"""Shared column helpers: enums stored by value with a CHECK constraint, the version column, and text columns that
read back with control characters spelled out."""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from sqlalchemy import Column, Dialect, MetaData, Table, inspect
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from officemgr.plaintext import visible

# Set before any model class exists (the package imports this module first): each model builds its pydantic validator
# and serializer when first used (a validation, a model_dump) rather than when defined. Table rows are made by
# SQLAlchemy and by services without validation, so a start builds few of them, and none before the first screen.
SQLModel.model_config["defer_build"] = True


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


# Free text (notes) may hold line breaks and tabs: input takes them and reading keeps them. Any other text refuses
# them, and shows one already stored spelled out.
FREE_TEXT_COLUMNS = frozenset({"note", "notes", "text", "detail", "resolution", "evidence", "portal_note",
                               "close_note", "competencies", "employee_comments", "agenda", "minutes"})
# JSON documents: json.dumps writes every control character as an escape, and their readers decode them and show
# the decoded values (the audit viewer); spelling out a character inside one would break the JSON.
JSON_COLUMNS = frozenset({("audit_event", "changes"), ("huddle", "snapshot"), ("setting", "value"),
                          ("remittance_claim", "adjustments")})


class ShownText(AutoString):
    """A text column whose values read back through SQLAlchemy with control and bidi characters spelled out
    (ESC as the four characters \\x1b), so text stored before input refused them, or written by another program,
    never acts on a terminal or a page. What is stored is unchanged, and so is what a query compares with."""

    cache_ok = True

    def __init__(self, length: int | None = None, free_text: bool = False) -> None:
        super().__init__(length)
        self.free_text = free_text

    def result_processor(self, dialect: Dialect, coltype: object) -> Callable[[str | None], str | None]:
        # Called for every text value read, so the common case is one C call: printable text has nothing to show.
        free_text = self.free_text

        def shown(value: str | None) -> str | None:
            if value is None or value.isprintable():
                return value
            return visible(value, free_text=free_text)

        driver = super().result_processor(dialect, coltype)
        if driver is not None:  # none of the drivers in use converts text; one that did would go first
            return lambda value: shown(driver(value))
        return shown


def show_text_visibly(metadata: MetaData) -> None:
    """Give every plain text column of `metadata` the ShownText type (same length, same DDL). Primary keys keep
    theirs: a row's key must read back as stored, or the row could not be found again to update it."""
    for table in metadata.tables.values():
        for column in table.columns:
            text = column.type
            if type(text) is AutoString and not column.primary_key and (table.name, column.name) not in JSON_COLUMNS:
                column.type = ShownText(text.length, free_text=column.name in FREE_TEXT_COLUMNS)
