"""Optional daily inputs (Fear & Greed index, BTC dominance) and their look-ahead-free join.

A daily row stamped with the start of day ``d`` (UTC) becomes visible to a bar whose open time is
``>= d + 86400``: the day must have closed. Values older than ``DAILY_MAX_AGE_DAYS`` are treated as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ml.spec import DAILY_MAX_AGE_DAYS

__all__ = ["DailyInputs", "DailySeries", "load_daily_series"]

DAY_SECONDS = 86_400
FEAR_GREED_COLUMN = "value"
DOMINANCE_COLUMN = "btc_dominance_pct"


@dataclass(frozen=True)
class DailySeries:
    """One daily series: day-start epoch seconds (sorted, unique) and values."""

    name: str
    day_start: NDArray[np.int64]
    values: NDArray[np.float64]

    def __post_init__(self) -> None:
        if self.day_start.shape != self.values.shape or self.day_start.ndim != 1:
            raise DataError(f"daily series {self.name!r}: timestamps and values differ in shape")
        if self.day_start.size and np.any(np.diff(self.day_start) <= 0):
            raise DataError(
                f"daily series {self.name!r}: timestamps are not strictly increasing",
                fix="sort the file by timestamp and drop duplicate days",
            )

    def visible_at(self, bar_open: NDArray[np.int64]) -> NDArray[np.float64]:
        """Latest value whose day has closed at each bar open time (NaN if none or too old)."""
        available_from = self.day_start + DAY_SECONDS
        idx = np.searchsorted(available_from, bar_open, side="right") - 1
        safe = np.clip(idx, 0, max(self.values.size - 1, 0))
        if self.values.size == 0:
            return np.full(bar_open.shape, np.nan)
        out = self.values[safe].astype(np.float64)
        too_old = bar_open - available_from[safe] > DAILY_MAX_AGE_DAYS * DAY_SECONDS
        return np.where((idx >= 0) & ~too_old, out, np.nan)

    def change_over(self, days: int) -> DailySeries:
        """Series of ``value(d) - value(d - days)`` (NaN where the earlier day is missing)."""
        earlier = np.searchsorted(self.day_start, self.day_start - days * DAY_SECONDS)
        earlier_clipped = np.clip(earlier, 0, self.values.size - 1)
        found = self.day_start[earlier_clipped] == self.day_start - days * DAY_SECONDS
        diff = np.where(found, self.values - self.values[earlier_clipped], np.nan)
        return DailySeries(f"{self.name}_chg_{days}d", self.day_start, diff)


@dataclass(frozen=True)
class DailyInputs:
    """The daily series a model may use; either may be absent."""

    fear_greed: DailySeries | None = None
    dominance: DailySeries | None = None

    @classmethod
    def from_files(cls, fear_greed: str | Path | None, dominance: str | Path | None) -> DailyInputs:
        """Load the shared-data CSV formats (``timestamp, date, value, ...`` / ``..., btc_dominance_pct``)."""
        fg = load_daily_series(fear_greed, FEAR_GREED_COLUMN, "fear_greed") if fear_greed else None
        dom = load_daily_series(dominance, DOMINANCE_COLUMN, "btc_dominance") if dominance else None
        return cls(fear_greed=fg, dominance=dom)


def load_daily_series(path: str | Path, column: str, name: str) -> DailySeries:
    """Read a daily CSV with ``timestamp`` (day start, epoch s) and ``column``; DataError if unusable."""
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read daily file {str(path)!r}: {exc}", fix="pass an existing CSV") from exc
    missing = {"timestamp", column} - set(frame.columns)
    if missing:
        raise DataError(
            f"daily file {str(path)!r} lacks column(s) {sorted(missing)}",
            fix=f"provide columns 'timestamp' (day start, epoch seconds) and {column!r}",
        )
    stamps = pd.to_numeric(frame["timestamp"], errors="coerce")
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = stamps.isna() | (stamps % DAY_SECONDS != 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
        raise DataError(
            f"daily file {str(path)!r} row {row}: timestamp is not a UTC day start",
            fix="use epoch seconds at 00:00 UTC",
        )
    ordered = pd.DataFrame({"t": stamps.astype("int64"), "v": values}).sort_values("t")
    ordered = ordered.drop_duplicates("t", keep="last")
    return DailySeries(name, ordered["t"].to_numpy(np.int64), ordered["v"].to_numpy(np.float64))
