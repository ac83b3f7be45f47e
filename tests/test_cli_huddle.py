"""`officemgr huddle`: the sheet to standard output, .md, .html or both; names masked; exports logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from factories import TODAY, at, make_appointment, make_patient, make_staff
from officemgr import store
from officemgr.cli import main
from officemgr.models import ApptStatus, AuditEvent
from officemgr.models.huddle import ActionCreate
from officemgr.services import huddle_actions

FRIDAY = TODAY.replace(day=20)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A practice with a no-show last Friday (Ada Lovelace) and one open action for Mary Jones."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        patient = make_patient(session, first_name="Ada", last_name="Lovelace")
        make_appointment(session, patient=patient, start=at(9, day=FRIDAY), status=ApptStatus.no_show)
        mary = make_staff(session)
        huddle_actions.add_action(session, ActionCreate(what="Call Ada back", owner_id=mary.id, due=TODAY),
                                  today=FRIDAY, now=at(8, day=FRIDAY), actor="manager")
    engine.dispose()
    return path


def exports(path: Path) -> list[AuditEvent]:
    engine = store.open_database(path=path)
    try:
        with store.read_session(engine) as session:
            return list(session.exec(select(AuditEvent).where(AuditEvent.entity == "export")))
    finally:
        engine.dispose()


def test_markdown_to_stdout_with_initials(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["huddle", "--db", str(db), "--today", TODAY.isoformat()]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("# Daily huddle — Monday 11/23/2026")
    assert "Appointments" in out and "## Yesterday" in out and "no-show Fri 11/20" in out
    assert "Lovelace" not in out and "09:00 A.L. 46 " in out
    assert "- Mary Jones: Call Ada back — due 11/23" in out
    assert "written to standard output" in err
    (event,) = exports(db)
    assert event.action == "huddle" and '"names": false' in event.changes


def test_show_names(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["huddle", "--show-names", "--db", str(db), "--today", TODAY.isoformat()]) == 0
    assert "Lovelace" in capsys.readouterr().out
    assert '"names": true' in exports(db)[0].changes


def test_out_md_and_html_by_extension(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md, page = tmp_path / "sheet.md", tmp_path / "sheet.HTML"
    assert main(["huddle", "--out", str(md), "--today", TODAY.isoformat(), "--db", str(db)]) == 0
    assert main(["--db", str(db), "huddle", "--today", TODAY.isoformat(), "--out", str(page)]) == 0
    assert md.read_text(encoding="utf-8").startswith("# Daily huddle")
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "Call Ada back" in html and "Lovelace" not in html
    assert f"written to {md}" in capsys.readouterr().out
    assert [e.action for e in exports(db)] == ["huddle", "huddle"]


def test_out_without_extension_writes_both(db: Path, tmp_path: Path) -> None:
    base = tmp_path / "huddle-2026-11-23"
    assert main(["huddle", "--out", str(base), "--db", str(db), "--today", TODAY.isoformat()]) == 0
    assert (tmp_path / "huddle-2026-11-23.md").read_text(encoding="utf-8").startswith("# Daily huddle")
    assert (tmp_path / "huddle-2026-11-23.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    (event,) = exports(db)
    assert "huddle-2026-11-23.md" in event.changes and "huddle-2026-11-23.html" in event.changes


def test_unknown_extension_is_bad_usage(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sheet.pdf"
    assert main(["huddle", "--out", str(target), "--db", str(db), "--today", TODAY.isoformat()]) == 2
    assert "'.pdf'" in capsys.readouterr().err
    assert not target.exists() and exports(db) == []


def test_missing_database_is_refused_and_not_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.db"
    assert main(["huddle", "--db", str(missing)]) == 1
    assert "there is no database" in capsys.readouterr().err
    assert not missing.exists()


def test_bad_today_is_bad_usage(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["huddle", "--db", str(db), "--today", "tomorrow"])
    assert exit_.value.code == 2
