"""Issue 20 item 9: control characters (ESC, BEL, NUL, DEL, C1) and text-direction overrides never reach a terminal.

Every form and input schema refuses them, naming the field and the character; whatever is already stored (another
program's write, a row from before the rule) reads back with them spelled out, in the TUI, in exports and in the
audit viewer, while the database keeps what it holds; CLI messages spell them out and cut a very long line.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select
from textual import events
from textual.widgets import DataTable, Input, Select, Static

from factories import NOW, TODAY, make_patient, make_staff
from officemgr import store
from officemgr.cli import main
from officemgr.cli.options import LINE_CAP, fail, say
from officemgr.models import (
    ClosureCreate,
    EligibilityCheck,
    HuddleFinish,
    Patient,
    PlanCreate,
    Role,
    Staff,
    UserCreate,
)
from officemgr.models.base import FREE_TEXT_COLUMNS, Versioned
from officemgr.services import audit
from officemgr.services.audit import AuditFilter
from officemgr.services.common import record
from officemgr.store import read_session
from officemgr.tui.app import make_app
from officemgr.tui.forms.base import FieldErrors, checked
from officemgr.tui.forms.staff import StaffForm
from test_properties_input import SCHEMAS
from ui_support import SIZE, settle

TITLE_SEQUENCE = "\x1b]0;title\x07"  # sets the terminal's title: ESC ] 0 ; title BEL
SPELLED = "\\x1b]0;title\\x07"

# Every input schema (of models/ and of the services), from the hostile-input baselines, and two they leave out.
MODEL_SCHEMAS = [(schema, values) for schema, values, _ in SCHEMAS]
MODEL_SCHEMAS += [(ClosureCreate, dict(day=TODAY, reason="Staff training")),
                  (HuddleFinish, dict(attendees="Kim, Lee", notes="Flu clinic on Friday")),
                  (UserCreate, dict(login="kim", roles="front_desk", os_user="kimsvc")),
                  (PlanCreate, dict(payer_id=1, member_id="W123", group_number="G1", relationship="spouse",
                                    subscriber_name="Sam Doe")),
                  (EligibilityCheck, dict(result="active", by="portal", note="checked online"))]


# Fields typed as text but parsed into something else (a temperature, a state code, initials): they refuse in their
# own words.
PARSED = {"reading_c", "min_c", "max_c", "state", "initials", "login", "roles"}


def raw_update(engine: Engine, table: str, column: str, value: str, row_id: int) -> None:
    """Write `value` as another program would, past every check of the app."""
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE {table} SET {column} = :value WHERE id = :id"), {"value": value, "id": row_id})


def raw_value(engine: Engine, table: str, column: str, row_id: int) -> str:
    with engine.connect() as conn:
        found: str = conn.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}).scalar_one()
    return found


# --- input --------------------------------------------------------------------------------------------------


def _text_fields(schema: type[Any], values: dict[str, Any]) -> list[str]:
    """The fields that take text (an enum's value is a choice, refused with its own message)."""
    return [name for name, value in values.items() if isinstance(value, str)
            and not (isinstance(schema.model_fields[name].annotation, type)
                     and issubclass(schema.model_fields[name].annotation, enum.Enum))]


@pytest.mark.parametrize(("schema", "values"), MODEL_SCHEMAS, ids=[s.__name__ for s, _ in MODEL_SCHEMAS])
@pytest.mark.parametrize(("char", "words"), [
    ("\x1b", "an escape character (\\x1b)"),
    ("\x07", "a bell character (\\x07)"),
    ("\x7f", "a delete character (\\x7f)"),
    ("\x9b", "a control character (\\x9b)"),  # C1 CSI: starts an escape sequence on its own
    ("\u202e", "a text-direction override (\\u202e)"),
    ("\u2066", "a text-direction override (\\u2066)"),
])
def test_every_text_field_of_every_schema_refuses_the_character_by_name(
        schema: type[Any], values: dict[str, Any], char: str, words: str) -> None:
    for name in _text_fields(schema, values):
        typed = values[name][:1] + char + values[name][1:]
        with pytest.raises(ValidationError) as refused:
            schema.model_validate({**values, name: typed})
        messages = [e["msg"] for e in refused.value.errors() if e["loc"] == (name,)]
        if name in PARSED:  # not text kept as typed: refused as not a temperature or a state
            assert messages, (schema, name)
        else:
            assert messages == [f"Value error, this holds {words}, which cannot be saved; retype it"], (schema, name)


@pytest.mark.parametrize(("schema", "values"), MODEL_SCHEMAS, ids=[s.__name__ for s, _ in MODEL_SCHEMAS])
def test_only_free_text_keeps_line_breaks_and_tabs(schema: type[Any], values: dict[str, Any]) -> None:
    for name in _text_fields(schema, values):
        typed = "1\n\t2"  # short: within every length limit
        if name in FREE_TEXT_COLUMNS:
            assert getattr(schema.model_validate({**values, name: typed}), name) == typed
        else:
            with pytest.raises(ValidationError, match=r"a line break \(\\x0a\)" if name not in PARSED else name):
                schema.model_validate({**values, name: typed})


def test_a_form_refuses_the_character_whatever_schema_it_fills() -> None:
    with pytest.raises(FieldErrors) as refused:
        checked({"number": "A1\x1b[2J", "state": "OH", "expires": TODAY, "kind": None})
    assert refused.value.errors == {"number": "this holds an escape character (\\x1b), which cannot be saved; "
                                              "retype it"}
    assert checked({"number": "A1", "state": "OH"}) == {"number": "A1", "state": "OH"}


async def test_the_staff_form_refuses_a_pasted_title_sequence_next_to_the_field(demo_engine) -> None:  # type: ignore[no-untyped-def]
    def staff_count() -> int:
        with read_session(demo_engine) as session:
            return session.exec(select(func.count()).select_from(Staff)).one()

    before = staff_count()
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3", "a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StaffForm)
        first = form.query_one("#f-first_name", Input)
        first.focus()
        first.post_message(events.Paste(f"Ann{TITLE_SEQUENCE}"))  # pasted: ESC and BEL cannot be typed in a field
        await settle(pilot)
        assert first.value == f"Ann{TITLE_SEQUENCE}"
        form.query_one("#f-last_name", Input).value = "Title"
        form.query_one("#f-role", Select).value = Role.ma
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert str(form.query_one("#e-first_name", Static).render()) == (
            "this holds an escape character (\\x1b), which cannot be saved; retype it")
        assert not str(form.query_one("#e-last_name", Static).render())
    assert staff_count() == before


# --- what is already stored ---------------------------------------------------------------------------------


def test_stored_text_reads_back_spelled_out_and_the_database_keeps_it(engine: Engine) -> None:
    with store.write_session(engine) as session:
        person = make_staff(session)
        patient = make_patient(session)
        ids = (person.id, patient.id)
    raw_update(engine, "staff", "first_name", f"Ann{TITLE_SEQUENCE}\u202eboB", ids[0])
    raw_update(engine, "patient", "note", "called\ttwice\nno answer\x1b[2J", ids[1])
    with read_session(engine) as session:
        assert session.get(Staff, ids[0]).first_name == f"Ann{SPELLED}\\u202eboB"  # type: ignore[union-attr]
        # A note keeps its line breaks and tabs; the ESC is spelled out.
        assert session.get(Patient, ids[1]).note == "called\ttwice\nno answer\\x1b[2J"  # type: ignore[union-attr]
        # Selecting the column alone reads the same, and a query still finds the row by what is stored.
        found = session.exec(select(Staff.first_name).where(Staff.first_name == f"Ann{TITLE_SEQUENCE}\u202eboB"))
        assert found.all() == [f"Ann{SPELLED}\\u202eboB"]
    assert raw_value(engine, "staff", "first_name", ids[0]) == f"Ann{TITLE_SEQUENCE}\u202eboB"


def test_saving_another_field_leaves_the_stored_text_as_it_was(engine: Engine) -> None:
    with store.write_session(engine) as session:
        person_id = make_staff(session).id
    assert person_id is not None
    raw_update(engine, "staff", "first_name", f"Ann{TITLE_SEQUENCE}", person_id)
    with store.write_session(engine) as session:
        person = session.get(Staff, person_id)
        assert person is not None
        person.phone = "(555) 000-1111"
        session.commit()
    assert raw_value(engine, "staff", "first_name", person_id) == f"Ann{TITLE_SEQUENCE}"
    assert raw_value(engine, "staff", "phone", person_id) == "(555) 000-1111"


async def test_a_stored_escape_shows_spelled_out_on_the_staff_tab(demo_engine) -> None:  # type: ignore[no-untyped-def]
    with read_session(demo_engine) as session:
        person = session.exec(select(Staff).where(Staff.active).order_by(Staff.id)).first()
        assert person is not None and person.id is not None
        last_name = person.last_name
    raw_update(demo_engine, "staff", "first_name", f"Ann{TITLE_SEQUENCE}", person.id)
    app = make_app(demo_engine, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        await settle(pilot)
        table = app.query_one("#roster", DataTable)
        cells = [str(getattr(cell, "plain", cell)) for row in range(table.row_count) for cell in table.get_row_at(row)]
        assert any(SPELLED in cell and last_name in cell for cell in cells), cells
        assert not any("\x1b" in cell or "\x07" in cell for cell in cells)
        assert "\x1b" not in app.export_screenshot()


def test_a_stored_escape_is_spelled_out_in_the_payroll_export(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        person_id = make_staff(session).id
    assert person_id is not None
    raw_update(engine, "staff", "first_name", f"Ann{TITLE_SEQUENCE}", person_id)
    engine.dispose()

    assert main(["export", "payroll", "--period", "2026-11-23", "--db", str(path)]) == 0

    out, err = capsys.readouterr()
    assert f"Jones,Ann{SPELLED}," in out
    assert "\x1b" not in out + err and "\x07" not in out + err


def test_the_audit_viewer_spells_out_what_json_decodes(session: Session) -> None:
    # JSON keeps an ESC as \u001b; decoding it gives the raw character back, which the viewer must not show.
    record(session, actor="kim", entity="staff", entity_id=7, action="update",
           changes={"first_name": ["Ann", f"Ann{TITLE_SEQUENCE}"], "odd\u202ename": "x"}, now=NOW)
    session.commit()

    row = audit.audit_page(session, AuditFilter(), actor="tests").rows[0]

    assert row.changes == {"first_name": ["Ann", f"Ann{SPELLED}"], "odd\\u202ename": "x"}
    assert row.summary == f"first_name: Ann → Ann{SPELLED}; odd\\u202ename: x"
    assert audit.field_lines(row)[0] == ("first_name", "Ann", f"Ann{SPELLED}")
    fields = audit.audit_rows(session, TODAY, TODAY, actor="tests")
    assert [(f.field, f.old, f.new) for f in fields] == [("first_name", "Ann", f"Ann{SPELLED}"),
                                                         ("odd\\u202ename", "", "x")]


# --- CLI messages -------------------------------------------------------------------------------------------


def test_fail_spells_out_an_escape_in_a_file_name(capsys) -> None:  # type: ignore[no-untyped-def]
    assert fail(f"cannot read invoices{TITLE_SEQUENCE}.csv") == 1
    assert capsys.readouterr().err == f"officemgr: cannot read invoices{SPELLED}.csv\n"


def test_a_carriage_return_or_tab_in_a_file_name_cannot_overwrite_the_line(capsys) -> None:  # type: ignore[no-untyped-def]
    assert fail("cannot read in\rvoices\t.csv\nline two") == 1
    assert capsys.readouterr().err == "officemgr: cannot read in\\x0dvoices\\x09.csv\nline two\n"
    say("Backed up office.db to usb/\x1b[2Jcopy.db.")
    assert capsys.readouterr().out == "Backed up office.db to usb/\\x1b[2Jcopy.db.\n"


def test_fail_keeps_the_lines_of_a_listed_refusal_and_cuts_a_very_long_one(capsys) -> None:  # type: ignore[no-untyped-def]
    fail("items.csv: nothing was imported; 2 of 2 lines have problems:\nline 2: name: " + "x" * 5000
         + "\nline 3: \u202egpj.exe")
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "officemgr: items.csv: nothing was imported; 2 of 2 lines have problems:"
    assert lines[1] == "line 2: name: " + "x" * (LINE_CAP - len("line 2: name: ") - 1) + "…"
    assert lines[2] == "line 3: \\u202egpj.exe"


def test_fail_keeps_a_restore_hint_with_two_long_paths_whole(capsys) -> None:  # type: ignore[no-untyped-def]
    folder = "/home/office/" + "practice records/" * 20
    hint = f"restore the newest good backup with officemgr restore {folder}backups/office.db --db {folder}office.db"
    fail(hint)
    assert capsys.readouterr().err == f"officemgr: {hint}\n"


def test_a_bad_option_echoes_its_value_spelled_out(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as stopped:
        main(["export", "payroll", "--period", f"2026{TITLE_SEQUENCE}"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert SPELLED in err and "\x1b" not in err


def _subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *_subclasses(direct)}}


def test_the_walk_covers_every_input_schema_of_the_models() -> None:
    """A schema added to models/ without a baseline here would go unchecked."""
    schemas = {cls for cls in _subclasses(SQLModel) if cls.__module__.startswith("officemgr.models.")
               and getattr(cls, "__table__", None) is None and not cls.__name__.endswith("Base")} - {Versioned}
    assert schemas <= {schema for schema, _ in MODEL_SCHEMAS}
