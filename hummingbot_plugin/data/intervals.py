"""Candle interval names, their length in seconds, inference from a frame, and which bars are closed."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.errors import DataError

__all__ = ["INTERVAL_SECONDS", "closed_count", "infer_interval", "interval_seconds"]

#: The intervals the plugin works with, in Hummingbot's spelling.
INTERVAL_SECONDS: dict[str, int] = {
    "1m": 60,
    "5m": 300,
    "15m": 900,
    "1h": 3600,
    "4h": 14_400,
    "1d": 86_400,
}


def interval_seconds(interval: str) -> int:
    """Length of ``interval`` ("1m", "5m", "15m", "1h", "4h", "1d") in seconds."""
    try:
        return INTERVAL_SECONDS[interval]
    except KeyError:
        raise DataError(
            f"unknown candle interval {interval!r}",
            fix=f"use one of {', '.join(INTERVAL_SECONDS)}",
        ) from None


def infer_interval(df: pd.DataFrame) -> str:
    """The interval of a candle frame: the most common step between consecutive timestamps.

    Gaps (exchange outages) do not disturb the answer as long as most steps are regular.
    """
    if "timestamp" not in df.columns or len(df) < 2:
        raise DataError(
            "cannot infer the candle interval from fewer than two rows",
            fix="pass a candle frame with at least two bars and a 'timestamp' column",
        )
    steps = np.diff(df["timestamp"].to_numpy(dtype="float64"))
    values, counts = np.unique(steps, return_counts=True)
    step = float(values[int(np.argmax(counts))])
    for name, seconds in INTERVAL_SECONDS.items():
        if step == seconds:
            return name
    raise DataError(
        f"the most common step between bars is {step:g} s, which is not a supported interval",
        fix=f"resample the data to one of {', '.join(INTERVAL_SECONDS)}",
    )


def closed_count(timestamps: NDArray[np.float64], now: float, interval_s: int) -> int:
    """How many leading bars of the sorted open ``timestamps`` are closed at ``now``.

    A bar opened at ``T`` is closed at ``T + interval_s``; a live candles feed also holds the bar still
    being formed (updated in place), which is never counted.
    """
    return int(np.searchsorted(timestamps + float(interval_s), now, side="right"))
