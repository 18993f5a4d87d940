"""An asyncio event loop whose clock is simulated time.

Hummingbot's V2 runtime is asynchronous: executors and controllers run ``control_loop`` coroutines
that ``await asyncio.sleep(update_interval)``, the order tracker schedules tasks, and our simulated
latency sleeps. Running them against replayed data needs every one of those sleeps to elapse in
*simulated* time. This loop reports ``time()`` as a simulated epoch timestamp and, whenever nothing
is ready to run, jumps straight to the earliest scheduled timer instead of blocking. Timers fire in
timestamp order and ties keep scheduling order, so a replay is deterministic and as fast as the CPU.

Market data comes first: :meth:`VirtualTimeLoop.data_due` wakes the replay driver at a timestamp
*before* any other timer due then, so a controller or executor waking at ``t`` always sees the book
and prices of ``t`` (never the previous point's, whatever order the sleeps were scheduled in).
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
        self._data_waiters: list[tuple[float, int, asyncio.Future[None]]] = []
        self._data_seq = 0

    def data_due(self, timestamp: float) -> asyncio.Future[None]:
        """A future resolved at simulated ``timestamp``, ahead of every other timer due at that time."""
        future: asyncio.Future[None] = self.create_future()
        self._data_seq += 1
        heapq.heappush(self._data_waiters, (float(timestamp), self._data_seq, future))
        return future

    def time(self) -> float:
        return self._virtual_now

    def advance_to(self, timestamp: float) -> None:
        """Move the clock forward (never backwards)."""
        self._virtual_now = max(self._virtual_now, float(timestamp))

    def _run_once(self) -> None:
        ready: Any = self._ready  # type: ignore[attr-defined]
        scheduled: Any = self._scheduled  # type: ignore[attr-defined]
        if not ready and (scheduled or self._data_waiters):
            while scheduled and scheduled[0]._cancelled:  # same clean-up the base loop does
                handle = heapq.heappop(scheduled)
                handle._scheduled = False
                self._timer_cancelled_count -= 1  # type: ignore[attr-defined]
            next_timer = scheduled[0]._when if scheduled else None
            if not self._release_data_waiter(next_timer) and next_timer is not None:
                self.advance_to(next_timer)
        super()._run_once()  # type: ignore[misc]

    def _release_data_waiter(self, next_timer: float | None) -> bool:
        """Resolve the earliest data waiter if it is due no later than ``next_timer``; its task is then
        first in the ready queue, before the timers that fall due at the same time."""
        waiters = self._data_waiters
        while waiters and waiters[0][2].done():  # cancelled (e.g. the replay was stopped)
            heapq.heappop(waiters)
        if not waiters or (next_timer is not None and waiters[0][0] > next_timer + self._clock_resolution):
            return False
        timestamp, _, future = heapq.heappop(waiters)
        self.advance_to(timestamp)
        future.set_result(None)
        return True


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
