"""An asyncio event loop whose clock is simulated time.

Hummingbot's V2 runtime is asynchronous: executors and controllers run ``control_loop`` coroutines
that ``await asyncio.sleep(update_interval)``, the order tracker schedules tasks, and our simulated
latency sleeps. Running them against replayed data needs every one of those sleeps to elapse in
*simulated* time. This loop reports ``time()`` as a simulated epoch timestamp and, whenever nothing
is ready to run, jumps straight to the earliest scheduled timer instead of blocking. Timers fire in
timestamp order and ties keep scheduling order, so a replay is deterministic and as fast as the CPU.
"""

from __future__ import annotations

import asyncio
import heapq
from typing import Any

__all__ = ["VirtualTimeLoop", "current_loop", "restore_loop"]


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """Event loop with a simulated clock starting at ``start_time`` (epoch seconds)."""

    def __init__(self, start_time: float) -> None:
        super().__init__()
        self._virtual_now = float(start_time)
        # Epoch floats have ~2e-7 s resolution; the default (1e-9) would make a timer due "now" never fire.
        self._clock_resolution = 1e-6

    def time(self) -> float:
        return self._virtual_now

    def advance_to(self, timestamp: float) -> None:
        """Move the clock forward (never backwards)."""
        self._virtual_now = max(self._virtual_now, float(timestamp))

    def _run_once(self) -> None:
        ready: Any = self._ready  # type: ignore[attr-defined]
        scheduled: Any = self._scheduled  # type: ignore[attr-defined]
        if not ready and scheduled:
            while scheduled and scheduled[0]._cancelled:  # same clean-up the base loop does
                handle = heapq.heappop(scheduled)
                handle._scheduled = False
                self._timer_cancelled_count -= 1  # type: ignore[attr-defined]
            if scheduled:
                self.advance_to(scheduled[0]._when)
        super()._run_once()  # type: ignore[misc]


def current_loop() -> asyncio.AbstractEventLoop | None:
    """The thread's current event loop, if one is set (never creates one)."""
    try:
        return asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return None


def restore_loop(previous: asyncio.AbstractEventLoop | None) -> None:
    """Put back the loop that was current before a virtual-time run (a fresh one if it is gone), so code
    that builds connectors outside a running loop keeps working afterwards."""
    if previous is None or previous.is_closed():
        previous = asyncio.new_event_loop()
    asyncio.set_event_loop(previous)
