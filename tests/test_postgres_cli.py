"""The command line on a PostgreSQL server: every command with --url or OFFICEMGR_URL, and the server's refusals
in words. (The services and the app run on PostgreSQL through the parametrized fixtures.)"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from officemgr import cli, store
from ui_support import TODAY


def run(capsys, *argv: str) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    code = cli.main([*argv, "--today", TODAY.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def count(url: str, table: str) -> int:
    engine = store.create_engine_for(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_the_commands_work_on_a_server_database(server_url, capsys, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(capsys, "demo", "--url", server_url)
    assert code == 0 and f"written to {store.where_server(make_url(server_url))}:" in out
    assert count(server_url, "appointment") > 1000
    assert run(capsys, "export", "queue", str(tmp_path / "q.csv"), "--url", server_url)[0] == 0
    assert (tmp_path / "q.csv").read_text().count("\n") > 50
    monkeypatch.setenv("OFFICEMGR_URL", server_url)  # as each workstation would set it
    code, out, _ = run(capsys, "huddle", "--out", str(tmp_path / "huddle.md"))
    assert code == 0 and "items" in out
    engine = store.create_engine_for(server_url)
    try:
        with engine.connect() as conn:
            todays = conn.execute(text(
                "SELECT count(*) FROM appointment WHERE start >= :day AND start < :day + interval '1 day' "
                "AND status NOT IN ('cancelled', 'no_show')"), {"day": TODAY}).scalar_one()
    finally:
        engine.dispose()
    assert todays > 0 and f"Appointments {todays} ·" in (tmp_path / "huddle.md").read_text()
    audited = count(server_url, "audit_event")
    code, out, _ = run(capsys, "report", "audit", "--from", "2026-11-01", "--to", "2026-11-30",
                       "--out", str(tmp_path / "audit.csv"))
    assert code == 0 and (tmp_path / "audit.csv").is_file()
    assert count(server_url, "audit_event") == audited + 1  # the export is itself recorded
    for command in ("backup", "restore", "encrypt"):
        code, _, err = run(capsys, command, *(["x.db", "--yes"] if command == "restore" else []))
        assert code == 1 and "works on a SQLite file" in err, command
    code, out, _ = run(capsys, "check")  # on a server, check verifies the audit log's chain
    assert code == 0 and "the chain and its guards are intact" in out
    assert not list(tmp_path.glob("*.db"))


def test_a_demo_twice_is_refused_and_the_first_is_kept(server_url, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run(capsys, "demo", "--url", server_url)[0] == 0
    patients = count(server_url, "patient")
    code, _, err = run(capsys, "demo", "--url", server_url)
    assert code == 1 and "already" in err
    assert count(server_url, "patient") == patients


def test_server_problems_are_said_in_words(pg_server, capsys) -> None:  # type: ignore[no-untyped-def]
    missing = pg_server.url_for("no_such_practice")
    code, _, err = run(capsys, "huddle", "--url", missing)
    assert code == 2 and "has no database 'no_such_practice'" in err and "createdb" in err
    closed = pg_server.url.set(port=1).render_as_string(hide_password=False)
    code, _, err = run(capsys, "huddle", "--url", closed)
    assert code == 2 and "cannot reach the PostgreSQL server" in err
    code, _, err = run(capsys, "huddle", "--url", "mysql://office@server/office")
    assert code == 2 and "SQLite or PostgreSQL" in err
    assert "Traceback" not in err


def test_a_password_in_the_url_is_never_shown(pg_server, capsys) -> None:  # type: ignore[no-untyped-def]
    url = pg_server.url.set(database="no_such_practice", password="s3cret-pw").render_as_string(hide_password=False)
    code, _, err = run(capsys, "huddle", "--url", url)
    assert code == 2 and "s3cret-pw" not in err and "***" in err


def test_sign_ins_on_a_server_are_per_person_and_their_wait_outlives_the_run(  # type: ignore[no-untyped-def]
        server_url, capsys, tmp_path: Path, monkeypatch) -> None:
    import socket

    assert run(capsys, "demo", "--url", server_url)[0] == 0
    monkeypatch.setenv("OFFICEMGR_URL", server_url)
    monkeypatch.setenv("OFFICEMGR_PIN", "1234")
    assert run(capsys, "export", "queue", str(tmp_path / "q.csv"), "--user", "biller")[0] == 0
    engine = store.create_engine_for(server_url)
    try:
        with engine.connect() as conn:
            actor = conn.execute(text("SELECT actor FROM audit_event ORDER BY id DESC LIMIT 1")).scalar_one()
    finally:
        engine.dispose()
    assert actor == f"biller@{socket.gethostname()}"

    monkeypatch.setenv("OFFICEMGR_PIN", "0000")
    for _ in range(3):
        assert run(capsys, "users", "list", "--user", "auditor")[0] == 1
    monkeypatch.setenv("OFFICEMGR_PIN", "1234")
    code, _, err = run(capsys, "users", "list", "--user", "auditor")  # a new engine, as a new run would open
    assert code == 1 and err.startswith("officemgr: too many wrong PINs for auditor: try again in ")
    code, out, _ = run(capsys, "users", "list", "--user", "manager")  # the wait is the auditor's own
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:]] == [
        "auditor", "biller", "clinical", "frontdesk", "manager"]
    code, _, err = run(capsys, "users", "list", "--user", "frontdesk")
    assert code == 1 and "needs the manager or read-only (auditor) role" in err
