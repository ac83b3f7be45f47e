"""The garbage collector's full passes, made while the keys rest.

A full pass over what the app builds while it runs (tables' rows, Textual's render caches) takes 30-50 ms on the
large demo. Left to itself the collector starts one whenever enough objects have outlived two younger passes,
which is as likely as not inside a key's frame: the frame then misses its 50 ms budget. While the app runs,
automatic full passes come ten times less often, and the app makes one itself when the keys have rested a moment.
"""

from __future__ import annotations

import gc
import time

REST_SECONDS = 1.0  # no key for this long: a full pass now delays no one
# Automatic full passes after this many middle ones (the collector's own: 10). Not never: keys that never rest
# (a script, a key held down) would pile up garbage, 35 MB a minute in the bench's keys; this keeps it near 15.
FULL_PASS_AFTER = 100


class RestingCollector:
    def __init__(self) -> None:
        self.thresholds: tuple[int, int, int] | None = None  # the collector's own, while they are put aside

    def start(self) -> None:
        if self.thresholds is None:
            self.thresholds = gc.get_threshold()
            young, middle, _ = self.thresholds
            gc.set_threshold(young, middle, FULL_PASS_AFTER)

    def stop(self) -> None:
        if self.thresholds is not None:
            gc.set_threshold(*self.thresholds)
            self.thresholds = None

    def tick(self, last_input: float) -> None:
        """Called every few seconds: a full pass if a middle one ran since the last (objects have piled up) and the
        keys have rested."""
        if self.thresholds is not None and gc.get_count()[2] > 0 and time.monotonic() - last_input >= REST_SECONDS:
            gc.collect()
