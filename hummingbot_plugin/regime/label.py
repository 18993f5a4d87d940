"""Regime label from realised volatility and a slope/volatility trend score, with hysteresis.

Features of bar ``t`` use closes up to ``t`` only: ``vol`` = standard deviation of the last
``vol_bars`` hourly log returns (pandas-ta ``stdev``); ``trend`` = ln(close_t / close_{t-n}) /
(std of the last n returns × sqrt n), a t-statistic of the drift over ``n = trend_bars``.

Thresholds come from a TRAINING window only (quantiles of its features, :func:`fit_thresholds`):
high volatility is entered at the ``vol_enter_q`` quantile and left below ``vol_exit_q``; a trend is
entered when |trend| reaches the ``trend_enter_q`` quantile of |trend| and kept while it stays beyond
the ``trend_exit_q`` quantile (same sign). Any other change waits until the current label is at least
``min_dwell`` bars old; entering high volatility is immediate (risk off first). A bar without finite
features keeps the label.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import pandas as pd
import pandas_ta as ta
from numpy.typing import NDArray

from hummingbot_plugin.errors import ConfigError, DataError

__all__ = [
    "Regime",
    "RegimeSettings",
    "RegimeState",
    "Thresholds",
    "fit_thresholds",
    "label_regimes",
    "regime_features",
    "walk_forward_labels",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
DAY = 86_400
MIN_TRAINING_ROWS = 500


class Regime(IntEnum):
    RANGE = 0
    TREND_UP = 1
    TREND_DOWN = 2
    HIGH_VOL = 3


@dataclass(frozen=True, slots=True)
class RegimeSettings:
    """Feature windows (bars), threshold quantiles, minimum dwell (bars) and training window (days)."""

    vol_bars: int = 72
    trend_bars: int = 168
    vol_enter_q: float = 0.90
    vol_exit_q: float = 0.75
    trend_enter_q: float = 0.70
    trend_exit_q: float = 0.45
    min_dwell: int = 24
    train_days: int = 365

    def __post_init__(self) -> None:
        ok = (
            min(self.vol_bars, self.trend_bars) >= 2
            and 0.0 < self.vol_exit_q <= self.vol_enter_q < 1.0
            and 0.0 < self.trend_exit_q <= self.trend_enter_q < 1.0
            and self.min_dwell >= 0
            and self.train_days >= 30
        )
        if not ok:
            raise ConfigError(
                f"regime settings {self}: windows >= 2, 0 < exit quantile <= enter quantile < 1, "
                "min_dwell >= 0, train_days >= 30",
                fix="e.g. vol_enter_q=0.9, vol_exit_q=0.75, trend_enter_q=0.7, trend_exit_q=0.45",
            )


@dataclass(frozen=True, slots=True)
class Thresholds:
    vol_enter: float
    vol_exit: float
    trend_enter: float
    trend_exit: float


@dataclass(frozen=True, slots=True)
class RegimeState:
    regime: Regime = Regime.RANGE
    dwell: int = 0


def regime_features(close: FloatArray, settings: RegimeSettings) -> tuple[FloatArray, FloatArray]:
    """(vol, trend) per bar, from closes up to that bar."""
    log_close = pd.Series(np.log(np.asarray(close, dtype=np.float64)))
    returns = log_close.diff()
    vol = ta.stdev(returns, length=settings.vol_bars)
    n = settings.trend_bars
    spread = ta.stdev(returns, length=n) * math.sqrt(n)
    trend = (log_close - log_close.shift(n)) / spread.where(spread > 0)
    return vol.to_numpy(np.float64), trend.to_numpy(np.float64)


def fit_thresholds(vol: FloatArray, trend: FloatArray, settings: RegimeSettings) -> Thresholds:
    """Quantile thresholds of one training window's features."""
    v, t = vol[np.isfinite(vol)], np.abs(trend[np.isfinite(trend)])
    if min(v.size, t.size) < MIN_TRAINING_ROWS:
        raise DataError(
            f"regime thresholds need >= {MIN_TRAINING_ROWS} finite training rows, got {min(v.size, t.size)}",
            fix="start the data earlier than the first evaluated block",
        )
    vq = np.quantile(v, [settings.vol_enter_q, settings.vol_exit_q])
    tq = np.quantile(t, [settings.trend_enter_q, settings.trend_exit_q])
    return Thresholds(float(vq[0]), float(vq[1]), float(tq[0]), float(tq[1]))


def _target(regime: Regime, vol: float, trend: float, th: Thresholds) -> Regime:
    if vol >= th.vol_enter or (regime is Regime.HIGH_VOL and vol > th.vol_exit):
        return Regime.HIGH_VOL
    if regime is Regime.TREND_UP and trend > th.trend_exit:
        return Regime.TREND_UP
    if regime is Regime.TREND_DOWN and trend < -th.trend_exit:
        return Regime.TREND_DOWN
    if trend >= th.trend_enter:
        return Regime.TREND_UP
    if trend <= -th.trend_enter:
        return Regime.TREND_DOWN
    return Regime.RANGE


def _step(state: RegimeState, vol: float, trend: float, th: Thresholds, min_dwell: int) -> RegimeState:
    if not (math.isfinite(vol) and math.isfinite(trend)):
        return RegimeState(state.regime, state.dwell + 1)
    want = _target(state.regime, vol, trend, th)
    if want is not state.regime and (state.dwell >= min_dwell or want is Regime.HIGH_VOL):
        return RegimeState(want, 0)
    return RegimeState(state.regime, state.dwell + 1)


def label_regimes(
    vol: FloatArray, trend: FloatArray, th: Thresholds, min_dwell: int, state: RegimeState | None = None
) -> tuple[IntArray, RegimeState]:
    """Label after each bar's close, and the state after the last bar."""
    current = state or RegimeState()
    out = np.empty(len(vol), dtype=np.int64)
    for t, (v, tr) in enumerate(zip(vol.tolist(), trend.tolist(), strict=True)):
        current = _step(current, v, tr, th, min_dwell)
        out[t] = int(current.regime)
    return out, current


def walk_forward_labels(
    close: FloatArray, timestamps: FloatArray, edges: list[float], settings: RegimeSettings
) -> tuple[IntArray, list[Thresholds]]:
    """Labels of the bars in ``[edges[0], edges[-1])``, each block's thresholds fitted on the
    ``train_days`` before it (HIGH_VOL, i.e. flat, outside the blocks)."""
    vol, trend = regime_features(close, settings)
    labels = np.full(timestamps.size, int(Regime.HIGH_VOL), dtype=np.int64)
    state, fitted = RegimeState(), []
    for start, end in itertools.pairwise(edges):
        rows = np.flatnonzero((timestamps >= start) & (timestamps < end))
        if rows.size == 0:
            continue  # a block past the data's end: nothing to label
        train = (timestamps >= start - settings.train_days * DAY) & (timestamps < start)
        th = fit_thresholds(vol[train], trend[train], settings)
        labels[rows], state = label_regimes(vol[rows], trend[rows], th, settings.min_dwell, state)
        fitted.append(th)
    return labels, fitted
