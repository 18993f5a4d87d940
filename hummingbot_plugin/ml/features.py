"""Vectorised features over a whole candle history (pandas-ta + numpy); definitions in ``spec``.

pandas-ta is called with ``talib=False`` so results do not depend on whether TA-Lib happens to be
installed. Every column is causal: row ``t`` depends only on rows ``<= t``, and, because every recursive
indicator is seeded at the first row, the rows of a prefix equal the same rows of the full history
(tested with Hypothesis in ``tests/test_ml_features.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas_ta as ta

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ml import spec
from hummingbot_plugin.ml.daily import DailyInputs
from hummingbot_plugin.ml.spec import FeatureSet

__all__ = ["CANDLE_COLUMNS", "compute_features", "validate_candles"]

CANDLE_COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")


def validate_candles(candles: pd.DataFrame) -> None:
    """DataError unless ``candles`` has the candle columns, increasing timestamps and positive prices."""
    missing = [c for c in CANDLE_COLUMNS if c not in candles.columns]
    if missing:
        raise DataError(
            f"candles lack column(s) {missing}",
            fix="load candles with hummingbot_plugin.data.load_candles "
            "(timestamp, open, high, low, close, volume)",
        )
    stamps = candles["timestamp"].to_numpy(np.float64)
    if stamps.size > 1 and np.any(np.diff(stamps) <= 0):
        row = int(np.flatnonzero(np.diff(stamps) <= 0)[0]) + 1
        raise DataError(
            f"candles row {row}: timestamp not after the previous one", fix="sort, drop duplicates"
        )
    prices = candles[["open", "high", "low", "close"]].to_numpy(np.float64)
    finite = np.isfinite(prices)
    if np.any(finite & (prices <= 0)):
        row = int(np.flatnonzero(np.any(finite & (prices <= 0), axis=1))[0])
        raise DataError(f"candles row {row}: non-positive price", fix="remove or repair the bar")


def _series(values: pd.Series | None, index: pd.Index, min_rows: int) -> pd.Series:
    """pandas-ta returns None when the input has fewer than ``min_rows`` rows, yet fills early rows
    of a longer input (RSI's RMA starts at row 1). Blank rows ``< min_rows - 1`` in every case so a
    prefix of the history gives exactly the same rows as the full history (causality test)."""
    if values is None:
        return pd.Series(np.nan, index=index, dtype=np.float64)
    out = values.astype(np.float64).copy()
    out.iloc[: max(min_rows - 1, 0)] = np.nan
    return out


def _returns_and_volatility(frame: pd.DataFrame, close: pd.Series) -> pd.Series:
    log_close = np.log(close)
    for lag in spec.RETURN_LAGS:
        frame[f"ret_{lag}"] = log_close - log_close.shift(lag)
    for window in spec.RV_WINDOWS:
        frame[f"rv_{window}"] = frame["ret_1"].rolling(window, min_periods=window).std(ddof=1)
    return log_close


def _parkinson(high: pd.Series, low: pd.Series) -> pd.Series:
    squared = np.log(high / low) ** 2
    mean = squared.rolling(spec.PARKINSON_WINDOW, min_periods=spec.PARKINSON_WINDOW).mean()
    return np.sqrt(mean / (4.0 * np.log(2.0)))


def _indicators(frame: pd.DataFrame, candles: pd.DataFrame) -> None:
    high, low, close = candles["high"], candles["low"], candles["close"]
    index = candles.index
    frame["parkinson_24"] = _parkinson(high, low)
    natr = ta.natr(high, low, close, length=spec.NATR_LENGTH, talib=False)
    frame["natr_14"] = _series(natr, index, spec.NATR_LENGTH + 1)
    frame["rsi_14"] = _series(ta.rsi(close, length=spec.RSI_LENGTH, talib=False), index, spec.RSI_LENGTH + 1)
    macd = ta.macd(close, fast=spec.MACD_FAST, slow=spec.MACD_SLOW, signal=spec.MACD_SIGNAL, talib=False)
    hist = None if macd is None else macd.iloc[:, 1]
    frame["macd_hist"] = _series(hist, index, spec.MACD_SLOW + spec.MACD_SIGNAL - 1) / close
    frame["bb_pct_b"], frame["bb_width"] = _bollinger(close)
    log_volume = np.log1p(candles["volume"].astype(np.float64))
    for window in spec.VOLUME_Z_WINDOWS:
        rolling = log_volume.rolling(window, min_periods=window)
        std = rolling.std(ddof=1)
        z = (log_volume - rolling.mean()) / std
        frame[f"volume_z_{window}"] = z.where(std > 0, np.where(std.isna(), np.nan, 0.0))


def _bollinger(close: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Bollinger %B and bandwidth, same definition as pandas-ta ``bbands`` (SMA, ddof=1 std, x100 width).

    Not pandas-ta here: its SMA uses ``np.convolve``, whose summation order changes when the input is
    exactly one window long, so a 20-row prefix differed from the full history in the last bit (found
    by the causality test). A flat window (zero width) gives %B = 0.5 instead of dividing by zero.
    """
    rolling = close.rolling(spec.BB_LENGTH, min_periods=spec.BB_LENGTH)
    mid = rolling.mean()
    half_width = spec.BB_STD * rolling.std(ddof=1)
    lower, width = mid - half_width, 2.0 * half_width
    pct_b = ((close - lower) / width).where(width > 0, np.where(width.isna(), np.nan, 0.5))
    return pct_b, 100.0 * width / mid


def _regime(frame: pd.DataFrame) -> None:
    rv = frame["rv_24"]
    window = spec.REGIME_LOOKBACK
    low = rv.rolling(window, min_periods=window).quantile(0.05)
    high = rv.rolling(window, min_periods=window).quantile(0.95)
    span = high - low
    scaled = ((rv - low) / span).where(span > 0, np.where(span.isna(), np.nan, 0.0))
    scaled = scaled.clip(0.0, spec.VOL_SCALED_MAX)
    frame["vol_scaled"] = scaled
    edges = spec.VOL_REGIME_EDGES
    regime = (scaled >= edges[0]).astype(np.float64) + (scaled >= edges[1]) + (scaled >= edges[2])
    frame["vol_regime"] = regime.where(scaled.notna())
    frame["vol_scaled_sq"] = scaled**2
    strength = frame[f"ret_{spec.SIGNAL_LAG}"].abs()
    typical = strength.rolling(window, min_periods=window).median()
    rel = ((strength - typical) / typical).where(typical > 0, np.where(typical.isna(), np.nan, 0.0))
    frame["signal_rel"] = rel.clip(spec.SIGNAL_REL_MIN, spec.SIGNAL_REL_MAX)
    frame["signal_rel_cubed"] = frame["signal_rel"] ** 3


def _hour_features(frame: pd.DataFrame, timestamps: pd.Series) -> None:
    angle = 2.0 * np.pi * (timestamps.to_numpy(np.float64) % 86_400.0) / 86_400.0
    frame["hour_sin"] = np.sin(angle)
    frame["hour_cos"] = np.cos(angle)


def _daily(frame: pd.DataFrame, timestamps: pd.Series, feature_set: FeatureSet, daily: DailyInputs) -> None:
    bar_open = timestamps.to_numpy(np.float64).astype(np.int64)
    if feature_set.fear_greed:
        if daily.fear_greed is None:
            raise DataError("this feature set needs the Fear & Greed series", fix="pass --fear-greed FILE")
        fg = daily.fear_greed.visible_at(bar_open)
        frame["fear_greed"] = fg
        frame["extreme_fear"] = np.where(np.isnan(fg), np.nan, (fg < 20).astype(np.float64))
        frame["extreme_greed"] = np.where(np.isnan(fg), np.nan, (fg > 80).astype(np.float64))
        frame["vol_fear_interaction"] = frame["vol_scaled"] * frame["extreme_fear"]
        frame["vol_greed_interaction"] = frame["vol_scaled"] * frame["extreme_greed"]
    if feature_set.dominance:
        if daily.dominance is None:
            raise DataError("this feature set needs the BTC dominance series", fix="pass --dominance FILE")
        frame["btc_dominance"] = daily.dominance.visible_at(bar_open)
        frame["btc_dominance_chg_7d"] = daily.dominance.change_over(7).visible_at(bar_open)


def compute_features(
    candles: pd.DataFrame,
    feature_set: FeatureSet | None = None,
    daily: DailyInputs | None = None,
) -> pd.DataFrame:
    """Feature matrix (columns in ``feature_set.names`` order, float64, one row per candle, same index).

    Rows in the warm-up (``spec.WARMUP_BARS``) contain NaN; they are never used for training or prediction.
    """
    validate_candles(candles)
    chosen = feature_set or FeatureSet()
    frame = pd.DataFrame(index=candles.index)
    close = candles["close"].astype(np.float64)
    _returns_and_volatility(frame, close)
    _indicators(frame, candles.astype({c: np.float64 for c in CANDLE_COLUMNS[1:]}))
    _regime(frame)
    _hour_features(frame, candles["timestamp"])
    _daily(frame, candles["timestamp"], chosen, daily or DailyInputs())
    return frame.loc[:, list(chosen.names)].astype(np.float64)
