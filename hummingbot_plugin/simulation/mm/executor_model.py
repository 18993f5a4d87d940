"""The order executors of the full runtime, modelled without Hummingbot: one quote per level, its timing.

What the pure replays copy from the Hummingbot V2 runtime (``OrderExecutor`` + ``ExecutorOrchestrator``
on the simulated exchange, ``hummingbot_plugin/simulation/exchange``):

* the controller decides on a clock grid (book mode every 1 s, candle mode at each intrabar path point)
  and sees executors as of the strategy tick: an order filled AT the decision time still looks active;
* a created executor places its order at once, at ``min(plan, best bid)`` / ``max(plan, best ask)``
  (LIMIT_MAKER), floored to the price tick and the lot step like ``ExchangePyBase``; it reaches the
  matching engine ``latency_s`` later;
* a stopped executor leaves the level at once but cancels its order only at its next control tick
  (``interval`` later) plus the cancel latency, so the order can still fill meanwhile; it closes
  ``5 s`` + one interval after that (``control_shutdown_process``);
* a filled order closes its executor at the strategy clock's time (``Timing.clock``); the position it
  holds counts in the inventory from the next decision on; a level with a fill is left to finish.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from hummingbot_plugin.mm.levels import LevelView
from hummingbot_plugin.simulation.engine.config import PairRules
from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.engine.models import Fill, OrderKind, Side, SimOrder

__all__ = ["SHUTDOWN_WAIT_S", "Executor", "ExecutorModel"]

#: OrderExecutor.control_shutdown_process sleeps this long after asking for a cancel.
SHUTDOWN_WAIT_S = 5.0


@dataclass
class Executor:
    """One level's order executor."""

    order_id: str
    level_id: str
    side: Side
    plan_price: float
    created_at: float
    mid: float
    filled: float = 0.0
    running: bool = True
    closed_at: float | None = None
    done_at: float | None = None  # fill time of the completing fill (visible to decisions after it)
    stopped_at: float | None = None
    was_running: bool = True  # running when it completed
    held: bool = False

    def view(self, now: float) -> LevelView:
        # filled at ``now``: the strategy's report of ``now`` predates the completion
        done = self.done_at is not None and self.done_at >= now
        active = self.running or (done and self.was_running)
        closed_at = None if done else self.closed_at
        return LevelView(
            self.order_id,
            self.level_id,
            self.created_at,
            active,
            active and self.filled > 0,  # a level with a fill finishes on its own (hb/mm_adapter.py)
            self.filled > 0,
            closed_at,
            self.plan_price,
        )


class ExecutorModel:
    """Executors, their delayed orders and cancels, against one :class:`MatchingEngine`."""

    def __init__(
        self,
        engine: MatchingEngine,
        rules: PairRules,
        *,
        interval: float,
        latency_s: float,
        clock: Callable[[float], float],
    ) -> None:
        self.engine, self.rules = engine, rules
        self.interval, self.latency_s, self.clock = interval, latency_s, clock
        self.executors: dict[str, Executor] = {}
        self.latest: dict[str, Executor] = {}  # newest closed executor per level (enough for the timers)
        self._just_done: list[Executor] = []  # closed by a fill, not yet in the strategy's report
        self._bounds: tuple[float, float] | None = None  # cache of resting_bounds()
        self.pending: list[tuple[float, int, str, str, SimOrder | None]] = []  # (at, seq, kind, id, order)
        self.inventory_held = 0.0
        self.n_orders = self.n_rejected = 0
        self._seq = 0

    # ----- what a decision sees ------------------------------------------------------------------
    def views(self, now: float) -> list[LevelView]:
        return [e.view(now) for e in [*self.executors.values(), *self.latest.values()]]

    def inventory(self, now: float) -> float:
        """Signed base of the positions held by closed executors, as the controller sees it at ``now``."""
        self._just_done = [e for e in self._just_done if e.done_at is not None and e.done_at >= now]
        late = sum(e.filled * (1 if e.side is Side.BUY else -1) for e in self._just_done)
        return self.inventory_held - late

    # ----- actions -------------------------------------------------------------------------------
    def create(
        self,
        level_id: str,
        price: float,
        amount: float,
        now: float,
        mid: float,
        best: tuple[Decimal | None, Decimal | None],
    ) -> Executor | None:
        self._seq += 1
        side = Side.BUY if level_id.startswith("buy") else Side.SELL
        grid = self._on_grid(side, price, amount, best)
        if grid is None:
            self.n_rejected += 1
            return None
        order_id = f"{level_id}-{self._seq}"
        ex = Executor(order_id, level_id, side, price, now, mid)
        self.executors[order_id] = ex
        order = SimOrder(order_id, side, OrderKind.LIMIT_MAKER, grid[1], grid[0], now)
        self._schedule(now + self.latency_s, "place", order_id, order)
        return ex

    def stop(self, order_id: str, now: float) -> None:
        ex = self.executors.get(order_id)
        if ex is not None and ex.running:
            ex.running, ex.stopped_at = False, now
            self._schedule(now + self.interval + self.latency_s, "cancel", order_id, None)

    def resting_bounds(self) -> tuple[float, float] | None:
        """(highest resting bid, lowest resting ask) in the engine, ±inf for an empty side; None if none."""
        if self._bounds is None:
            resting = self.engine.resting_orders
            bids = [float(o.price or 0) for o in resting if o.side is Side.BUY]
            asks = [float(o.price or 0) for o in resting if o.side is Side.SELL]
            self._bounds = (max(bids, default=-math.inf), min(asks, default=math.inf))
        return None if self._bounds == (-math.inf, math.inf) else self._bounds

    def next_due(self) -> float:
        return self.pending[0][0] if self.pending else math.inf

    def run_due(self, until: float, *, inclusive: bool) -> list[Fill]:
        """Place / cancel everything due before ``until`` (or at it, when ``inclusive``)."""
        fills: list[Fill] = []
        while self.pending and (self.pending[0][0] < until or (inclusive and self.pending[0][0] == until)):
            at, _, kind, order_id, order = heapq.heappop(self.pending)
            if kind == "place" and order is not None:
                fills.extend(self._place(order, at))
            elif kind == "cancel":
                self._cancel(order_id, at)
            elif kind == "close":
                self._close(order_id, self.clock(at))
        return fills

    def on_fill(self, fill: Fill) -> Executor:
        ex = self.executors[fill.order_id]
        ex.filled += float(fill.amount)
        if fill.order_done:
            self._bounds = None
            ex.done_at, ex.was_running = fill.timestamp, ex.running
            self._close(fill.order_id, self.clock(fill.timestamp))
        return ex

    # ----- internals -----------------------------------------------------------------------------
    def _schedule(self, at: float, kind: str, order_id: str, order: SimOrder | None) -> None:
        self._seq += 1
        heapq.heappush(self.pending, (at, self._seq, kind, order_id, order))

    def _place(self, order: SimOrder, at: float) -> list[Fill]:
        self._bounds = None
        result = self.engine.submit(order, at)
        if result.rejection is not None:
            self.n_rejected += 1
            self._close(order.order_id, self.clock(at))
            return []
        self.n_orders += 1
        return result.fills

    def _cancel(self, order_id: str, at: float) -> None:
        self._bounds = None
        ex = self.executors.get(order_id)
        if self.engine.cancel(order_id) is not None and ex is not None and ex.stopped_at is not None:
            # OrderExecutor.control_shutdown_process: cancel, wait 5 s, one more update interval, close
            close_at = ex.stopped_at + 2 * self.interval + SHUTDOWN_WAIT_S
            self._schedule(close_at, "close", order_id, None)

    def _close(self, order_id: str, closed_at: float) -> None:
        ex = self.executors.pop(order_id, None)
        if ex is None:
            return
        ex.running, ex.closed_at = False, closed_at
        if ex.filled > 0:
            ex.held = True
            self.inventory_held += ex.filled * (1 if ex.side is Side.BUY else -1)
        if ex.done_at is not None:
            self._just_done.append(ex)
        current = self.latest.get(ex.level_id)
        if current is None or ex.created_at >= current.created_at:  # the level timers read the newest
            self.latest[ex.level_id] = ex

    def _on_grid(
        self, side: Side, price: float, amount: float, best: tuple[Decimal | None, Decimal | None]
    ) -> tuple[Decimal, Decimal] | None:
        """LIMIT_MAKER price clamped to the touch, both floored to the venue grid; None below minimums."""
        px = Decimal(repr(float(price)))
        touch = best[0] if side is Side.BUY else best[1]
        if touch is not None:
            px = min(px, touch) if side is Side.BUY else max(px, touch)
        r = self.rules
        px = (px // r.min_price_increment) * r.min_price_increment
        size = (Decimal(repr(float(amount))) // r.min_base_amount_increment) * r.min_base_amount_increment
        if px <= 0 or size <= 0 or size < r.min_order_size or px * size < r.min_notional_size:
            return None
        return px, size
