"""Whether the candle feed can be traded on: fresh by the trading clock (``now``), and sane.

Which bars are closed is :func:`hummingbot_plugin.data.closed_count` (shared with the baseline
controller); the bar being formed is never used for a forecast. The feed is STALE when its newest bar
(closed or forming) opened more than ``max_bars`` intervals before ``now`` — a healthy live feed
is < 1 interval old, a closed-bars-only feed < 2. Gaps inside the window are judged by the
forecaster's own window rules.

A closed bar that fails :func:`hummingbot_plugin.data.sanity.check_bars` (inconsistent OHLC, negative
or impossible zero volume, a return, wick or open gap far beyond recent volatility) makes the signal 0
for as long as it lies within the last ``GAP_GUARD_BARS`` closed bars — exactly as long as the
backtest, which quarantines the bar (a missing bar), refuses a forecast.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

import numpy as np
import pandas as pd

from hummingbot_plugin.ai.decision import REASON_NO_MODEL, DecisionRow, SignalRule
from hummingbot_plugin.data import closed_count
from hummingbot_plugin.data.sanity import DEFAULT_LIMITS, SanityLimits, check_bars
from hummingbot_plugin.ml.spec import GAP_GUARD_BARS

__all__ = ["checked_live_row", "sanity_reason", "staleness_reason"]

_OHLCV = ["timestamp", "open", "high", "low", "close", "volume"]


class LiveEngine(Protocol):
    """What :func:`checked_live_row` needs of :class:`hummingbot_plugin.ai.SignalEngine`."""

    interval_s: int

    def live_row(self, candles: pd.DataFrame, now: float, rule: SignalRule) -> DecisionRow: ...


def staleness_reason(newest_open: float | None, now: float, interval_s: int, max_bars: float) -> str:
    """'' when fresh, else why the candles cannot be traded on."""
    if newest_open is None or not np.isfinite(newest_open):
        return "no candles from the market data provider"
    age = now - newest_open
    limit = max_bars * interval_s
    if age > limit:
        return f"stale candles: newest bar opened {age:.0f} s ago (limit {limit:.0f} s)"
    if age < -interval_s:
        return f"candles from the future: newest bar opens {-age:.0f} s after the trading clock"
    return ""


def sanity_reason(
    candles: pd.DataFrame,
    now: float,
    interval_s: int,
    limits: SanityLimits = DEFAULT_LIMITS,
    guard_bars: int = GAP_GUARD_BARS,
) -> str:
    """'' when the last ``guard_bars`` closed bars pass the sanity checks, else the newest failure."""
    if not len(candles):
        return ""
    stamps = candles["timestamp"].to_numpy(np.float64)
    closed = closed_count(stamps, now, interval_s)
    history = limits.vol_window + guard_bars + 1
    window = candles.iloc[max(0, closed - history) : closed].loc[:, _OHLCV]
    flags = [f for f in check_bars(window, interval_s, limits) if f.row >= len(window) - guard_bars]
    if not flags:
        return ""
    last = flags[-1]
    return f"bad candle {last.describe()} (no signal for {guard_bars} bars after it; fix: {last.fix})"


def checked_live_row(engine: LiveEngine, candles: pd.DataFrame, now: float, rule: SignalRule) -> DecisionRow:
    """``engine.live_row``, with signal 0 and the reason when a recent closed bar is not sane."""
    row = engine.live_row(candles, now, rule)
    if not (row.ok or row.reason == REASON_NO_MODEL):
        return row  # already refused (stale, gapped, no model ...): keep that reason
    reason = sanity_reason(candles, now, engine.interval_s)
    return dataclasses.replace(row, signal=0, reason=reason) if reason else row
