"""The command line: bad options get one clear line and exit 2; demo fills a database."""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

import officemgr.cli
from officemgr import store
from officemgr.cli import main
from officemgr.models import Patient


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "officemgr.cli", *args], capture_output=True, text=True, timeout=120)


def test_bad_today_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "x.db"), "--today", "2026-13-01")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "officemgr: argument --today: --today must be a date like 2026-11-23, not '2026-13-01' (see officemgr --help)"
    ]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"these are my notes, not a database\n" * 50)
    before = bad.read_bytes()
    result = run("--db", str(bad), "--today", "2026-11-23")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "not a readable officemgr database" in result.stderr
    assert bad.read_bytes() == before


def test_a_missing_folder_is_explained(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "nowhere" / "x.db"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_url_is_explained(tmp_path: Path) -> None:
    result = run("--url", "not a url")
    assert result.returncode == 2
    assert "is not a database URL" in result.stderr


def test_db_and_url_together_are_bad_usage() -> None:
    result = run("--db", "a.db", "--url", "sqlite:///b.db")
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_demo_accepts_global_options_after_its_own(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "demo.db"
    assert main(["demo", "--seed", "3", "--db", str(path), "--today", "2026-11-23"]) == 0
    said = capsys.readouterr().out
    assert "seed 3" in said
    assert ", 1 payment plan," in said and ", 2 remittances," in said  # one is one, not "1 payment plans"
    engine = store.open_database(path=path)
    with store.read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Patient)).one() > 50
    # A second fill would mix two demos: refused with exit 1, nothing changed.
    assert main(["--db", str(path), "demo"]) == 1
    assert "already" in capsys.readouterr().err
    with store.read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Patient)).one() > 50
    assert (path.stat().st_mode & 0o777) == 0o600


def cli_imports() -> dict[str, list[tuple[str, str]]]:
    """Each module of the cli package: the (module, name) pairs it imports from inside the package, at the top
    or inside a function."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in Path(officemgr.cli.__file__).parent.glob("*.py"):
        pairs = found.setdefault(path.stem, [])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("officemgr.cli"):
                pairs += [(node.module or "", alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                pairs += [(alias.name, "") for alias in node.names if alias.name.startswith("officemgr.cli")]
    return found


def test_the_cli_modules_share_public_names_and_import_in_one_direction() -> None:
    """The package imports every command module to build the parser, so none may import the package back; they
    share helpers (options, exports) by public names, and no two modules import each other, even indirectly."""
    found = cli_imports()
    commands = {name for name in found if name not in ("__init__", "__main__")}
    assert {"options", "exports", "app", "backup", "billing", "inventory", "schedule", "staff"} <= commands
    graph: dict[str, set[str]] = {}
    for module in sorted(commands):
        for source, name in found[module]:
            assert source != "officemgr.cli", f"{module} imports {name} from the package that imports it"
            assert not name.startswith("_"), f"{module} imports the private {name} of {source}"
            graph.setdefault(module, set()).add(source.removeprefix("officemgr.cli."))
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a cycle
    assert "options" not in graph, "options is what the others stand on: it imports none of them"
