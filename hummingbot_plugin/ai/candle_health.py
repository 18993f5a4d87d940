"""Whether the candle feed is fresh, judged by the trading clock (``now``).

Which bars are closed is :func:`hummingbot_plugin.data.closed_count` (shared with the baseline
controller); the bar being formed is never used for a forecast. The feed is STALE when its newest bar
(closed or forming) opened more than ``max_bars`` intervals before ``now`` — a healthy live feed
is < 1 interval old, a closed-bars-only feed < 2. Gaps inside the window are judged by the
forecaster's own window rules.
"""

from __future__ import annotations

import numpy as np

__all__ = ["staleness_reason"]


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
