"""Control and bidi characters: named when refused, spelled out when shown."""

from __future__ import annotations

import pytest

from officemgr.plaintext import unsafe_character, visible, visible_values


@pytest.mark.parametrize(("text", "said"), [
    ("Ann\x1b]0;pwned\x07", "an escape character (\\x1b)"),
    ("Bob\x07", "a bell character (\\x07)"),
    ("x\x7f", "a delete character (\\x7f)"),
    ("x\x9b31m", "a control character (\\x9b)"),
    ("gpj\u202e.exe", "a text-direction override (\\u202e)"),
    ("iso\u2066late", "a text-direction override (\\u2066)"),
    ("two\nlines", "a line break (\\x0a)"),
])
def test_unsafe_characters_are_named(text: str, said: str) -> None:
    assert unsafe_character(text) == said


def test_ordinary_text_passes_including_accents_and_other_scripts() -> None:
    for text in ("José Müller-Ñúñez", "O'Brien", "李小龍", "עברית", "50% off, $12.00"):
        assert unsafe_character(text) is None
        assert visible(text) == text


def test_free_text_may_hold_line_breaks_and_tabs_but_not_escapes() -> None:
    assert unsafe_character("line one\n\tline two", free_text=True) is None
    assert unsafe_character("note\x1b[2J", free_text=True) == "an escape character (\\x1b)"


def test_stored_characters_are_spelled_out() -> None:
    assert visible("Ann\x1b]0;pwned\x07") == "Ann\\x1b]0;pwned\\x07"
    assert visible("gpj\u202e.exe") == "gpj\\u202e.exe"
    assert visible("a\nb") == "a\\x0ab"
    assert visible("a\nb\x1b", free_text=True) == "a\nb\\x1b"


def test_decoded_json_is_spelled_out_all_the_way_down() -> None:
    assert visible_values({"na\x1bme": ["a\x07", 3, None, {"k": "\u202e"}]}) == {
        "na\\x1bme": ["a\\x07", 3, None, {"k": "\\u202e"}]}


def test_clipped_spells_out_then_cuts_with_an_ellipsis() -> None:
    from officemgr.plaintext import clipped

    assert clipped("short", 10) == "short"
    assert clipped("a\x1bbcdef", 6) == "a\\x1b…"
    assert len(clipped("x" * 1000, 300)) == 300
