"""The settings catalogue (issue 24, part 1): every setting described, each typed value checked at its edges with a
message that names what is wrong, changes by the manager only, audited, refused when stale."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlmodel import Session

from factories import NOW, audit_events
from officemgr.models import UserRole
from officemgr.services import settings
from officemgr.services.access import Actor, NotAllowed
from officemgr.services.common import StaleEdit
from officemgr.services.settings_catalog import (
    CATALOGUE,
    BadValue,
    as_text,
    list_settings,
    read_value,
    reset_setting,
    set_setting,
    setting_row,
)
from strategies import PURE, hostile_text

MANAGER = Actor("pat", {UserRole.manager}, name="Pat Boss", workstation="office")
OTHERS = [UserRole.front_desk, UserRole.biller, UserRole.clinical, UserRole.auditor]


def defaults(key: str) -> Any:
    return settings.DEFAULTS[key]


def read(key: str, text: str, **others: Any) -> Any:
    return read_value(key, text, lambda other: others.get(other, settings.DEFAULTS[other]))


def refused(key: str, text: str, **others: Any) -> str:
    with pytest.raises(BadValue) as caught:
        read(key, text, **others)
    return str(caught.value)


# -- the catalogue


def test_every_setting_has_an_entry_and_every_entry_a_setting() -> None:
    assert set(CATALOGUE) == set(settings.DEFAULTS)
    for key, entry in CATALOGUE.items():
        assert entry.label and entry.meaning and entry.area, key
        assert entry.read is not None or entry.read_only, f"{key}: read-only without a reason"


@pytest.mark.parametrize("key", [k for k, e in CATALOGUE.items() if e.read is not None])
def test_each_default_shown_as_text_reads_back_as_itself(key: str) -> None:
    assert read(key, as_text(key, defaults(key))) == defaults(key)


def test_the_demo_flag_is_read_only_and_says_why() -> None:
    assert "not changed here" in refused("demo_data", "yes")
    assert "without a PIN" in refused("demo_data", "yes")


def test_an_unknown_key_is_refused_by_name() -> None:
    assert refused("no_such", "1") == "there is no setting called no_such"


# -- numbers at their edges


@pytest.mark.parametrize(("key", "low", "high"), [("lock_idle_minutes", 0, 240), ("overtime_after_hours", 1, 80),
                                                  ("applicant_retention_days", 365, 3650)])
def test_whole_numbers_take_their_ends_and_refuse_one_past(key: str, low: int, high: int) -> None:
    assert read(key, str(low)) == low
    assert read(key, f" {high} ") == high
    assert refused(key, str(low - 1)) == (f"{low - 1} is out of range: type a whole number of "
                                          f"{CATALOGUE[key].hint.split(',')[0]} from {low} to {high}")
    assert f"from {low} to {high}" in refused(key, str(high + 1))


def test_a_number_with_words_or_a_fraction_is_refused() -> None:
    assert refused("lock_idle_minutes", "five") == "type a whole number of minutes from 0 to 240, not 'five'"
    assert "not '2.5'" in refused("lock_idle_minutes", "2.5")
    assert read("small_balance_cents", "1,000") == 1000


def test_yes_no_and_choices() -> None:
    assert read("emergency_access", "No") is False
    assert read("emergency_access", "yes") is True
    assert refused("emergency_access", "maybe") == "type yes or no, not 'maybe'"
    assert read("aging_from", " Submission ") == "submission"
    assert refused("aging_from", "billing") == "type service or submission, not 'billing'"


# -- lists


def test_weekdays_by_name_or_number_sorted() -> None:
    assert read("open_weekdays", "fri, Mon, tuesday, 3") == [0, 1, 3, 4]
    assert read("temperature_log_weekdays", "Sat, Sun") == [5, 6]
    assert "'Funday' is not a weekday" in refused("open_weekdays", "Mon, Funday")
    assert "'7' is not a weekday" in refused("open_weekdays", "7")
    assert refused("open_weekdays", "Mon, monday") == "a weekday is listed twice"
    assert "at least one weekday" in refused("open_weekdays", " , ")
    assert read("workweek_start", "Sun") == 6
    assert refused("workweek_start", "Mon, Tue") == "type one weekday, e.g. Mon"


def test_aging_edges_strictly_increasing_positive() -> None:
    assert read("aging_bucket_edges", "15, 45") == [15, 45]
    assert refused("aging_bucket_edges", "30, 30") == "each edge must be larger than the one before it: 30 follows 30"
    assert "60 follows 90" in refused("aging_bucket_edges", "30, 90, 60")
    assert "0 is out of range" in refused("aging_bucket_edges", "0, 30")
    assert "at most 8 edges" in refused("aging_bucket_edges", ", ".join(str(d) for d in range(10, 100, 10)))
    assert "type the days" in refused("aging_bucket_edges", "")


def test_paid_kinds_must_be_kinds_of_time_off_and_take_their_spelling() -> None:
    assert read("pto_kinds", "pto, sick") == ["PTO", "Sick"]
    message = refused("paid_time_off_kinds", "PTO, Vacation")
    assert message.startswith("'Vacation' is not a kind of time off; the kinds are: PTO, Sick")
    assert read("pto_kinds", "Vacation", time_off_kinds=["Vacation"]) == ["Vacation"]
    assert read("paid_time_off_kinds", "") == []
    assert refused("time_off_kinds", "") == "type at least one, separated by commas"
    assert refused("time_off_kinds", "PTO, pto") == "'pto' is listed twice"
    assert "at most 40 characters" in refused("time_off_kinds", "x" * 41)


def test_holidays_by_their_names_and_privacy_tabs() -> None:
    assert read("open_on_holidays", "columbus day, Veterans Day") == ["Columbus Day", "Veterans Day"]
    assert "'Boxing Day' is not a federal holiday's name" in refused("open_on_holidays", "Boxing Day")
    assert read("privacy_tabs", "") == []
    assert read("privacy_tabs", "Schedule") == ["schedule"]
    assert "'billing' is not a tab with privacy mode" in refused("privacy_tabs", "huddle, billing")


# -- structured values: JSON, checked field by field


def test_json_that_does_not_read_says_where() -> None:
    message = refused("kpi_targets", '{"days_in_ar": 40,')
    assert message.startswith("this is not readable as JSON (at character")
    assert refused("kpi_targets", "[1]").startswith("type it like {")


def test_temperature_ranges_edges() -> None:
    fridge_freezer = '{{"fridge": [{}, {}], "freezer": [{}, {}]}}'
    assert read("temperature_ranges", fridge_freezer.format(-10, 20, -90, 0)) == {
        "fridge": [-10.0, 20.0], "freezer": [-90.0, 0.0]}
    assert refused("temperature_ranges", fridge_freezer.format(8, 8, -50, -15)) == (
        "fridge's low end (8 °C) must be below its high end (8 °C)")
    assert refused("temperature_ranges", fridge_freezer.format(2, 20.5, -50, -15)) == (
        "fridge's high end (°C) must be from -10 to 20, not 20.5")
    assert refused("temperature_ranges", fridge_freezer.format(2, 8, -91, -15)) == (
        "freezer's low end (°C) must be from -90 to 0, not -91")
    assert refused("temperature_ranges", '{"fridge": [2, 8]}') == "the field 'freezer' is missing"
    assert "'cooler' is not a field here" in refused("temperature_ranges",
                                                    '{"fridge": [2, 8], "freezer": [-50, -15], "cooler": [1, 2]}')
    assert "two numbers" in refused("temperature_ranges", '{"fridge": [2], "freezer": [-50, -15]}')
    assert "fridge's low end (°C) must be a number" in refused(
        "temperature_ranges", '{"fridge": [true, 8], "freezer": [-50, -15]}')


def test_pay_period_kind_and_anchor() -> None:
    assert read("pay_period", '{"kind": "semimonthly", "anchor": "2026-01-05"}') == {"kind": "semimonthly"}
    assert read("pay_period", '{"kind": "weekly"}') == {"kind": "weekly"}
    assert read("pay_period", '{"kind": "biweekly", "anchor": "2028-02-28"}', workweek_start=0) == {
        "kind": "biweekly", "anchor": "2028-02-28"}
    assert refused("pay_period", '{"kind": "monthly"}') == (
        'kind must be weekly, biweekly or semimonthly, not "monthly"')
    assert refused("pay_period", '{"kind": "biweekly"}').startswith("a biweekly pay period needs an anchor")
    assert refused("pay_period", '{"kind": "biweekly", "anchor": "2026-02-29"}') == (
        'anchor must be a real date like 2026-01-05, not "2026-02-29"')
    # 2028-02-29 is a real day (a Tuesday), but not the workweek's first day.
    assert refused("pay_period", '{"kind": "biweekly", "anchor": "2028-02-29"}') == (
        "anchor must start a pay period, which starts on the workweek's first day (Monday); "
        "2028-02-29 is a Tuesday")
    assert read("pay_period", '{"kind": "biweekly", "anchor": "2028-02-29"}', workweek_start=1)["anchor"] == (
        "2028-02-29")


def test_required_credentials_roles_and_kinds_must_exist() -> None:
    assert read("required_credentials", '{"ma": ["bls"], "front_desk": []}') == {"ma": ["bls"], "front_desk": []}
    assert "'janitor' is not a role" in refused("required_credentials", '{"janitor": ["bls"]}')
    assert refused("required_credentials", '{"ma": ["bls", "cpr"]}').startswith(
        "ma: 'cpr' is not a kind of credential; the kinds are bbp_training")
    assert refused("required_credentials", '{"ma": "bls"}').startswith("ma: the credentials must be a list")
    assert refused("required_credentials", '{"ma": ["bls", "bls"]}') == "ma: a credential is listed twice"


def test_min_staffing_rows_name_the_row_and_field() -> None:
    row = '{{"label": "Rooming", "roles": {}, "base": {}, "per_provider": {}}}'
    assert read("min_staffing", f'[{row.format(json.dumps(["ma"]), 0, 10)}]') == [
        {"label": "Rooming", "roles": ["ma"], "base": 0, "per_provider": 10}]
    first = row.format('["front_desk"]', 1, 0)
    assert refused("min_staffing", f'[{first}, {row.format(json.dumps(["ma"]), 21, 1)}]') == (
        "row 2 (Rooming): base must be a whole number from 0 to 20, not 21")
    assert "row 1 (Rooming): 'cook' is not a role" in refused(
        "min_staffing", f'[{row.format(json.dumps(["cook"]), 1, 0)}]')
    assert "row 1 (Rooming): roles must be a list of at least one role" in refused(
        "min_staffing", f"[{row.format('[]', 1, 0)}]")
    assert refused("min_staffing", '[{"label": "X", "roles": ["ma"], "base": 1}]') == (
        "row 1: the field 'per_provider' is missing")
    assert "per_provider must be a whole number" in refused(
        "min_staffing", f"[{row.format(json.dumps(['ma']), 1, 1.5)}]")


def test_kpi_targets_practice_and_sick_leave_fields() -> None:
    assert read("kpi_targets", '{"days_in_ar": 1, "denial_rate_pct": 0, "net_collection_pct": 100}') == {
        "days_in_ar": 1, "denial_rate_pct": 0.0, "net_collection_pct": 100.0}
    assert refused("kpi_targets", '{"days_in_ar": 40, "denial_rate_pct": 5, "net_collection_pct": 100.5}') == (
        "net_collection_pct (%) must be from 0 to 100, not 100.5")
    practice = read("practice", '{"name": " Elm Clinic ", "address": "1 Elm St", "phone": "555 123 4567"}')
    assert practice == {"name": "Elm Clinic", "address": "1 Elm St", "phone": "(555) 123-4567"}
    assert refused("practice", '{"name": "Elm", "address": "", "phone": "123"}').startswith(
        "phone: a phone number has 10 digits")
    assert refused("practice", '{"name": 5, "address": "", "phone": ""}') == "name must be text in quotes, not 5"
    assert "name: this holds" in refused("practice", '{"name": "Elm\\u001b[2J", "address": "", "phone": ""}')
    sick = '{{"hours": 1, "per_hours_worked": 30, "carry_over_cap": {}, "reset": "{}"}}'
    assert read("sick_leave_default", sick.format("null", "12-31"))["carry_over_cap"] is None
    assert read("sick_leave_default", sick.format(40, "7-1"))["reset"] == "07-01"
    assert refused("sick_leave_default", sick.format(40, "02-29")).startswith(
        "reset must be a month and day like 01-01 (Feb 29 is not one every year)")
    assert "reset must be" in refused("sick_leave_default", sick.format(40, "13-01"))


def test_wrong_json_types_are_refused_by_field_not_crashed_on() -> None:
    # Each crashed with a TypeError (unhashable, or a non-text role) or a RecursionError before.
    assert refused("required_credentials", '{"ma": [{"a": 1}]}').startswith(
        """ma: '{"a": 1}' is not a kind of credential; the kinds are bbp_training""")
    assert refused("required_credentials", '{"ma": [[1]]}').startswith("ma: '[1]' is not a kind of credential")
    assert refused("required_credentials", '{"ma": [5]}').startswith("ma: '5' is not a kind of credential")
    staffing = '[{{"label": "Rooming", "roles": {}, "base": 1, "per_provider": 0}}]'
    assert refused("min_staffing", staffing.format("[[1]]")).startswith("row 1 (Rooming): '[1]' is not a role")
    assert refused("min_staffing", staffing.format("[{}]")).startswith("row 1 (Rooming): '{}' is not a role")
    assert refused("min_staffing", staffing.format("[true]")).startswith("row 1 (Rooming): 'true' is not a role")
    for key in ("min_staffing", "required_credentials", "kpi_targets"):
        assert refused(key, "[" * 3000).startswith("this is not readable as JSON; it looks like")
        assert refused(key, "[" * 3000 + "]" * 1000).startswith("this is not readable as JSON")


def test_nesting_is_capped_at_eight_levels() -> None:
    # Eight levels reach the field's own check; nine are refused before anything walks them.
    eight = '[{"label": "R", "roles": ["ma"], "base": 1, "per_provider": ' + "[" * 6 + "]" * 6 + "}]"
    assert "per_provider must be a whole number from 0 to 10, not [[[[[[]]]]]]" in refused("min_staffing", eight)
    nine = eight.replace("[" * 6, "[" * 7).replace("]" * 6, "]" * 7)
    assert refused("min_staffing", nine).startswith("this nests lists or {…} too deeply")


def test_a_huge_number_or_a_broken_character_is_refused() -> None:
    sick = '{{"hours": 1, "per_hours_worked": 30, "carry_over_cap": 40, "reset": {}}}'
    # A long month once overflowed date() (OverflowError, not ValueError); a number is not a month and day.
    assert refused("sick_leave_default", sick.format('"01-' + "9" * 30 + '"')).startswith("reset must be a month")
    assert refused("sick_leave_default", sick.format("101")) == (
        "reset must be a month and day like 01-01 (Feb 29 is not one every year), not 101")
    assert read("sick_leave_default", sick.format('" 2 - 28 "'))["reset"] == "02-28"
    assert refused("sick_leave_default", sick.format('"02-29"')).startswith("reset must be")
    assert refused("pay_period", '{"kind": "weekly", "anchor": 20260105}') == (
        "anchor must be a real date like 2026-01-05, not 20260105")
    assert refused("pay_period", '{"kind": "weekly", "anchor": ["2026-01-05"]}') == (
        'anchor must be a real date like 2026-01-05, not ["2026-01-05"]')
    message = refused("overtime_after_hours", "9" * 4000)
    assert message == "9" * 39 + "… is out of range: type a whole number of hours from 1 to 80"
    assert refused("kpi_targets", '{"days_in_ar": 40, "denial_rate_pct": 1e999, "net_collection_pct": 95}') == (
        "denial_rate_pct (%) must be from 0 to 100, not inf")
    assert "not nan" in refused("kpi_targets", '{"days_in_ar": 40, "denial_rate_pct": NaN, "net_collection_pct": 95}')
    assert refused("practice", '{"name": "Elm\\ud800", "address": "", "phone": ""}') == (
        "name: this holds a broken character (half of a UTF-16 pair); retype it")
    assert refused("time_off_kinds", "PTO, Sick\udcff").startswith("the list: this holds a broken character")
    assert refused("aging_from", "\x1b[2J") == r"type service or submission, not '\x1b[2J'"


def test_a_digit_that_is_not_ascii_is_not_a_weekday_number() -> None:
    assert read("open_weekdays", "0, 6") == [0, 6]
    assert refused("open_weekdays", "6, 7").startswith("'7' is not a weekday")
    for digit in ("²", "٣", "³"):  # "²".isdigit() is true, yet int("²") raised ValueError
        assert refused("open_weekdays", digit).startswith(f"'{digit}' is not a weekday")


EDITABLE = sorted(k for k, e in CATALOGUE.items() if e.read is not None)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12))
any_json = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                        max_leaves=12)


# Text aimed at the readers' edges as well: deep nesting past Python's limit, digits int() reads or refuses.
typed_text = st.one_of(hostile_text, st.builds(lambda opener, n: opener * n, st.sampled_from(("[", '{"a":', "[[")),
                                               st.sampled_from((1, 2, 9, 1500, 3000, 4000))),
                       st.lists(st.sampled_from(("²", "٣", "7", "Mon", "01-99", "1e999", ",", ";", " ")),
                                max_size=4).map("".join))
MANY = hypothesis_settings(PURE, max_examples=150)


def _value_or_refusal(key: str, text: str) -> None:
    """read_value gives a value, or BadValue with a message; anything else (TypeError, RecursionError…) fails."""
    try:
        value = read(key, text)
    except BadValue as refusal:
        assert str(refusal)
        return
    assert read(key, as_text(key, json.loads(json.dumps(value)))) == value


@MANY
@given(key=st.sampled_from(EDITABLE), text=typed_text)
def test_any_text_gives_a_value_or_a_refusal(key: str, text: str) -> None:
    _value_or_refusal(key, text)


@PURE
@given(key=st.sampled_from(EDITABLE), value=any_json)
def test_any_json_gives_a_value_or_a_refusal(key: str, value: Any) -> None:
    _value_or_refusal(key, json.dumps(value))


# Each key's own fields, with any JSON in one of them: what reaches the field checks, not only the shape check.
SHAPES = {"min_staffing": [{"label": "Rooming", "roles": ["ma"], "base": 1, "per_provider": 0}],
          "required_credentials": {"ma": ["bls"]},
          "pay_period": {"kind": "weekly", "anchor": "2026-01-05"},
          "temperature_ranges": {"fridge": [2.0, 8.0], "freezer": [-50.0, -15.0]},
          "sick_leave_default": {"hours": 1, "per_hours_worked": 30, "carry_over_cap": 40, "reset": "01-01"},
          "kpi_targets": {"days_in_ar": 40, "denial_rate_pct": 5.0, "net_collection_pct": 95.0},
          "practice": {"name": "Elm", "address": "1 Elm St", "phone": "555-123-4567"},
          "investigate_after_days": {"electronic": 21, "paper": 30}}


def _planted(shape: Any, path: list[int], value: Any) -> Any:
    """`shape` with `value` put in place of the node `path` picks (each index modulo the node's size)."""
    if not path or not isinstance(shape, (list, dict)) or not shape:
        return value
    if isinstance(shape, list):
        at = path[0] % len(shape)
        return [*shape[:at], _planted(shape[at], path[1:], value), *shape[at + 1:]]
    key = list(shape)[path[0] % len(shape)]
    return {**shape, key: _planted(shape[key], path[1:], value)}


@MANY
@given(key=st.sampled_from(sorted(SHAPES)), path=st.lists(st.integers(0, 9), min_size=1, max_size=3),
       value=any_json)
def test_any_json_in_any_field_gives_a_value_or_a_refusal(key: str, path: list[int], value: Any) -> None:
    _value_or_refusal(key, json.dumps(_planted(SHAPES[key], path, value)))


@pytest.mark.parametrize(("key", "text"), [
    ("min_staffing", '[{"label": " Rooming ", "roles": ["ma", "nurse"], "base": 0, "per_provider": 2}]'),
    ("required_credentials", '{"ma": ["bls", "hipaa_training"], "front_desk": []}'),
    ("sick_leave_default", '{"hours": 1.5, "per_hours_worked": "30", "carry_over_cap": null, "reset": "7-1"}'),
    ("practice", '{"name": "Café Ñandú", "address": "1 Elm St", "phone": "1 555 123 4567"}'),
    ("open_weekdays", "fri; mon, 2"),
    ("paid_time_off_kinds", "pto, sick"),
])
def test_a_value_read_is_json_and_reads_again_to_itself(key: str, text: str) -> None:
    value = read(key, text)
    assert json.loads(json.dumps(value)) == value
    assert read(key, as_text(key, value)) == value


def test_investigation_days() -> None:
    assert read("investigate_after_days", '{"electronic": 1, "paper": 365}') == {"electronic": 1, "paper": 365}
    assert "paper (days) must be a whole number from 1 to 365, not 0" == refused(
        "investigate_after_days", '{"electronic": 21, "paper": 0}')


# -- reading and changing through the service


def test_set_takes_effect_at_once_is_audited_and_lists_as_changed(session: Session) -> None:
    [before] = [r for r in list_settings(session, actor=MANAGER) if r.key == "lock_idle_minutes"]
    assert (before.value, before.default, before.changed, before.version) == ("5", "5", False, 0)
    row = set_setting(session, "lock_idle_minutes", "15", now=NOW, actor=MANAGER, expected_version=0)
    assert settings.get(session, "lock_idle_minutes") == 15
    assert (row.value, row.default, row.changed, row.version) == ("15", "5", True, 1)
    [(event, changes)] = audit_events(session, "setting")
    assert (event.action, event.actor, changes) == ("lock_idle_minutes", str(MANAGER), {"value": [5, 15]})


def test_list_is_grouped_by_area_and_holds_every_setting(session: Session) -> None:
    rows = list_settings(session, actor=MANAGER)
    assert [r.key for r in rows][:3] == ["practice", "open_weekdays", "open_on_holidays"]  # Practice first
    areas = [r.area for r in rows]
    assert areas == sorted(areas, key=["Practice", "Schedule", "Staff & payroll", "Inventory", "Billing",
                                       "Compliance", "Security"].index)
    assert {r.key for r in rows} == set(settings.DEFAULTS)
    assert [r.editable for r in rows if r.key == "demo_data"] == [False]


def test_a_bad_value_changes_nothing(session: Session) -> None:
    with pytest.raises(BadValue, match="from 0 to 240"):
        set_setting(session, "lock_idle_minutes", "241", now=NOW, actor=MANAGER)
    assert settings.get(session, "lock_idle_minutes") == 5
    assert audit_events(session, "setting") == []


def test_a_stale_edit_is_refused(session: Session) -> None:
    set_setting(session, "statement_cycle_days", "45", now=NOW, actor=MANAGER, expected_version=0)
    with pytest.raises(StaleEdit):
        set_setting(session, "statement_cycle_days", "60", now=NOW, actor=MANAGER, expected_version=0)
    assert settings.get(session, "statement_cycle_days") == 45


def test_the_same_value_again_writes_nothing(session: Session) -> None:
    row = set_setting(session, "aging_from", "service", now=NOW, actor=MANAGER)
    assert (row.version, audit_events(session, "setting")) == (0, [])


def test_reset_puts_the_default_back_audited(session: Session) -> None:
    set_setting(session, "open_weekdays", "Mon, Tue, Wed, Thu, Fri, Sat", now=NOW, actor=MANAGER)
    row = reset_setting(session, "open_weekdays", now=NOW, actor=MANAGER, expected_version=1)
    assert (settings.get(session, "open_weekdays"), row.changed, row.value) == (
        [0, 1, 2, 3, 4], False, "Mon, Tue, Wed, Thu, Fri")
    assert [c for _, c in audit_events(session, "setting")][-1] == {"value": [[0, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4]]}
    with pytest.raises(BadValue, match="not changed here"):
        reset_setting(session, "demo_data", now=NOW, actor=MANAGER)


@pytest.mark.parametrize("role", OTHERS)
def test_other_roles_may_read_but_not_change(session: Session, role: UserRole) -> None:
    someone = Actor("sam", {role}, workstation="desk")
    assert setting_row(session, "lock_idle_minutes", actor=someone).value == "5"
    with pytest.raises(NotAllowed, match="changing the practice's settings needs the manager role"):
        set_setting(session, "lock_idle_minutes", "10", now=NOW, actor=someone)
    with pytest.raises(NotAllowed):
        reset_setting(session, "lock_idle_minutes", now=NOW, actor=someone)
    assert settings.get(session, "lock_idle_minutes") == 5


def test_a_check_against_another_setting_reads_it_as_stored(session: Session) -> None:
    set_setting(session, "workweek_start", "Sun", now=NOW, actor=MANAGER)
    with pytest.raises(BadValue, match=r"\(Sunday\); 2026-01-05 is a Monday"):
        set_setting(session, "pay_period", '{"kind": "biweekly", "anchor": "2026-01-05"}', now=NOW, actor=MANAGER)
    set_setting(session, "pay_period", '{"kind": "biweekly", "anchor": "2026-01-04"}', now=NOW, actor=MANAGER)
    assert settings.get(session, "pay_period") == {"kind": "biweekly", "anchor": "2026-01-04"}
    set_setting(session, "time_off_kinds", "Vacation, Sick", now=NOW, actor=MANAGER)
    row = set_setting(session, "pto_kinds", "vacation", now=NOW, actor=MANAGER)
    assert (row.value, settings.get(session, "pto_kinds")) == ("Vacation", ["Vacation"])
