"""Which bars may receive a forecast, and why not — the same rules for training, frames and live ticks.

A bar gets NO prediction (explicit NaN plus a reason) when:

* ``warm-up``: fewer than ``LIVE_WINDOW`` bars of history end at it (the live path needs that many);
* ``non-finite candle``: a NaN/inf open/high/low/close/volume lies within its last ``LIVE_WINDOW`` bars;
* ``gap``: a missing bar (step != interval) lies within its last ``GAP_GUARD_BARS`` bars;
* ``non-finite feature``: any feature is NaN/inf (e.g. a daily input is missing or stale).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.ml.live import CandleArrays
from hummingbot_plugin.ml.spec import GAP_GUARD_BARS, LIVE_WINDOW

__all__ = ["REASON_OK", "closed_window", "feature_reasons", "row_reasons", "window_reason"]

REASON_OK = ""
OHLCV = ("open", "high", "low", "close", "volume")


def _recent_any(flags: NDArray[np.bool_], window: int) -> NDArray[np.bool_]:
    """``out[t]`` = any of ``flags[t - window + 1 .. t]``."""
    counts = np.cumsum(flags.astype(np.int64))
    shifted = np.concatenate([np.zeros(window, dtype=np.int64), counts[:-window]])[: counts.size]
    return np.asarray((counts - shifted) > 0)


def row_reasons(candles: pd.DataFrame, interval_s: int) -> NDArray[np.object_]:
    """Per-row reason ('' = may be predicted) from the candle rules above (features not checked)."""
    n = len(candles)
    reasons = np.full(n, REASON_OK, dtype=object)
    if n == 0:
        return reasons
    values = candles.loc[:, list(OHLCV)].to_numpy(np.float64)
    bad_row = ~np.all(np.isfinite(values), axis=1)
    steps = np.diff(candles["timestamp"].to_numpy(np.float64), prepend=np.nan)
    gap_row = np.isfinite(steps) & (steps != interval_s)
    reasons[_recent_any(gap_row, GAP_GUARD_BARS)] = (
        f"gap: missing bar(s) within the last {GAP_GUARD_BARS} bars"
    )
    reasons[_recent_any(bad_row, LIVE_WINDOW)] = f"non-finite candle within the last {LIVE_WINDOW} bars"
    reasons[: LIVE_WINDOW - 1] = f"warm-up: fewer than {LIVE_WINDOW} bars of history"
    return reasons


def feature_reasons(features: NDArray[np.float64], names: tuple[str, ...]) -> NDArray[np.object_]:
    """Per-row reason naming the first non-finite feature ('' when all are finite)."""
    bad = ~np.isfinite(features)
    reasons = np.full(features.shape[0], REASON_OK, dtype=object)
    rows = np.flatnonzero(bad.any(axis=1))
    first = bad[rows].argmax(axis=1)
    for row, col in zip(rows, first, strict=True):
        reasons[row] = f"non-finite feature {names[col]!r}"
    return reasons


def window_reason(window: CandleArrays, interval_s: int) -> str:
    """Why the newest bar of ``window`` cannot be predicted ('' if it can); same rules as rows."""
    if len(window) < LIVE_WINDOW:
        return f"warm-up: fewer than {LIVE_WINDOW} bars of history (got {len(window)})"
    win = window.tail(LIVE_WINDOW)
    stacked = np.stack([win.open, win.high, win.low, win.close, win.volume])
    if not np.all(np.isfinite(stacked)) or not np.all(np.isfinite(win.timestamp)):
        return f"non-finite candle within the last {LIVE_WINDOW} bars"
    steps = np.diff(win.timestamp)
    if np.any(steps <= 0):
        return "timestamps are not strictly increasing"
    if np.any(steps[-GAP_GUARD_BARS:] != interval_s):
        return f"gap: missing bar(s) within the last {GAP_GUARD_BARS} bars"
    if np.any(stacked[:4] <= 0):
        return "non-positive price within the window"
    return REASON_OK


def closed_window(window: CandleArrays, now: float, interval_s: int) -> tuple[CandleArrays, str]:
    """Only the bars closed at ``now`` (open + interval <= now): live feeds such as Hummingbot's candles
    update the current, unfinished bar in place. Reason 'stale' when the newest closed bar closed a
    full interval or more before ``now`` (a bar is missing: the feed has stopped)."""
    closed = int(np.searchsorted(window.timestamp, now - interval_s, side="right"))
    kept = window.head(closed)
    if closed and now - (float(kept.timestamp[-1]) + interval_s) >= interval_s:
        age = now - (float(kept.timestamp[-1]) + interval_s)
        return kept, f"stale candles: the newest closed bar closed {age:.0f} s before now"
    return kept, REASON_OK
