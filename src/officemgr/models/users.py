"""Who may sign in: a staff member's login, personal PIN (argon2id hash) and roles.

The PIN hash and the wrong-PIN count live on the row, so the wait after wrong PINs is per person and outlives a
restart, on SQLite and on a shared PostgreSQL server alike. A disabled user keeps the row: the audit log and every
record's history still name them.
"""

from __future__ import annotations

import enum
import re

from pydantic import NaiveDatetime, field_validator
from sqlmodel import Field, SQLModel

from officemgr.models.base import Versioned
from officemgr.models.validation import strip_text


class UserRole(str, enum.Enum):
    """What a person may do (not their job: a medical assistant who also bills holds clinical and biller)."""

    manager = "manager"
    front_desk = "front_desk"
    biller = "biller"
    clinical = "clinical"
    auditor = "auditor"

    @property
    def label(self) -> str:
        return USER_ROLE_LABELS[self]


USER_ROLE_LABELS = {
    UserRole.manager: "manager",
    UserRole.front_desk: "front desk",
    UserRole.biller: "biller",
    UserRole.clinical: "clinical",
    UserRole.auditor: "read-only (auditor)",
}

LOGIN_PATTERN = re.compile(r"[a-z][a-z0-9._-]{1,29}")


def parse_roles(text: str) -> frozenset[UserRole]:
    """'biller, clinical' -> the roles; refuses an unknown name with the list of known ones."""
    names = [part.strip().lower().replace(" ", "_").replace("-", "_") for part in text.split(",") if part.strip()]
    if not names:
        raise ValueError("give at least one role: " + ", ".join(r.value for r in UserRole))
    known = {r.value: r for r in UserRole} | {"frontdesk": UserRole.front_desk}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"no role named {unknown[0]!r}; the roles are " + ", ".join(r.value for r in UserRole))
    return frozenset(known[n] for n in names)


def roles_text(roles: frozenset[UserRole] | set[UserRole]) -> str:
    """As stored: the values in the enum's order, comma separated."""
    return ",".join(r.value for r in UserRole if r in roles)


def clean_login(value: str) -> str:
    login = (value or "").strip().lower()
    if not LOGIN_PATTERN.fullmatch(login):
        raise ValueError("a login is 2 to 30 letters, digits, '.', '_' or '-', starting with a letter (e.g. 'kim')")
    return login


class UserAccount(Versioned, table=True):
    __tablename__ = "user_account"
    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=30, unique=True)
    # The person: a staff record (None only for an account migrated from a practice PIN with no manager on staff).
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    name: str = Field(max_length=121)  # as shown at the sign-in screen (the staff member's name when created)
    roles: str = Field(max_length=80)  # comma-separated UserRole values
    pin_hash: str = Field(max_length=200)
    # The operating-system account that may act as this user without a PIN (as PostgreSQL's peer authentication).
    os_user: str | None = Field(default=None, max_length=64, unique=True)
    active: bool = True
    failures: int = 0  # wrong PINs in a row
    wait_until: NaiveDatetime | None = None  # no sign-in before this (the wait the failures started)


class UserCreate(SQLModel):
    login: str
    roles: frozenset[UserRole]
    os_user: str | None = None

    @field_validator("login", mode="before")
    @classmethod
    def _login(cls, value: str) -> str:
        return clean_login(value)

    @field_validator("os_user", mode="before")
    @classmethod
    def _os_user(cls, value: str | None) -> str | None:
        return strip_text(value) or None

    @field_validator("roles", mode="before")
    @classmethod
    def _roles(cls, value: object) -> object:
        if isinstance(value, str):
            return parse_roles(value)
        if not value:
            raise ValueError("give at least one role")
        return value
