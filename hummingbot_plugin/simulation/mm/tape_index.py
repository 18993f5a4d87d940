"""The trade tape as arrays, with O(1) range extremes: can any trade in a range reach our quotes?

A resting bid can only be filled by a SELL-aggressor trade at or below its price, an ask by a
BUY-aggressor trade at or above it (``simulation.engine.matching``). A sparse table of the lowest
SELL-aggressor price and the highest BUY-aggressor price answers, for any index range, whether some
trade in it reaches the best resting bid or ask, without a Python loop over the trades.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.simulation.engine.models import Side, TradePrint

__all__ = ["TapeIndex"]


def _sparse(values: NDArray[np.float64], op: np.ufunc) -> list[NDArray[np.float64]]:
    table = [values]
    span = 1
    while 2 * span <= len(values):
        prev = table[-1]
        table.append(op(prev[:-span], prev[span:]))
        span *= 2
    return table


class TapeIndex:
    """Timestamps, prices, sizes and aggressor sides of the trades, plus range-extreme tables."""

    def __init__(self, trades: Sequence[TradePrint]) -> None:
        self.ts = np.array([t.timestamp for t in trades], dtype=np.float64)
        self.px = np.array([float(t.price) for t in trades], dtype=np.float64)
        self.qty = np.array([float(t.amount) for t in trades], dtype=np.float64)
        self.sell: NDArray[np.bool_] = np.array([t.aggressor is Side.SELL for t in trades], dtype=bool)
        self.times: list[float] = self.ts.tolist()
        self._bars: dict[int, pd.DataFrame] = {}
        self._low_sell = _sparse(np.where(self.sell, self.px, np.inf), np.minimum)
        self._high_buy = _sparse(np.where(self.sell, -np.inf, self.px), np.maximum)

    def reaches(self, lo: int, hi: int, top_bid: float, low_ask: float) -> bool:
        """Whether a trade in ``[lo, hi)`` prints at/below ``top_bid`` (seller) or at/above ``low_ask``."""
        level = (hi - lo).bit_length() - 1
        a, b = self._low_sell[level], self._high_buy[level]
        j = hi - (1 << level)
        return bool(min(a[lo], a[j]) <= top_bid or max(b[lo], b[j]) >= low_ask)

    def bars(self, seconds: int) -> pd.DataFrame:
        """OHLCV bars of ``seconds`` (same as :func:`simulation.engine.candle_store.bars_from_trades`)."""
        if seconds not in self._bars:
            self._bars[seconds] = self._make_bars(seconds)
        return self._bars[seconds].copy()

    def _make_bars(self, seconds: int) -> pd.DataFrame:
        df = pd.DataFrame({"p": self.px, "q": self.qty})
        df["timestamp"] = np.floor(self.ts / seconds) * seconds
        g = df.groupby("timestamp", sort=True)
        out = g.agg(
            open=("p", "first"), high=("p", "max"), low=("p", "min"), close=("p", "last"), volume=("q", "sum")
        )
        return out.reset_index().astype("float64")
