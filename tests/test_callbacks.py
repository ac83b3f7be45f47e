"""The mend of Textual's callback parameter count (tui/callbacks.py): the same counts, one signature per function."""

from __future__ import annotations

from functools import partial

import pytest
from textual import _callback
from textual.app import App

from officemgr.tui.callbacks import _textual_count, count_parameters, mend_callbacks


class Thing:
    def method(self, a: int, b: int) -> None: ...


def two(a: int, b: int) -> None: ...


@pytest.mark.parametrize("make", [
    lambda: partial(two),
    lambda: partial(two, 1),
    lambda: partial(two, b=2),
    lambda: partial(partial(two, 1)),
    lambda: partial(Thing().method, 1),
    lambda: partial([].append),
    lambda: two,
    lambda: Thing().method,
])
def test_counts_what_textual_counts(make) -> None:  # type: ignore[no-untyped-def]
    assert count_parameters(make()) == _textual_count(make())


def test_a_new_partial_of_a_counted_function_asks_for_no_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    def three(a: int, b: int, c: int) -> None: ...

    asked: list[object] = []
    signature = _callback.signature

    def counted(func):  # type: ignore[no-untyped-def]
        asked.append(func)
        return signature(func)

    monkeypatch.setattr(_callback, "signature", counted)
    assert [count_parameters(partial(three, n)) for n in range(50)] == [2] * 50
    assert asked == [three]


async def test_callbacks_run_with_their_arguments_in_a_mended_app() -> None:
    mend_callbacks()
    assert _callback.count_parameters is count_parameters
    got: list[tuple[int, ...]] = []

    class Tiny(App[None]):
        def on_mount(self) -> None:
            self.call_later(lambda a, b: got.append((a, b)), 1, 2)
            self.call_after_refresh(partial(lambda a, b: got.append((a, b)), 3), 4)

    async with Tiny().run_test() as pilot:
        await pilot.pause()
    assert sorted(got) == [(1, 2), (3, 4)]
