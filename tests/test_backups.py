"""Online backups: a consistent copy, kept 14 days and 6 months, one a day, and one before every migration."""

from __future__ import annotations

import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path

from alembic import command
from sqlmodel import Session

from factories import make_payer
from officemgr import backups, store
from officemgr.cli import main
from officemgr.models import Payer

NOW = datetime(2026, 11, 23, 7, 45)


def _database(tmp_path: Path, payers: int = 3) -> Path:
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with Session(engine) as session:
        for n in range(payers):
            make_payer(session, name=f"Payer {n}")
    engine.dispose()
    return path


def _payers_in(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM payer").fetchone()[0]


def test_a_backup_is_a_readable_copy_only_its_owner_can_read(tmp_path: Path) -> None:
    database = _database(tmp_path)

    copy = backups.make_backup(database, now=NOW, why="manual")

    assert copy == tmp_path / "backups" / "office-2026-11-23-074500-manual.db"
    assert _payers_in(copy) == 3
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert [p.name for p in copy.parent.iterdir()] == [copy.name]  # no half-written .partial left behind
    assert backups.backups(database) == [(NOW, copy)]


def test_a_backup_taken_while_another_connection_writes_holds_what_was_committed(tmp_path: Path) -> None:
    database = _database(tmp_path)
    engine = store.open_database(path=database)
    with Session(engine) as session:
        make_payer(session, name="Committed before the copy")
        session.add(Payer(name="Not committed", timely_filing_days=90))
        session.flush()
        copy = backups.make_backup(database, now=NOW, why="manual")
        session.rollback()
    engine.dispose()
    with sqlite3.connect(copy) as conn:
        names = {row[0] for row in conn.execute("SELECT name FROM payer")}
    assert "Committed before the copy" in names and "Not committed" not in names


def test_prune_keeps_the_newest_of_14_days_and_of_6_months(tmp_path: Path) -> None:
    database = tmp_path / "office.db"
    folder = backups.folder_for(database)
    folder.mkdir()
    start = datetime(2026, 1, 1, 8, 0)
    made = []
    for day in range(330):  # two backups a day for most of a year
        for hour in (8, 17):
            when = start + timedelta(days=day, hours=hour - 8)
            path = folder / f"office-{when:%Y-%m-%d-%H%M%S}-daily.db"
            path.touch()
            made.append((when, path))
    (folder / "notes.txt").touch()  # not a backup: never touched

    backups.prune(database)

    kept = sorted(when for when, _ in backups.backups(database))
    last = start + timedelta(days=329, hours=9)
    daily = [last - timedelta(days=n) for n in range(14)]
    month_ends: dict[tuple[int, int], datetime] = {}
    for when, _ in made:
        key = (when.year, when.month)
        month_ends[key] = max(month_ends.get(key, when), when)
    newest_months = sorted(month_ends.values(), reverse=True)[:6]
    assert kept == sorted(set(daily) | set(newest_months))
    assert (folder / "notes.txt").exists()


def test_the_daily_backup_is_made_once_a_day(tmp_path: Path) -> None:
    database = _database(tmp_path)

    first = backups.daily_backup(database, now=NOW)
    again = backups.daily_backup(database, now=NOW + timedelta(hours=3))
    tomorrow = backups.daily_backup(database, now=NOW + timedelta(days=1))

    assert first is not None and again is None and tomorrow is not None
    assert len(backups.backups(database)) == 2


def test_upgrading_an_older_database_backs_it_up_first(tmp_path: Path) -> None:
    database = _database(tmp_path)
    engine = store.open_database(path=database)
    with engine.begin() as conn:
        command.downgrade(store._alembic_config(conn), "0006")
    engine.dispose()

    store.open_database(path=database).dispose()

    [(_, copy)] = backups.backups(database)
    assert copy.name.endswith("-before-migration.db")
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0006"
    assert _payers_in(copy) == 3


def test_opening_an_up_to_date_database_makes_no_backup(tmp_path: Path) -> None:
    database = _database(tmp_path)
    store.open_database(path=database).dispose()
    assert backups.backups(database) == []


def test_cli_backup_into_the_folder_or_to_a_new_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    database = _database(tmp_path)

    assert main(["backup", "--db", str(database)]) == 0
    [(_, copy)] = backups.backups(database)
    assert f"to {copy}" in capsys.readouterr().out
    target = tmp_path / "usb.db"
    assert main(["backup", "--to", str(target), "--db", str(database)]) == 0
    assert _payers_in(target) == 3
    with sqlite3.connect(database) as conn:  # a copy taken away is logged like an export; the folder's is not
        logged = conn.execute("SELECT entity, action, changes FROM audit_event").fetchall()
    assert [(e, a) for e, a, _ in logged] == [("export", "backup")] and str(target) in logged[0][2]

    assert main(["backup", "--to", str(target), "--db", str(database)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_cli_backup_refuses_a_missing_file_and_a_server_database(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nothing.db"
    assert main(["backup", "--db", str(missing)]) == 1
    assert "there is no database" in capsys.readouterr().err
    assert not missing.exists()

    assert main(["backup", "--url", "postgresql+psycopg://office@server/practice"]) == 1
    assert "pg_dump" in capsys.readouterr().err



def test_a_files_damage_is_said_in_words_not_as_a_list() -> None:
    from officemgr.dbfile import FileCheck

    found = FileCheck(Path("x.db"), integrity=["row 3 missing from index a", "page 9 never used", "more"],
                      broken_links=2)
    assert found.damage() == "row 3 missing from index a; page 9 never used; 2 broken links"
    assert found.damage(1) == "row 3 missing from index a; 2 broken links"
    assert FileCheck(Path("x.db"), readable=False, error="file is not a database").damage() == "file is not a database"
