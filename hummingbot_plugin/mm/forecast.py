"""Quantile forecasts for quoting: the ML engineer's ``Forecaster`` mapped causally onto quoting bars.

A forecast made from the model-interval bar opened at ``H`` becomes usable at ``H + model_interval``
(the bar's close). A quoting bar opened at ``f`` is quoted at its close ``f + quote_interval`` and may only
use forecasts usable by then (``merge_asof`` backward on those two times): no look-ahead at any resolution.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hummingbot_plugin.data import infer_interval, interval_seconds, resample_candles
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ml.spec import LIVE_WINDOW, QUANTILE_COLUMNS

__all__ = ["LIVE_WINDOW", "align_forecasts", "quantile_forecast_fn"]

_Q = list(QUANTILE_COLUMNS)


def align_forecasts(bars: pd.DataFrame, predictions: pd.DataFrame, model_interval: str) -> pd.DataFrame:
    """Forecast columns (timestamp = quoting bar open, q10/q50/q90) for every row of ``bars``."""
    if len(bars) < 2:
        return pd.DataFrame({"timestamp": bars["timestamp"], **{q: np.nan for q in _Q}})
    quote_s = interval_seconds(infer_interval(bars))
    usable = (
        pd.DataFrame(
            {
                "usable_at": predictions["timestamp"].astype("float64") + interval_seconds(model_interval),
                **{q: predictions[q].astype("float64") for q in _Q},
            }
        )
        .dropna()
        .sort_values("usable_at")
    )
    left = pd.DataFrame(
        {
            "timestamp": bars["timestamp"].astype("float64"),
            "quoted_at": bars["timestamp"].astype("float64") + quote_s,
        }
    )
    merged = pd.merge_asof(left, usable, left_on="quoted_at", right_on="usable_at", direction="backward")
    return merged[["timestamp", *_Q]]


class _ModelForecast:
    """Callable ForecastFn: predictions from ``history`` (model-interval candles) or the quoting bars."""

    def __init__(self, model_dir: str | Path, history: pd.DataFrame | None, trading_pair: str | None) -> None:
        from hummingbot_plugin.ai.model_loader import ModelCheck, open_model
        from hummingbot_plugin.ml.forecaster import Forecaster

        # The model interval may be coarser than the quoting bars (checked per call below).
        loaded = open_model(Path(model_dir), ModelCheck(trading_pair, interval=None)).forecaster
        if not isinstance(loaded, Forecaster):  # open_model refuses research models (research=False)
            raise TypeError(f"{model_dir}: not a quantile forecaster")
        self.forecaster = loaded
        self.interval = self.forecaster.manifest.interval
        self._history_predictions = self.forecaster.predict_frame(history) if history is not None else None

    def __call__(self, bars: pd.DataFrame) -> pd.DataFrame:
        predictions = self._history_predictions
        if predictions is None:
            if interval_seconds(infer_interval(bars)) > interval_seconds(self.interval):
                raise DataError(
                    f"quoting bars are coarser than the model's {self.interval}",
                    fix=f"quote on {self.interval} bars or finer",
                )
            model_bars = resample_candles(bars, self.interval, incomplete="drop")
            predictions = self.forecaster.predict_frame(model_bars)
        return align_forecasts(bars, predictions, self.interval)


def quantile_forecast_fn(
    model_dir: str | Path, history: pd.DataFrame | None = None, trading_pair: str | None = None
) -> _ModelForecast:
    """A ForecastFn for ``pmm_logic`` (ModelError when the model is refused; ``trading_pair``: the model
    must be of that pair); ``history``: model-interval candles to predict from."""
    return _ModelForecast(model_dir, history, trading_pair)
