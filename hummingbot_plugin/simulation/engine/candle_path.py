"""Candle-only simulation: the assumed price path inside a bar and a synthetic top-of-book.

Assumptions (conservative, documented in docs/simulator.md):

* ``auto`` path: a bullish bar (close >= open) goes open → low → high → close, a bearish bar
  open → high → low → close (the extreme on the "wrong" side first, so stops are hit before targets
  more often than not).
* ``olhc`` / ``ohlc``: that fixed order for every bar.
* The synthetic book is one level per side at ``price ∓ half_spread`` with ``depth`` base units.
* Limit orders fill only when the path trades THROUGH the limit (strictly better), at the limit.
"""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

from hummingbot_plugin.simulation.engine.models import Bar, BookLevel, BookSnapshot

__all__ = ["PathMode", "intrabar_path", "path_timestamps", "synthetic_book"]

_BPS = Decimal("0.0001")


class PathMode(Enum):
    """Order in which a bar's extremes are assumed to have traded."""

    AUTO = "auto"
    OLHC = "olhc"
    OHLC = "ohlc"


def intrabar_path(bar: Bar, mode: PathMode = PathMode.AUTO) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """The four prices a bar is assumed to have traded, in order."""
    low_first = mode is PathMode.OLHC or (mode is PathMode.AUTO and bar.close >= bar.open)
    if low_first:
        return (bar.open, bar.low, bar.high, bar.close)
    return (bar.open, bar.high, bar.low, bar.close)


def path_timestamps(bar_open: float, bar_seconds: float, points: int = 4) -> list[float]:
    """Evenly spaced times inside the bar at which the path points are replayed."""
    step = bar_seconds / points
    return [bar_open + i * step for i in range(points)]


def synthetic_book(
    price: Decimal, timestamp: float, *, half_spread_bps: Decimal, depth: Decimal, tick: Decimal | None = None
) -> BookSnapshot:
    """One level per side around ``price`` (rounded outwards to ``tick`` when given)."""
    half = price * half_spread_bps * _BPS
    bid, ask = price - half, price + half
    if tick is not None and tick > 0:
        bid = (bid / tick).to_integral_value(rounding="ROUND_FLOOR") * tick
        ask = (ask / tick).to_integral_value(rounding="ROUND_CEILING") * tick
        if ask <= bid:
            ask = bid + tick
    return BookSnapshot(timestamp=timestamp, bids=(BookLevel(bid, depth),), asks=(BookLevel(ask, depth),))
