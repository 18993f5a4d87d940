"""Fast path for live ticks: the feature vector of the NEWEST bar from the last ``LIVE_WINDOW`` candles.

Pure numpy (no pandas). Exponential indicators are evaluated as dot products with precomputed,
truncated weight vectors (an EMA is a linear filter; MACD's histogram, a difference of EMAs minus an EMA
of that difference, collapses into ONE weight vector). With a 1,000-bar window the weight left outside
the window is below 1e-30, so the result equals the vectorised full-history row to rounding error
(``tests/test_ml_live.py`` checks rtol 1e-9).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hummingbot_plugin.ml import spec
from hummingbot_plugin.ml.daily import DailyInputs
from hummingbot_plugin.ml.spec import FeatureSet

__all__ = ["CandleArrays", "LiveFeatureComputer"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CandleArrays:
    """The newest candles as parallel float64 arrays, oldest first."""

    timestamp: FloatArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def __len__(self) -> int:
        return int(self.close.shape[0])

    def head(self, count: int) -> CandleArrays:
        """The first ``count`` bars (views, no copy)."""
        return CandleArrays(
            self.timestamp[:count],
            self.open[:count],
            self.high[:count],
            self.low[:count],
            self.close[:count],
            self.volume[:count],
        )

    def tail(self, count: int) -> CandleArrays:
        """The last ``count`` bars (views, no copy)."""
        return CandleArrays(
            self.timestamp[-count:],
            self.open[-count:],
            self.high[-count:],
            self.low[-count:],
            self.close[-count:],
            self.volume[-count:],
        )


def _ema_weights(alpha: float, size: int) -> FloatArray:
    """Weights of ``y_t = alpha*x_t + (1-alpha)*y_{t-1}`` on x_t, x_{t-1}, ... (newest first)."""
    return alpha * (1.0 - alpha) ** np.arange(size, dtype=np.float64)


def _macd_hist_weights(size: int) -> FloatArray:
    fast = _ema_weights(2.0 / (spec.MACD_FAST + 1), size)
    slow = _ema_weights(2.0 / (spec.MACD_SLOW + 1), size)
    line = fast - slow
    signal = np.convolve(_ema_weights(2.0 / (spec.MACD_SIGNAL + 1), size), line)[:size]
    return line - signal


class LiveFeatureComputer:
    """Computes ``feature_set.names`` for the newest bar; build once, call per tick."""

    def __init__(self, feature_set: FeatureSet, daily: DailyInputs | None = None) -> None:
        size = spec.LIVE_WINDOW
        self.feature_set = feature_set
        self.daily = daily or DailyInputs()
        # Newest-first weights: EMA over closes (size), Wilder RMA over diffs (size - 1).
        self._w_macd = _macd_hist_weights(size)
        self._w_rsi = _ema_weights(1.0 / spec.RSI_LENGTH, size - 1)
        self._w_atr = _ema_weights(2.0 / (spec.NATR_LENGTH + 1), size - 1)
        self._buffer = np.empty(len(feature_set.names), dtype=np.float64)
        dom = self.daily.dominance
        self._dominance_change = dom.change_over(7) if dom is not None else None

    def compute(self, candles: CandleArrays) -> FloatArray:
        """Feature vector (float64, manifest order) of the last bar of ``candles`` (>= LIVE_WINDOW bars).

        The caller checks window validity (length, gaps, finiteness) first; see ``validity``.
        """
        win = candles.tail(spec.LIVE_WINDOW)
        out = self._buffer.copy()
        log_close = np.log(win.close)
        r1 = np.diff(log_close)
        values: list[float] = [float(log_close[-1] - log_close[-1 - lag]) for lag in spec.RETURN_LAGS]
        values += [float(np.std(r1[-w:], ddof=1)) for w in spec.RV_WINDOWS]
        values.append(self._parkinson(win))
        values += self._oscillators(win)
        values += [self._volume_z(win.volume, w) for w in spec.VOLUME_Z_WINDOWS]
        vol_scaled, signal_rel = self._regime(log_close, r1)
        values += _regime_values(vol_scaled, signal_rel)
        angle = 2.0 * np.pi * (float(win.timestamp[-1]) % 86_400.0) / 86_400.0
        values += [float(np.sin(angle)), float(np.cos(angle))]
        values += self._daily_values(float(win.timestamp[-1]), vol_scaled)
        out[:] = values
        return out

    @staticmethod
    def _parkinson(win: CandleArrays) -> float:
        n = spec.PARKINSON_WINDOW
        squared = np.log(win.high[-n:] / win.low[-n:]) ** 2
        return float(np.sqrt(np.mean(squared) / (4.0 * np.log(2.0))))

    def _oscillators(self, win: CandleArrays) -> list[float]:
        close = win.close
        diffs = np.diff(close)[::-1]
        gain = float(self._w_rsi @ np.maximum(diffs, 0.0))
        loss = float(self._w_rsi @ np.minimum(diffs, 0.0))
        moved = gain + abs(loss)
        rsi = 100.0 * gain / moved if moved > 0 else float("nan")  # flat window: 0/0 = NaN, as pandas
        prev_close = close[:-1]
        high, low = win.high[1:], win.low[1:]
        true_range = np.maximum(high - low, np.maximum(np.abs(high - prev_close), np.abs(low - prev_close)))
        natr = 100.0 * float(self._w_atr @ true_range[::-1]) / float(close[-1])
        macd_hist = float(self._w_macd @ close[::-1]) / float(close[-1])
        recent = close[-spec.BB_LENGTH :]
        mid = float(np.mean(recent))
        band = spec.BB_STD * float(np.std(recent, ddof=1))
        lower, width = mid - band, 2.0 * band
        pct_b = (float(close[-1]) - lower) / width if width > 0 else 0.5
        return [natr, rsi, macd_hist, pct_b, 100.0 * width / mid]

    @staticmethod
    def _volume_z(volume: FloatArray, window: int) -> float:
        recent = np.log1p(volume[-window:])
        std = float(np.std(recent, ddof=1))
        return (float(recent[-1]) - float(np.mean(recent))) / std if std > 0 else 0.0

    @staticmethod
    def _regime(log_close: FloatArray, r1: FloatArray) -> tuple[float, float]:
        lookback, rv_window = spec.REGIME_LOOKBACK, spec.RV_WINDOWS[0]
        rv_series = _rolling_std(r1[-(lookback + rv_window - 1) :], rv_window)
        low, high = np.quantile(rv_series, [0.05, 0.95])
        span = float(high - low)
        vol_scaled = (float(rv_series[-1]) - float(low)) / span if span > 0 else 0.0
        vol_scaled = min(max(vol_scaled, 0.0), spec.VOL_SCALED_MAX)
        lag = spec.SIGNAL_LAG
        strength = np.abs(log_close[-lookback:] - log_close[-lookback - lag : -lag])
        typical = float(np.median(strength))
        signal_rel = (float(strength[-1]) - typical) / typical if typical > 0 else 0.0
        return vol_scaled, min(max(signal_rel, spec.SIGNAL_REL_MIN), spec.SIGNAL_REL_MAX)

    def _daily_values(self, bar_open: float, vol_scaled: float) -> list[float]:
        values: list[float] = []
        stamp = np.array([int(bar_open)], dtype=np.int64)
        if self.feature_set.fear_greed:
            fg = float(self.daily.fear_greed.visible_at(stamp)[0]) if self.daily.fear_greed else np.nan
            fear = np.nan if np.isnan(fg) else float(fg < 20)
            greed = np.nan if np.isnan(fg) else float(fg > 80)
            values += [fg, fear, greed, vol_scaled * fear, vol_scaled * greed]
        if self.feature_set.dominance:
            dom, change = self.daily.dominance, self._dominance_change
            values.append(float(dom.visible_at(stamp)[0]) if dom else np.nan)
            values.append(float(change.visible_at(stamp)[0]) if change else np.nan)
        return values


def _rolling_std(values: FloatArray, window: int) -> FloatArray:
    """Sample std (ddof=1) of every full window, from running sums (values are small log returns)."""
    sums = np.concatenate(([0.0], np.cumsum(values)))
    squares = np.concatenate(([0.0], np.cumsum(values * values)))
    total = sums[window:] - sums[:-window]
    total_sq = squares[window:] - squares[:-window]
    return np.asarray(np.sqrt(np.maximum(total_sq - total * total / window, 0.0) / (window - 1)))


def _regime_values(vol_scaled: float, signal_rel: float) -> list[float]:
    edges = spec.VOL_REGIME_EDGES
    regime = float(sum(vol_scaled >= edge for edge in edges))
    return [vol_scaled, regime, vol_scaled**2, signal_rel, signal_rel**3]
