"""Missing bars: reported, never silently filled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from hummingbot_plugin.data.intervals import interval_seconds
from hummingbot_plugin.errors import DataError

__all__ = ["Gap", "find_gaps"]


@dataclass(frozen=True, slots=True)
class Gap:
    """A run of missing bars.

    ``start`` and ``end`` are the open times (epoch seconds, UTC) of the first and the last
    missing bar, both inclusive; ``missing_bars`` counts them.
    """

    start: int
    end: int
    missing_bars: int

    def describe(self) -> str:
        """Human-readable one-liner, e.g. ``2023-03-24 13:00 → 2023-03-24 14:00 UTC (2 bars)``."""

        def fmt(ts: int) -> str:
            return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M")

        return f"{fmt(self.start)} → {fmt(self.end)} UTC ({self.missing_bars} bars)"


def find_gaps(df: pd.DataFrame, interval: str) -> list[Gap]:
    """Every run of missing bars between the first and the last bar of ``df``.

    Raises DataError when two bars are closer than ``interval`` or off its grid, since such a
    frame is not a series of ``interval`` bars at all.
    """
    step = interval_seconds(interval)
    timestamps = df["timestamp"].to_numpy(dtype="float64")
    if len(timestamps) < 2:
        return []
    deltas = np.diff(timestamps)
    bad = np.flatnonzero((deltas < step) | (np.mod(deltas, step) != 0))
    if bad.size:
        row = int(bad[0]) + 1
        raise DataError(
            f"bar {row} (timestamp {timestamps[row]:.0f}) is {deltas[bad[0]]:g} s after the previous one, "
            f"not a multiple of the {interval} interval ({step} s)",
            fix=f"check that the data really is {interval} candles, or resample it first",
        )
    gap_positions = np.flatnonzero(deltas > step)
    return [
        Gap(
            start=int(timestamps[i]) + step,
            end=int(timestamps[i + 1]) - step,
            missing_bars=int(deltas[i] // step) - 1,
        )
        for i in gap_positions
    ]
