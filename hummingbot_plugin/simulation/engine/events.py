"""One time-ordered stream of replay events: market data for every pair, and clock ticks.

At equal timestamps market data comes before the clock tick, so a strategy ticking at ``t`` sees
everything that happened up to and including ``t`` and nothing later.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum

from hummingbot_plugin.simulation.engine.candle_path import PathMode, intrabar_path, path_timestamps
from hummingbot_plugin.simulation.engine.feeds import MarketFeed
from hummingbot_plugin.simulation.engine.models import BookSnapshot, TradePrint

__all__ = ["EventKind", "ReplayEvent", "feed_events", "merge_events", "tick_events"]


class EventKind(IntEnum):
    """Also the tie-break order at equal timestamps."""

    BOOK = 0
    TRADE = 1
    PRICE = 2
    TICK = 3


@dataclass(frozen=True)
class ReplayEvent:
    timestamp: float
    kind: EventKind
    connector: str = ""
    trading_pair: str = ""
    book: BookSnapshot | None = None
    trade: TradePrint | None = None
    price: Decimal | None = None
    hold_s: float = 0.0  # candle path point: seconds until the next point is due


def feed_events(
    feed: MarketFeed, connector: str, *, path_mode: PathMode = PathMode.AUTO, points_per_bar: int = 4
) -> Iterator[ReplayEvent]:
    """Events of one loaded file (candle files become intrabar price-path points)."""
    pair = feed.trading_pair
    for book in feed.books:
        yield ReplayEvent(book.timestamp, EventKind.BOOK, connector, pair, book=book)
    for trade in feed.trades:
        yield ReplayEvent(trade.timestamp, EventKind.TRADE, connector, pair, trade=trade)
    for bar in feed.bars:
        prices = intrabar_path(bar, path_mode)
        times = path_timestamps(bar.timestamp, feed.bar_seconds, points_per_bar)
        picks = _spread(prices, points_per_bar)
        hold = feed.bar_seconds / max(1, points_per_bar)
        for ts, price in zip(times, picks, strict=True):
            yield ReplayEvent(ts, EventKind.PRICE, connector, pair, price=price, hold_s=hold)


def _spread(prices: tuple[Decimal, ...], points: int) -> list[Decimal]:
    """Map the 4 path prices onto ``points`` slots (2 → open, close; 4 → all; more → repeat)."""
    if points <= 1:
        return [prices[-1]]
    step = (len(prices) - 1) / (points - 1)
    return [prices[round(i * step)] for i in range(points)]


def tick_events(start: float, end: float, tick_size: float) -> Iterator[ReplayEvent]:
    """Clock ticks on the grid ``k * tick_size`` within ``(start, end]``."""
    k = math.floor(start / tick_size) + 1
    while k * tick_size <= end:
        yield ReplayEvent(k * tick_size, EventKind.TICK)
        k += 1


def merge_events(streams: Iterable[Iterable[ReplayEvent]]) -> Iterator[ReplayEvent]:
    """Merge already-sorted streams by (timestamp, kind)."""
    return heapq.merge(*streams, key=lambda e: (e.timestamp, int(e.kind)))
