"""The tui core: a form saves through the call its view hands it, and every outcome of database work comes back as
one message, handled once (Textual runs an `on_` handler of each class in the MRO, so a doubled handler shows
an error twice)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from sqlmodel import select
from textual.widgets import Input, Static

from officemgr.models import AuditEvent
from officemgr.services.common import ServiceError
from officemgr.tui.app import make_app
from officemgr.tui.context import AppContext
from officemgr.tui.dbwork import Session
from officemgr.tui.forms.base import FieldSpec, RecordForm
from ui_support import SIZE, TODAY, settle

NOW = datetime.combine(TODAY, time(10, 30))


class Note(BaseModel):
    text: str


class NoteForm(RecordForm[Note]):
    FORM_TITLE = "A note"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("text", "Text")]

    def build(self, values: dict[str, Any]) -> Note:
        return Note.model_validate(values)


def recording_app(engine) -> tuple[Any, list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    app = make_app(engine, today=TODAY, clock=lambda: NOW, actor="kim")
    said: list[tuple[str, str]] = []
    app.notify = lambda message, severity="information", **_: said.append((message, severity))  # type: ignore[method-assign]
    return app, said


async def save_a_note(pilot: Any, save: Any, text: str) -> tuple[NoteForm, list[bool | None]]:
    """Open a NoteForm with `save`, type `text`, press ctrl+s; the form and what it closed with (if it did)."""
    await settle(pilot)
    closed: list[bool | None] = []
    form = NoteForm(pilot.app.ctx, save)
    pilot.app.push_screen(form, closed.append)
    await settle(pilot)
    form.query_one("#f-text", Input).value = text
    await pilot.press("ctrl+s")
    await settle(pilot)
    return form, closed


async def test_a_refused_save_shows_in_the_form_once_and_saves_nothing(sqlite_demo_engine) -> None:
    app, said = recording_app(sqlite_demo_engine)

    def save(session: Session, note: Note) -> None:
        session.add(AuditEvent(at=NOW, actor="kim", entity="note", entity_id=1, action="create", changes="{}"))
        session.flush()
        raise ServiceError(f"no notes about {note.text}")

    async with app.run_test(size=SIZE) as pilot:
        form, closed = await save_a_note(pilot, save, "[b]bold[/b]")
        assert app.screen is form and closed == []
        assert str(form.query_one("#form-error", Static).render()) == "no notes about [b]bold[/b]"
        assert said == []  # in the form, not also as a notification
    with Session(sqlite_demo_engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.entity == "note")).first() is None  # rolled back


async def test_a_save_hands_its_result_to_the_view_and_closes_the_form(sqlite_demo_engine) -> None:
    app, said = recording_app(sqlite_demo_engine)
    seen: list[tuple[str, AppContext]] = []

    def save(session: Session, note: Note) -> int:
        seen.append((note.text, app.ctx))
        return 42

    async with app.run_test(size=SIZE) as pilot:
        form, closed = await save_a_note(pilot, save, "call back")
    assert closed == [True] and form.result == 42 and said == []
    assert seen == [("call back", app.ctx)] and app.ctx.now() == NOW


async def test_a_failed_read_in_a_tab_says_so_once(sqlite_demo_engine) -> None:
    app, said = recording_app(sqlite_demo_engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        view = app.view("huddle")

        def broken(session: Session) -> None:
            raise OperationalError("SELECT", {}, Exception("disk I/O error"))

        view.read(broken, lambda _: None)
        await settle(pilot)
    assert said == [("Could not read the database (OperationalError); try again, or restart officemgr.", "error")]


class TwoFields(BaseModel):
    first: str
    second: str


class TwoFieldForm(RecordForm[TwoFields]):
    FORM_TITLE = "Two fields"

    def fields(self) -> list[FieldSpec]:
        return [FieldSpec("first", "First"), FieldSpec("second", "Second")]

    def build(self, values: dict[str, Any]) -> TwoFields:
        return TwoFields.model_validate(values)


async def test_the_focused_field_is_bold_so_it_shows_on_any_terminal(sqlite_demo_engine) -> None:
    app, _ = recording_app(sqlite_demo_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        form = TwoFieldForm(app.ctx, lambda session, model: None)
        app.push_screen(form)
        await settle(pilot)
        fields = [form.query_one("#f-first", Input), form.query_one("#f-second", Input)]
        assert [bool(field.rich_style.bold) for field in fields] == [True, False]
        await pilot.press("tab")
        await settle(pilot)
        assert [bool(field.rich_style.bold) for field in fields] == [False, True]
