"""Exact OHLCV resampling to a coarser interval.

A target bucket ``[T, T + interval)`` aggregates the source bars whose open time falls in it:
open = first open, high = max, low = min, close = last close, volume = sum. This is how an
exchange builds its own coarser candles, so Binance 5m bars re-aggregate exactly to its 1h bars.

Buckets with missing source bars (an outage inside the hour) are handled by the explicit
``incomplete`` policy:

* ``"keep"`` (default) – aggregate the bars that exist, as the exchange does (its 1h candle of
  an hour with a 20-minute outage is built from the 40 traded minutes);
* ``"drop"`` – leave the bucket out, so it appears as a gap (use when a complete bucket matters,
  e.g. volume features);
* ``"raise"`` – refuse with a DataError naming the first incomplete bucket.

Buckets with no source bar at all are never invented: they remain gaps (see ``find_gaps``).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from hummingbot_plugin.data.intervals import infer_interval, interval_seconds
from hummingbot_plugin.data.validation import CANDLE_COLUMNS
from hummingbot_plugin.errors import DataError

__all__ = ["IncompletePolicy", "resample_candles"]

IncompletePolicy = Literal["keep", "drop", "raise"]


def resample_candles(
    df: pd.DataFrame,
    interval: str,
    *,
    source_interval: str | None = None,
    incomplete: IncompletePolicy = "keep",
) -> pd.DataFrame:
    """Aggregate a validated candle frame to the coarser ``interval`` (see module docstring)."""
    target = interval_seconds(interval)
    source_name = source_interval or infer_interval(df)
    source = interval_seconds(source_name)
    if target < source or target % source:
        raise DataError(
            f"cannot resample {source_name} candles to {interval}",
            fix=f"choose an interval that is a whole multiple of {source_name} (e.g. 1m→5m→1h)",
        )
    if df.empty:
        return pd.DataFrame({name: pd.Series(dtype="float64") for name in CANDLE_COLUMNS})
    timestamps = df["timestamp"].to_numpy(dtype="float64")
    bucket = np.floor(timestamps / target) * target
    grouped = df.assign(timestamp=bucket).groupby("timestamp", sort=True)
    out = grouped.agg(
        open=("open", "first"),
        high=("high", "max"),
        low=("low", "min"),
        close=("close", "last"),
        volume=("volume", "sum"),
    )
    counts = grouped.size().to_numpy()
    out = out.reset_index()[list(CANDLE_COLUMNS)].astype("float64")
    expected = target // source
    short = counts < expected
    if incomplete == "raise" and short.any():
        first = float(out["timestamp"].iloc[int(np.flatnonzero(short)[0])])
        raise DataError(
            f"{int(short.sum())} {interval} buckets miss source bars (first at timestamp {first:.0f}, "
            f"{int(counts[short][0])}/{expected} bars)",
            fix="use incomplete='keep' (exchange semantics) or 'drop', or repair the source data",
        )
    if incomplete == "drop":
        out = out.loc[~short].reset_index(drop=True)
    return out
