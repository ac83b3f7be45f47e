"""`officemgr settings list|get|set|reset` (issue 24, part 1): anyone signed in lists and reads the settings; the
manager alone changes them, with the same checks and audit as the Settings screen; a refusal changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from factories import NOW, audit_events, make_staff
from officemgr import store
from officemgr.cli import main
from officemgr.models import Role
from officemgr.services import settings, users


@pytest.fixture
def practice(tmp_path: Path) -> Path:
    """pat the manager (PIN 2468) and bo the biller (1357)."""
    path = tmp_path / "office.db"
    engine = store.open_database(path=path)
    with store.write_session(engine) as session:
        users.first_manager(session, first_name="Pat", last_name="Manager", login="pat", new_pin="2468",
                            workstation="setup", now=NOW)
        make_staff(session, first_name="Bo", last_name="Staff", role=Role.biller)
        users.add_user(session, "bo", staff_name="Bo Staff", roles="biller", new_pin="1357", actor="setup", now=NOW)
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def no_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OFFICEMGR_PIN", raising=False)

    def ctrl_d(prompt: str = "") -> str:
        raise EOFError

    monkeypatch.setattr("getpass.getpass", ctrl_d)


def run(db: Path, *argv: str, user: str = "pat", pin: str = "2468", monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("OFFICEMGR_PIN", pin)
    return main(["settings", *argv, "--db", str(db), "--user", user, "--today", "2026-11-23"])


def stored(db: Path, key: str) -> object:
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            return settings.get(session, key)
    finally:
        engine.dispose()


def setting_events(db: Path) -> list[dict[str, object]]:
    engine = store.open_database(path=db)
    try:
        with store.read_session(engine) as session:
            return [changes for _, changes in audit_events(session, "setting")]
    finally:
        engine.dispose()


def test_set_then_get_then_list_shows_the_change(practice: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(practice, "set", "open_weekdays", "Mon, Tue, Wed, Thu, Fri, Sat", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == "Days the practice is open (open_weekdays) is now Mon, Tue, Wed, Thu, Fri, Sat\n"
    assert stored(practice, "open_weekdays") == [0, 1, 2, 3, 4, 5]
    assert setting_events(practice) == [{"value": [[0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5]]}]
    assert run(practice, "get", "open_weekdays", user="bo", pin="1357", monkeypatch=monkeypatch) == 0
    assert json.loads(capsys.readouterr().out) == [0, 1, 2, 3, 4, 5]
    assert run(practice, "list", monkeypatch=monkeypatch) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["AREA", "KEY", "VALUE", "DEFAULT"]
    [weekdays] = [line for line in lines if " open_weekdays " in line]
    assert weekdays.split()[:2] == ["Practice", "open_weekdays"]
    assert weekdays.endswith("Mon, Tue, Wed, Thu, Fri")  # the default, shown as it differs
    [lock] = [line for line in lines if " lock_idle_minutes " in line]
    assert lock.split()[-2:] == ["5", "="]
    [demo] = [line for line in lines if " demo_data " in line]
    assert "no (read-only)" in demo
    [staffing] = [line for line in lines if " min_staffing " in line]
    assert '[{"label": "Front desk", "roles": ["fro…  =' in staffing  # cut at 40 characters
    assert lines[-1] == "(values longer than 40 characters are cut: officemgr settings get KEY prints one whole)"


def test_list_as_json_one_object_per_setting(practice: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert run(practice, "list", "--json", monkeypatch=monkeypatch) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["key"] for r in rows} == set(settings.DEFAULTS)
    [aging] = [r for r in rows if r["key"] == "aging_bucket_edges"]
    assert aging == {"area": "Billing", "key": "aging_bucket_edges", "label": "A/R aging buckets",
                     "value": "30, 60, 90, 120", "default": "30, 60, 90, 120", "changed": False, "editable": True}


def test_a_bad_value_exits_1_with_the_message_and_changes_nothing(practice: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert run(practice, "set", "overtime_after_hours", "81", monkeypatch=monkeypatch) == 1
    assert capsys.readouterr().err == ("officemgr: overtime_after_hours: 81 is out of range: type a whole number of "
                                       "hours from 1 to 80; nothing was changed\n")
    assert stored(practice, "overtime_after_hours") == 40
    assert setting_events(practice) == []


def test_the_biller_is_refused_changing_and_an_unknown_key_is_named(practice: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert run(practice, "set", "lock_idle_minutes", "10", user="bo", pin="1357", monkeypatch=monkeypatch) == 1
    err = capsys.readouterr().err
    assert "changing the practice's settings needs the manager role" in err and "nothing was changed" in err
    assert stored(practice, "lock_idle_minutes") == 5
    assert run(practice, "get", "lock_idle", monkeypatch=monkeypatch) == 1
    assert capsys.readouterr().err == "officemgr: there is no setting called lock_idle\n"
    assert run(practice, "set", "demo_data", "yes", monkeypatch=monkeypatch) == 1
    assert "Demo practice is not changed here" in capsys.readouterr().err
    assert stored(practice, "demo_data") is False


def test_reset_puts_the_default_back(practice: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(practice, "set", "kpi_targets",
               '{"days_in_ar": 35, "denial_rate_pct": 4, "net_collection_pct": 96}', monkeypatch=monkeypatch) == 0
    assert stored(practice, "kpi_targets") == {"days_in_ar": 35, "denial_rate_pct": 4.0, "net_collection_pct": 96.0}
    capsys.readouterr()
    assert run(practice, "reset", "kpi_targets", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == ('Billing targets (kpi_targets) is back to its default: {"days_in_ar": 40, '
                                       '"denial_rate_pct": 5.0, "net_collection_pct": 95.0}\n')
    assert stored(practice, "kpi_targets") == settings.DEFAULTS["kpi_targets"]
    assert len(setting_events(practice)) == 2


def test_a_missing_database_is_refused_and_not_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.db"
    assert run(missing, "list", monkeypatch=monkeypatch) == 1
    assert run(missing, "set", "aging_from", "submission", monkeypatch=monkeypatch) == 1
    assert capsys.readouterr().err.count(f"there is no database {missing}") == 2
    assert not missing.exists()


@pytest.mark.parametrize(("key", "value", "message"), [
    ("required_credentials", '{"ma":[{"a":1}]}', """ma: '{"a": 1}' is not a kind of credential; the kinds are """),
    ("required_credentials", '{"ma":[[1]]}', "ma: '[1]' is not a kind of credential; the kinds are "),
    ("min_staffing", '[{"label": "Rooming", "roles": [[1]], "base": 1, "per_provider": 0}]',
     "row 1 (Rooming): '[1]' is not a role; the roles are "),
    ("min_staffing", '[{"label": "Rooming", "roles": [{}], "base": 1, "per_provider": 0}]',
     "row 1 (Rooming): '{}' is not a role; the roles are "),
    ("kpi_targets", "[" * 3000, "this is not readable as JSON; it looks like "),
    ("open_weekdays", "Mon, ²", "'²' is not a weekday: "),
], ids=["credential-object", "credential-list", "role-list", "role-object", "deep-json", "superscript-digit"])
def test_a_value_that_once_crashed_exits_1_with_the_message(practice: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str], key: str,
                                                            value: str, message: str) -> None:
    before = stored(practice, key)
    assert run(practice, "set", key, value, monkeypatch=monkeypatch) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(f"officemgr: {key}: {message}")
    assert captured.err.endswith("; nothing was changed\n") and "Traceback" not in captured.err
    assert captured.out == ""
    assert stored(practice, key) == before == settings.DEFAULTS[key]
    assert setting_events(practice) == []


def test_undecodable_bytes_in_the_value_are_refused(practice: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # A byte that is not UTF-8 arrives in argv as a lone surrogate: it could be neither stored nor printed.
    assert run(practice, "set", "time_off_kinds", "PTO, Sick\udcff", monkeypatch=monkeypatch) == 1
    assert capsys.readouterr().err == ("officemgr: time_off_kinds: the list: this holds a broken character (half of "
                                       "a UTF-16 pair); retype it; nothing was changed\n")
    assert stored(practice, "time_off_kinds") == settings.DEFAULTS["time_off_kinds"]
