"""PMM replay on the recorded L2 book + trade tape, timed like the full runtime's book mode.

Event order (as ``hummingbot_plugin/simulation/replay/run.py`` drives it): L2 snapshots (1 s) and trades by
exchange time, a snapshot before a trade at the same millisecond; the controller decides on the clock
grid ``start + k`` seconds (``start``: the first time both files cover), after the data of that time,
from the 1m bars built from the trades and closed by then (like the controller's candles feed) and the
mid of the last snapshot. Orders and cancels follow the executors' timing
(:mod:`hummingbot_plugin.simulation.mm.executor_model`); fills follow the simulator's queue model
(:mod:`hummingbot_plugin.simulation.engine.matching`).

Speed: a trade can change the engine only if it prints at or through one of our resting prices, so
between two control points the trades are screened (:class:`TapeIndex`, numpy) and only those reach the
engine; the PMM's quote plan is recomputed only when its inputs (mid, inventory, features) change.
``exact=True`` feeds every trade and plans at every tick (the reference loop; the results are identical,
``tests/test_mm_pure_parity.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.mm import pmm_logic
from hummingbot_plugin.mm.pmm_logic import PMMSettings
from hummingbot_plugin.simulation.engine.candle_store import bars_from_trades
from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.engine.models import BookSnapshot, TradePrint
from hummingbot_plugin.simulation.mm.quote_replay import (
    QuoteReplay,
    ReplayOptions,
    ReplayResult,
    RiskFn,
    Timing,
)
from hummingbot_plugin.simulation.mm.tape_index import TapeIndex

__all__ = ["BookEvents", "FeatureMode", "mid_of", "run_book_replay"]

FeatureMode = Literal["bars", "mids"]


@dataclass(frozen=True)
class BookEvents:
    """Recorded L2 snapshots and trades of one pair."""

    books: Sequence[BookSnapshot]
    trades: Sequence[TradePrint]

    @cached_property
    def tape(self) -> TapeIndex:
        """The trades as arrays (built once per data set, shared by every run on it)."""
        return TapeIndex(self.trades)

    def merged(self) -> list[BookSnapshot | TradePrint]:
        events: list[BookSnapshot | TradePrint] = [*self.books, *self.trades]
        events.sort(key=lambda e: (e.timestamp, 0 if isinstance(e, BookSnapshot) else 1))
        return events


def mid_of(book: BookSnapshot) -> float:
    """Mid of the displayed best bid/ask (NaN for a one-sided book)."""
    if book.best_bid is None or book.best_ask is None:
        return float("nan")
    return (float(book.best_bid) + float(book.best_ask)) / 2.0


class _Features:
    """Quote features at each decision tick (ascending), computed for all ticks at once.

    ``bars`` (the controller's rule): the last bar of ``candles_interval`` built from the trades and closed
    by the tick (NaN until ``volatility_window + 1`` bars have closed). ``mids``: the 1 s mid series of the
    snapshots up to the tick (a research variant: volatility known from the first seconds).
    """

    def __init__(
        self, events: BookEvents, settings: PMMSettings, mode: FeatureMode, ticks: NDArray[np.float64]
    ) -> None:
        interval = interval_seconds(settings.candles_interval)
        if mode == "bars":
            trades = events.trades
            frame = events.tape.bars(interval) if trades else bars_from_trades(trades, interval)
        else:
            books = events.books
            frame = pd.DataFrame(
                {"timestamp": [b.timestamp for b in books], "close": [mid_of(b) for b in books]}
            )
        features = pmm_logic.feature_frame(frame, settings, None)
        stamps = frame["timestamp"].to_numpy(dtype=np.float64)
        if mode == "bars":
            n = np.searchsorted(stamps + float(interval), ticks, side="right")  # closed_count per tick
            ok = n > settings.volatility_window
        else:
            n = np.searchsorted(stamps, ticks, side="right")
            ok = n > 0
        rows = np.maximum(n - 1, 0)
        nan = np.full(len(ticks), np.nan)
        skew = features["forecast_skew"].to_numpy(dtype=np.float64)
        mult = features["spread_multiplier"].to_numpy(dtype=np.float64)
        self.skew = np.where(ok, skew[rows], nan).tolist() if len(skew) else nan.tolist()
        self.mult = np.where(ok, mult[rows], nan).tolist() if len(mult) else nan.tolist()

    def at(self, k: int) -> dict[str, float]:
        return {"forecast_skew": self.skew[k], "spread_multiplier": self.mult[k]}


class _Tape:
    """Feeds the trades to the engine up to a time: all of them (``exact``), or only those that can reach
    a resting quote (the others leave the engine unchanged)."""

    def __init__(self, events: BookEvents, replay: QuoteReplay, exact: bool) -> None:
        self.trades, self.index, self.replay, self.exact = events.trades, events.tape, replay, exact
        self.times = self.index.times
        self.next = 0

    def feed_until(self, t: float, *, inclusive: bool) -> None:
        if (
            self.next >= len(self.times)
            or self.times[self.next] > t
            or (not inclusive and self.times[self.next] == t)
        ):
            return
        hi = int(self.index.ts.searchsorted(t, side="right" if inclusive else "left"))
        lo, self.next = self.next, max(self.next, hi)
        if hi <= lo:
            return
        engine = self.replay.engine
        if self.exact:
            for i in range(lo, hi):
                self.replay.on_fills(engine.on_trade(self.trades[i]))
            return
        bounds = self.replay.model.resting_bounds()
        if bounds is None or not self.index.reaches(lo, hi, *bounds):
            return
        top_bid, low_ask = bounds
        px, sell = self.index.px[lo:hi], self.index.sell[lo:hi]
        for i in np.flatnonzero((sell & (px <= top_bid)) | (~sell & (px >= low_ask))):
            self.replay.on_fills(engine.on_trade(self.trades[lo + int(i)]))


def run_book_replay(
    events: BookEvents,
    settings: PMMSettings,
    *,
    latency_s: float = 0.05,
    risk_fn: RiskFn | None = None,
    options: ReplayOptions | None = None,
    exact: bool = False,
    features: FeatureMode = "mids",
) -> ReplayResult:
    """Replay ``settings`` on the recorded book and trades (queue-aware fills), see the module doc.

    ``features="bars"`` computes the quote features as the controller does (1m bars of the trades), which
    is what the full-runtime replay does; ``"mids"`` uses the 1 s mids. The planner sees ``timestamp`` =
    the decision time (the GLFT quoter picks its window's estimate).
    """
    books, trades = events.books, events.trades
    if not books:
        return QuoteReplay(settings, MatchingEngine(), options=options).result()
    start = max(books[0].timestamp, trades[0].timestamp if trades else -math.inf)
    end = min(books[-1].timestamp, trades[-1].timestamp if trades else math.inf)
    ticks = np.arange(math.floor(start) + 1, math.floor(end) + 1, dtype=np.float64)  # the clock's wake-ups
    timing = Timing(interval=1.0, latency_s=latency_s, clock_start=start)
    replay = QuoteReplay(settings, MatchingEngine(), risk_fn=risk_fn, options=options, timing=timing)
    replay.memo = replay.memo and not exact  # the reference loop plans at every tick
    _drive(events, replay, ticks.tolist(), _Features(events, settings, features, ticks), exact, end)
    return replay.result()


def _drive(
    events: BookEvents, replay: QuoteReplay, ticks: list[float], feats: _Features, exact: bool, end: float
) -> None:
    """Books, trades, controller ticks and executor actions in the full runtime's order, up to ``end``
    (the last time both files cover, where the full runtime stops)."""
    books, engine, tape = events.books, replay.engine, _Tape(events, replay, exact)
    bi, k, book = 0, 0, None
    while True:
        next_book = books[bi].timestamp if bi < len(books) else math.inf
        next_tick = ticks[k] if k < len(ticks) else math.inf
        x = min(next_book, next_tick, replay.model.next_due())
        if x > end:
            break
        tape.feed_until(x, inclusive=False)
        if next_book == x:
            book = books[bi]
            bi += 1
            replay.on_fills(engine.on_book(book))
        tape.feed_until(x, inclusive=True)
        if next_tick == x:
            if book is not None:
                replay.decide(x, mid_of(book), feats.at(k), (book.best_bid, book.best_ask))
            k += 1
        replay.on_fills(replay.model.run_due(x, inclusive=True))
    tape.feed_until(end, inclusive=True)
