"""The research table of one market: candles, features, usable rows and labels per horizon."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.dataset import forward_log_return
from hummingbot_plugin.ml.validity import REASON_OK, row_reasons
from hummingbot_plugin.research.features import CORE_FEATURES, FEATURE_NAMES, FeatureInputs, research_features

__all__ = ["LEVELS", "ResearchData", "build_research_data"]

FloatArray = NDArray[np.float64]
LEVELS = (0.1, 0.5, 0.9)


@dataclass
class ResearchData:
    """Arrays over every bar of the history (row = bar position)."""

    candles: pd.DataFrame
    features: FloatArray
    usable: NDArray[np.bool_]  # valid candles, no recent gap, every core feature finite
    interval_s: int
    feature_names: tuple[str, ...] = FEATURE_NAMES
    _labels: dict[int, FloatArray] = field(default_factory=dict)
    _naive: dict[int, FloatArray] = field(default_factory=dict)

    @property
    def timestamps(self) -> FloatArray:
        return np.asarray(self.candles["timestamp"], dtype=np.float64)

    @property
    def close(self) -> FloatArray:
        return np.asarray(self.candles["close"], dtype=np.float64)

    def labels(self, horizon_bars: int) -> FloatArray:
        """Forward log return over ``horizon_bars`` (NaN where unknown or across a gap)."""
        if horizon_bars not in self._labels:
            self._labels[horizon_bars] = forward_log_return(self.candles, horizon_bars, self.interval_s)
        return self._labels[horizon_bars]

    def naive(self, horizon_bars: int) -> FloatArray:
        """Rolling-quantile baseline forecasts (``ml.metrics.naive_quantiles``), for pinball skill."""
        if horizon_bars not in self._naive:
            self._naive[horizon_bars] = metrics.naive_quantiles(
                self.timestamps, self.labels(horizon_bars), horizon_bars, LEVELS
            )
        return self._naive[horizon_bars]

    def column(self, name: str) -> FloatArray:
        return np.asarray(self.features[:, self.feature_names.index(name)], dtype=np.float64)


def build_research_data(candles: pd.DataFrame, inputs: FeatureInputs, interval_s: int) -> ResearchData:
    """Features and usable rows for ``candles`` (index reset to positions)."""
    frame = candles.reset_index(drop=True)
    features = research_features(frame, inputs).to_numpy(np.float64)
    core = [FEATURE_NAMES.index(n) for n in CORE_FEATURES]
    usable = (row_reasons(frame, interval_s) == REASON_OK) & np.all(np.isfinite(features[:, core]), axis=1)
    return ResearchData(frame, features, np.asarray(usable, dtype=np.bool_), interval_s)
