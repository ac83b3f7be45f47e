"""Hostile values for every flag and positional of the subcommands that do not open the app.

Property: `officemgr.cli.main(argv)` returns (or argparse exits with) 0, 1 or 2; a refusal says why on stderr;
nothing escapes as an exception and stderr never holds a traceback. Every run works on a copy of the demo
database in tmp_path, and every file name is made relative to tmp_path (the working directory here).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from officemgr.cli import main
from strategies import ARGV_SURROGATES, DB, IMPOSSIBLE_DATES, hostile_text

# Text as it can arrive in argv: never a NUL byte (the kernel cannot pass one), but undecodable bytes arrive
# as lone surrogates (Python's surrogateescape).
arg_text = st.one_of(hostile_text.map(lambda s: s.replace("\x00", "")), st.sampled_from(ARGV_SURROGATES))
EXTREME_DATES = ("9999-12-31", "0001-01-01", "1900-01-01", "2999-12-31", "2026-11-23")
arg_date = st.one_of(st.sampled_from(EXTREME_DATES + IMPOSSIBLE_DATES), arg_text)
# Names of things that are there but are no file to read (a folder, the database itself), or that are not there.
SPECIAL_FILES = ("missing.csv", "folder.csv", "folder", ".", "..", "office.db", "", "-x", "a\x1bb.csv", "[b].csv",
                 "x" * 300 + ".csv", "\udcff.csv")
arg_file = st.one_of(st.sampled_from(SPECIAL_FILES), arg_text).map(lambda s: s.replace("/", "_"))
arg_number = st.one_of(st.integers(min_value=-10**30, max_value=10**30).map(str), arg_text,
                       st.sampled_from(("1e9", "NaN", "-0", "0x10")))

SQLITE = b"SQLite format 3\x00"

Draw = Callable[[st.SearchStrategy[str]], str]
COMMANDS: dict[str, Callable[[Draw], list[str]]] = {
    "import items": lambda d: ["import", "items", d(arg_file)],
    "import claims": lambda d: ["import", "claims", d(arg_file)],
    "import appointments": lambda d: ["import", "appointments", d(arg_file)],
    "import era": lambda d: ["import", "era", d(arg_file)],
    "import fees": lambda d: ["import", "fees", d(arg_text), d(arg_file)],
    "export ics": lambda d: ["export", "ics", "--provider", d(arg_text), d(st.sampled_from(["--day", "--week"])),
                             d(arg_date), "--out", d(arg_file)],
    "export payroll": lambda d: ["export", "payroll", "--period", d(arg_date), "--out", d(arg_file)],
    "export inventory": lambda d: ["export", "inventory", d(arg_file)],
    "export count-sheet": lambda d: ["export", "count-sheet", d(arg_file)],
    "export queue": lambda d: ["export", "queue", d(arg_file)],
    "report compliance": lambda d: ["report", "compliance", "--from", d(arg_date), "--to", d(arg_date), "--out",
                                    d(arg_file)],
    "report audit": lambda d: ["report", "audit", "--from", d(arg_date), "--to", d(arg_date), "--entity",
                               d(arg_text), "--actor", d(arg_text), "--out", d(arg_file)],
    "huddle": lambda d: ["huddle", "--out", d(arg_file)],
    "backup": lambda d: ["backup", "--to", d(arg_file)],
    "check-list": lambda d: ["check-list", "--validate", d(arg_file)],
    "demo": lambda d: ["demo", "--scale", d(st.one_of(st.just("small"), arg_text)), "--seed", d(arg_number)],
}


@pytest.fixture
def db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo database in tmp_path, which is also the working directory (for relative names)."""
    monkeypatch.chdir(tmp_path)
    for name in ("OFFICEMGR_URL", "OFFICEMGR_KEY"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "folder").mkdir()
    return Path(shutil.copy(demo_db, tmp_path / "office.db"))


def call(capfd: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    """(exit code, stderr) of one run; fails on an escaped exception, a traceback or an unexplained refusal."""
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse: bad usage (or --help)
        code = exc.code  # type: ignore[assignment]
    _, err = capfd.readouterr()
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code:
        assert err.strip(), f"{argv} failed without saying why"
    return code, err


@pytest.mark.parametrize("command", sorted(COMMANDS))
@settings(DB, max_examples=6)
@given(data=st.data(), today=st.one_of(st.just("2026-11-23"), arg_date))
def test_hostile_arguments_exit_0_1_or_2_with_a_message(db: Path, capfd: pytest.CaptureFixture[str], command: str,
                                                        data: st.DataObject, today: str) -> None:
    argv = [*COMMANDS[command](data.draw), "--db", str(db), "--today", today]
    call(capfd, argv)
    assert db.read_bytes()[:16] == SQLITE, "the database was overwritten"


@pytest.mark.parametrize("today", EXTREME_DATES[:2])
@pytest.mark.parametrize("command", ["huddle", "export payroll", "export ics", "report compliance", "demo"])
def test_a_today_at_the_end_of_the_calendar_is_refused(db: Path, capfd: pytest.CaptureFixture[str],
                                                               command: str, today: str) -> None:
    new = db.with_name("new.db")
    argv = {"huddle": ["huddle"], "export payroll": ["export", "payroll", "--period", "2026-11-16"],
            "export ics": ["export", "ics", "--provider", "Grace Hopper"],
            "report compliance": ["report", "compliance", "--from", "2026-11-01", "--to", "2026-11-30"],
            "demo": ["demo"]}[command]
    code, err = call(capfd, [*argv, "--db", str(new if command == "demo" else db), "--today", today])
    assert code == 2 and "between 1900-01-01 and 2999-12-31" in err, err
    assert not new.exists()


@pytest.mark.parametrize("flag", ["--period", "--day", "--from"])
def test_a_date_flag_at_the_end_of_the_calendar_is_refused(db: Path, capfd: pytest.CaptureFixture[str],
                                                           flag: str) -> None:
    argv = {"--period": ["export", "payroll", "--period", "9999-12-31"],
            "--day": ["export", "ics", "--provider", "x", "--day", "0001-01-01"],
            "--from": ["report", "audit", "--from", "9999-12-25", "--to", "9999-12-31"]}[flag]
    code, err = call(capfd, [*argv, "--db", str(db), "--today", "2026-11-23"])
    assert code == 2 and "between 1900-01-01 and 2999-12-31" in err, err


@pytest.mark.parametrize("command", ["queue", "inventory", "count-sheet", "payroll"])
def test_an_export_onto_the_database_file_is_refused(db: Path, capfd: pytest.CaptureFixture[str],
                                                     command: str) -> None:
    target = ["--period", "2026-11-16", "--out", str(db)] if command == "payroll" else [str(db)]
    code, _ = call(capfd, ["export", command, *target, "--db", str(db), "--today", "2026-11-23"])
    assert code == 1
    assert db.read_bytes().startswith(SQLITE)
