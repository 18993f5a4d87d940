"""Quantile forecasting: features, LightGBM quantile models, calibration, trading inputs (no Hummingbot).

Public API (imported lazily so ``hummingbot_plugin.ml.spec`` stays light)::

    Forecaster.load(model_dir) -> Forecaster
    Forecaster.predict_latest(candles, now=None) -> Forecast | NoForecast
    Forecaster.predict_frame(candles_df) -> DataFrame
    DailyInputs.from_files(fear_greed_csv, dominance_csv)
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hummingbot_plugin.ml.daily import DailyInputs
    from hummingbot_plugin.ml.forecaster import Forecast, Forecaster, NoForecast
    from hummingbot_plugin.ml.live import CandleArrays
    from hummingbot_plugin.ml.signals import ProbabilityMethod

__all__ = ["CandleArrays", "DailyInputs", "Forecast", "Forecaster", "NoForecast", "ProbabilityMethod"]

_HOMES = {
    "CandleArrays": "live",
    "DailyInputs": "daily",
    "Forecast": "forecaster",
    "Forecaster": "forecaster",
    "NoForecast": "forecaster",
    "ProbabilityMethod": "signals",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"hummingbot_plugin.ml.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'hummingbot_plugin.ml' has no attribute {name!r}")
