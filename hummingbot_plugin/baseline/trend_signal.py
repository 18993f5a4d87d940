"""Moving-average trend filter: long while the fast SMA is above the slow SMA.

Vectorised over the whole history and causal: the value at a row uses only that row and the
rows before it, so features computed on a prefix equal the same rows computed on the full
history, bit for bit, however much history precedes them. Rows before ``slow_window`` bars
exist carry NaN averages and signal 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from hummingbot_plugin.errors import ConfigError, DataError

__all__ = ["FEATURE_COLUMNS", "TrendParams", "check_short_allowed", "trend_features"]

FEATURE_COLUMNS: tuple[str, ...] = ("timestamp", "close", "fast_sma", "slow_sma", "trend_gap", "signal")


@dataclass(frozen=True, slots=True)
class TrendParams:
    """Windows in bars; ``allow_short`` turns a down-trend into a short signal (-1) instead of 0."""

    fast_window: int
    slow_window: int
    allow_short: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.fast_window < self.slow_window:
            raise ConfigError(
                f"fast_window={self.fast_window} must be >= 1 and below slow_window={self.slow_window}",
                fix="choose e.g. fast_window 50 and slow_window 200",
            )


def trend_features(candles: pd.DataFrame, params: TrendParams) -> pd.DataFrame:
    """Per bar: close, fast/slow SMA of close, their relative gap and the signal (+1/0/-1)."""
    if "timestamp" not in candles or "close" not in candles:
        raise DataError(
            "candles lack a timestamp or close column",
            fix="load candles with hummingbot_plugin.data.load_candles",
        )
    close = candles["close"].to_numpy(dtype="float64")
    fast = _window_mean(close, params.fast_window)
    slow = _window_mean(close, params.slow_window)
    with np.errstate(invalid="ignore"):
        gap = fast / slow - 1.0
    signal = np.where(gap > 0, 1, np.where((gap < 0) & params.allow_short, -1, 0))
    return pd.DataFrame(
        {
            "timestamp": candles["timestamp"].to_numpy(dtype="float64"),
            "close": close,
            "fast_sma": fast,
            "slow_sma": slow,
            "trend_gap": gap,
            "signal": signal.astype("int64"),
        }
    )


def _window_mean(values: npt.NDArray[np.float64], window: int) -> npt.NDArray[np.float64]:
    """Mean of each trailing window, computed window by window (NaN until ``window`` values exist).

    Unlike a running sum, each value depends only on its own window, so it is bit-identical
    however much history precedes it.
    """
    out = np.full(values.shape, np.nan)
    if values.size >= window:
        out[window - 1 :] = sliding_window_view(values, window).mean(axis=1)
    return out


def check_short_allowed(connector_name: str, allow_short: bool) -> None:
    """Spot connectors cannot sell what they do not hold: refuse short signals there."""
    if allow_short and not connector_name.endswith("_perpetual"):
        raise ConfigError(
            f"allow_short is true but {connector_name!r} is a spot connector",
            fix="set allow_short: false, or use a perpetual connector (e.g. binance_perpetual)",
        )
