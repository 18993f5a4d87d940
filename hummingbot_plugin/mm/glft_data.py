"""GLFT market parameters from recorded data: the L2 + trade tape, or candles (pure).

Each evaluation window ``[t, t + step)`` gets ``σ, A, k`` estimated from ``[t − lookback, t)`` only, so a
replay never quotes with parameters that saw its own window.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

import numpy as np
import pandas as pd

from hummingbot_plugin.mm import glft

__all__ = [
    "BOOK_GRID",
    "DEPTH_GRID",
    "BookTop",
    "TapePrint",
    "book_estimates",
    "candle_estimate_at",
    "candle_estimates",
    "estimate_features",
    "estimate_from",
]

#: Depths (relative to mid) the arrival intensity is fitted on: 0 to 20 bp for candles, 0 to 2 bp for the
#: tape of a one-tick-spread market.
DEPTH_GRID: glft.FloatArray = np.linspace(0.0, 0.002, 41, dtype=np.float64)
BOOK_GRID: glft.FloatArray = np.linspace(0.0, 0.0002, 41, dtype=np.float64)


class BookTop(Protocol):
    """The top of a recorded book (the simulator's ``BookSnapshot`` is one)."""

    @property
    def timestamp(self) -> float: ...
    @property
    def best_bid(self) -> Decimal | None: ...
    @property
    def best_ask(self) -> Decimal | None: ...


class TapePrint(Protocol):
    """A recorded public trade (the simulator's ``TradePrint`` is one)."""

    @property
    def timestamp(self) -> float: ...
    @property
    def price(self) -> Decimal: ...


def book_estimates(
    books: Sequence[BookTop],
    trades: Sequence[TapePrint],
    *,
    lookback_s: float = 120.0,
    step_s: float = 30.0,
    grid: glft.FloatArray | None = None,
) -> list[glft.GLFTEstimate]:
    """σ from the 1 s mids; ``A, k`` from each trade's depth below/above the last mid before it."""
    tops = [(b.timestamp, b.best_bid, b.best_ask) for b in books]
    two_sided = [(t, float(bid), float(ask)) for t, bid, ask in tops if bid is not None and ask is not None]
    mid_t = np.array([t for t, _, _ in two_sided], dtype=np.float64)
    mids = np.array([(bid + ask) / 2.0 for _, bid, ask in two_sided], dtype=np.float64)
    trade_t = np.array([t.timestamp for t in trades], dtype=np.float64)
    prices = np.array([float(t.price) for t in trades], dtype=np.float64)
    dist = glft.tape_distances(trade_t, prices, mid_t, mids)
    return glft.rolling_estimates(
        mid_t,
        mids,
        trade_t,
        dist,
        lookback_s=lookback_s,
        step_s=step_s,
        grid=BOOK_GRID if grid is None else grid,
        sides=2,
    )


def _candle_arrays(candles: pd.DataFrame, bar_seconds: float) -> tuple[glft.FloatArray, ...]:
    ts = candles["timestamp"].to_numpy(dtype=np.float64) + bar_seconds  # known once the bar has closed
    o, h, lo, c = (candles[col].to_numpy(dtype=np.float64) for col in ("open", "high", "low", "close"))
    return ts, c, np.concatenate([ts, ts]), glft.candle_excursions(o, h, lo)


def candle_estimate_at(
    candles: pd.DataFrame,
    bar_seconds: float,
    now: float,
    lookback_s: float,
    grid: glft.FloatArray = DEPTH_GRID,
) -> glft.GLFTEstimate | None:
    """The estimate a live quoter uses at ``now``: bars closed in ``[now − lookback_s, now)`` only."""
    ts, closes, dist_t, dist = _candle_arrays(candles, bar_seconds)
    return glft.window_estimate(now, ts, closes, dist_t, dist, lookback_s, grid, 2)


def candle_estimates(
    candles: pd.DataFrame,
    bar_seconds: float,
    *,
    lookback_s: float,
    step_s: float,
    grid: glft.FloatArray | None = None,
) -> list[glft.GLFTEstimate]:
    """σ from closes; ``A, k`` from each bar's excursions above and below its open (one arrival per side
    per bar, timed at the bar's close: a bar is known once it has closed)."""
    ts, closes, dist_t, dist = _candle_arrays(candles, bar_seconds)
    return glft.rolling_estimates(
        ts,
        closes,
        dist_t,
        dist,
        lookback_s=lookback_s,
        step_s=step_s,
        grid=DEPTH_GRID if grid is None else grid,
        sides=2,
    )


def estimate_features(
    candles: pd.DataFrame, bar_seconds: float, *, lookback_s: float, step_s: float
) -> pd.DataFrame:
    """Per bar (labelled by its open time, as at its close): the window's σ, A, k (NaN: no estimate)."""
    ests = candle_estimates(candles, bar_seconds, lookback_s=lookback_s, step_s=step_s)
    rows = []
    for ts in candles["timestamp"].to_numpy(dtype=np.float64):
        est = glft.estimate_at(ests, float(ts) + bar_seconds, step_s) if ests else None
        rows.append((ts, *((est.sigma, est.intensity_a, est.intensity_k) if est else (np.nan,) * 3)))
    return pd.DataFrame(rows, columns=["timestamp", "sigma", "intensity_a", "intensity_k"])


def estimate_from(data: dict[str, object]) -> glft.GLFTEstimate | None:
    """The estimate in a controller's processed data (an object, or σ/A/k scalars of a features row)."""
    est = data.get("estimate")
    if isinstance(est, glft.GLFTEstimate):
        return est
    try:
        values = [float(data[k]) for k in ("sigma", "intensity_a", "intensity_k")]  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return None
    if not all(np.isfinite(values)):
        return None
    return glft.GLFTEstimate(float("nan"), values[0], values[1], values[2])
