"""Data preparation: labels and the (features, label, validity) table for training and evaluation.

The forecast for bar ``t`` is made at the CLOSE of bar ``t`` (time ``timestamp_t + interval``) and targets
the forward log return ``ln(close_{t+h} / close_t)`` over ``h = horizon_bars`` bars. A label is NaN when
a bar is missing between ``t`` and ``t + h`` (the horizon would not be ``h`` bars of wall-clock time) or
when the future is not in the data yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ml.daily import DailyInputs
from hummingbot_plugin.ml.features import compute_features
from hummingbot_plugin.ml.spec import FeatureSet
from hummingbot_plugin.ml.validity import REASON_OK, feature_reasons, row_reasons

__all__ = ["Dataset", "build_dataset", "forward_log_return"]


def forward_log_return(candles: pd.DataFrame, horizon_bars: int, interval_s: int) -> NDArray[np.float64]:
    """``ln(close[t + h] / close[t])``, NaN where the span is not exactly ``h`` intervals or unknown."""
    if horizon_bars < 1:
        raise DataError(f"horizon_bars must be >= 1, got {horizon_bars}", fix="pass --horizon 1 or more")
    close = candles["close"].to_numpy(np.float64)
    stamps = candles["timestamp"].to_numpy(np.float64)
    label = np.full(close.size, np.nan)
    if close.size > horizon_bars:
        span = stamps[horizon_bars:] - stamps[:-horizon_bars]
        ret = np.log(close[horizon_bars:] / close[:-horizon_bars])
        label[:-horizon_bars] = np.where(span == horizon_bars * interval_s, ret, np.nan)
    return label


@dataclass(frozen=True)
class Dataset:
    """All rows of a candle history: features (manifest order), labels and per-row reasons."""

    timestamps: NDArray[np.float64]
    features: NDArray[np.float64]
    labels: NDArray[np.float64]
    reasons: NDArray[np.object_]
    feature_names: tuple[str, ...]

    @property
    def predictable(self) -> NDArray[np.bool_]:
        """Rows that may receive a forecast (valid candles and finite features)."""
        return np.asarray(self.reasons == REASON_OK)

    @property
    def trainable(self) -> NDArray[np.bool_]:
        """Predictable rows whose label is known."""
        return np.asarray(self.predictable & np.isfinite(self.labels), dtype=np.bool_)


def build_dataset(
    candles: pd.DataFrame,
    *,
    horizon_bars: int,
    interval_s: int,
    feature_set: FeatureSet,
    daily: DailyInputs | None = None,
) -> Dataset:
    """Compute features, labels and reasons for every row of ``candles`` (index reset to positions)."""
    frame = candles.reset_index(drop=True)
    features = compute_features(frame, feature_set, daily).to_numpy(np.float64)
    reasons = row_reasons(frame, interval_s)
    by_feature = feature_reasons(features, feature_set.names)
    reasons = np.where(reasons == REASON_OK, by_feature, reasons)
    return Dataset(
        timestamps=frame["timestamp"].to_numpy(np.float64),
        features=features,
        labels=forward_log_return(frame, horizon_bars, interval_s),
        reasons=reasons,
        feature_names=feature_set.names,
    )
