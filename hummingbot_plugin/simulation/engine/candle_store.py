"""Candles served to a replayed strategy: only bars already CLOSED at the simulated time.

A bar ``[T, T + interval)`` becomes visible at ``T + interval`` (no look-ahead, tested). Coarser
intervals are resampled once from the finest source and sliced per request with a binary search,
so serving candles costs O(log n + max_records) per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from hummingbot_plugin.data import interval_seconds, resample_candles
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.simulation.engine.models import TradePrint

__all__ = ["HB_CANDLE_COLUMNS", "CandleStore", "bars_from_trades"]

#: Columns of Hummingbot's candles feeds (extra ones are zero-filled when the source lacks them).
HB_CANDLE_COLUMNS = (
    "timestamp",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "quote_asset_volume",
    "n_trades",
    "taker_buy_base_volume",
    "taker_buy_quote_volume",
)


@dataclass
class _Series:
    source: pd.DataFrame
    source_seconds: int
    by_interval: dict[int, tuple[pd.DataFrame, npt.NDArray[np.float64]]] = field(default_factory=dict)


class CandleStore:
    """Per (connector, pair) candle history, served as of a simulated time."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str], _Series] = {}

    def add(self, connector: str, trading_pair: str, candles: pd.DataFrame, interval: str) -> None:
        """Register a validated frame; a finer interval replaces a coarser one."""
        key = (connector, trading_pair)
        seconds = interval_seconds(interval)
        current = self._series.get(key)
        if current is None or seconds < current.source_seconds:
            self._series[key] = _Series(candles.reset_index(drop=True), seconds)

    def has(self, connector: str, trading_pair: str) -> bool:
        return (connector, trading_pair) in self._series

    def closed_bars(
        self, connector: str, trading_pair: str, interval: str, now: float, max_records: int = 500
    ) -> pd.DataFrame:
        """The last ``max_records`` bars of ``interval`` whose close time is <= ``now``."""
        series = self._series.get((connector, trading_pair))
        if series is None:
            raise DataError(
                f"no candles loaded for {connector} {trading_pair}",
                fix="pass a candle file for that pair to --data",
            )
        seconds = interval_seconds(interval)
        frame, closes = self._frame(series, interval, seconds)
        end = int(np.searchsorted(closes, now, side="right"))
        return frame.iloc[max(0, end - max_records) : end].reset_index(drop=True)

    def closes(
        self, connector: str, trading_pair: str, start: float, end: float
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Close time and close price of every source bar closed within ``[start, end]``."""
        series = self._series.get((connector, trading_pair))
        if series is None:
            return np.zeros(0), np.zeros(0)
        close_ts = series.source["timestamp"].to_numpy(dtype="float64") + series.source_seconds
        keep = (close_ts >= start) & (close_ts <= end)
        return close_ts[keep], series.source["close"].to_numpy(dtype="float64")[keep]

    def _frame(
        self, series: _Series, interval: str, seconds: int
    ) -> tuple[pd.DataFrame, npt.NDArray[np.float64]]:
        if seconds not in series.by_interval:
            if seconds == series.source_seconds:
                frame = series.source
            else:
                src_name = next(k for k, v in _INTERVALS.items() if v == series.source_seconds)
                frame = resample_candles(series.source, interval, source_interval=src_name)
            frame = _with_hb_columns(frame)
            closes = frame["timestamp"].to_numpy(dtype="float64") + seconds
            series.by_interval[seconds] = (frame, closes)
        return series.by_interval[seconds]


_INTERVALS = {name: interval_seconds(name) for name in ("1m", "5m", "15m", "1h", "4h", "1d")}


def _with_hb_columns(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in HB_CANDLE_COLUMNS:
        if column not in out.columns:
            out[column] = 0.0
    return out[list(HB_CANDLE_COLUMNS)]


def bars_from_trades(trades: Sequence[TradePrint], seconds: int) -> pd.DataFrame:
    """OHLCV bars of ``seconds`` built from trade prints (for book-mode candle history)."""
    if not trades:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in HB_CANDLE_COLUMNS[:6]})
    df = pd.DataFrame(
        {
            "t": [t.timestamp for t in trades],
            "p": [float(t.price) for t in trades],
            "q": [float(t.amount) for t in trades],
        }
    )
    df["timestamp"] = np.floor(df["t"] / seconds) * seconds
    g = df.groupby("timestamp", sort=True)
    out = g.agg(
        open=("p", "first"), high=("p", "max"), low=("p", "min"), close=("p", "last"), volume=("q", "sum")
    )
    return out.reset_index().astype("float64")
