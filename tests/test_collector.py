"""The collector's full passes while the app runs: rarer, and made when the keys have rested."""

from __future__ import annotations

import gc
import time

import pytest

from officemgr.tui import collector
from officemgr.tui.collector import FULL_PASS_AFTER, REST_SECONDS, RestingCollector

COLLECT = gc.collect  # the real one, for the tests' own middle passes


@pytest.fixture
def full_passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    made: list[int] = []
    monkeypatch.setattr(collector.gc, "collect", lambda generation=2: made.append(generation) or 0)
    return made


def test_start_puts_full_passes_off_and_stop_gives_the_thresholds_back() -> None:
    before = gc.get_threshold()
    resting = RestingCollector()
    resting.start()
    try:
        resting.start()  # a second start keeps the thresholds it saved first
        assert gc.get_threshold() == (*before[:2], FULL_PASS_AFTER)
    finally:
        resting.stop()
    assert gc.get_threshold() == before
    resting.stop()
    assert gc.get_threshold() == before


def test_a_full_pass_waits_for_the_keys_to_rest(full_passes: list[int]) -> None:
    resting = RestingCollector()
    resting.start()
    try:
        COLLECT(1)  # a middle pass: objects have piled up for a full one
        now = time.monotonic()
        resting.tick(last_input=now)  # a key just now
        resting.tick(last_input=now - REST_SECONDS / 2)
        assert full_passes == []
        resting.tick(last_input=now - REST_SECONDS)
        assert full_passes == [2]
    finally:
        resting.stop()


def test_no_full_pass_when_nothing_piled_up_or_when_not_started(full_passes: list[int]) -> None:
    resting = RestingCollector()
    resting.tick(last_input=0.0)  # not started: the collector's own thresholds decide
    resting.start()
    try:
        collector.gc.get_count = lambda: (0, 0, 0)  # type: ignore[assignment]
        resting.tick(last_input=0.0)
    finally:
        del collector.gc.get_count
        resting.stop()
    assert full_passes == []
