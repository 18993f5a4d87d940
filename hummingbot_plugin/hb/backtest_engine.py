"""Hummingbot's ``BacktestingEngineBase`` run offline on a local candle file.

Two deliberate differences from the stock engine, both about time:

* warm-up: the provider serves history before ``start`` so features are complete from the
  first simulated bar; the engine then steps only through bars inside ``[start, end]``;
* feature timing: Hummingbot labels a feature row with the open time of the candle it was
  computed from, and merges it backward onto the backtest bars. When the backtest resolution is
  finer than the feature candles (1h features, 5m bars) that would hand a 5m bar the value of the
  hour that has not closed yet. Feature timestamps are therefore shifted by
  ``feature_interval - resolution`` before the merge, so an hourly value reaches the 5m bar that
  closes with that hour. At equal intervals the shift is zero and the stock behaviour is kept.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from hummingbot.strategy_v2.backtesting.backtesting_engine_base import BacktestingEngineBase

from hummingbot_plugin.data import infer_interval, interval_seconds
from hummingbot_plugin.errors import DataError, SimulationError
from hummingbot_plugin.hb.offline_provider import OfflineDataProvider

__all__ = ["OfflineBacktestingEngine"]


class OfflineBacktestingEngine(BacktestingEngineBase):  # type: ignore[misc]
    """The stock engine with an :class:`OfflineDataProvider` and the two timing rules above."""

    def __init__(self, provider: OfflineDataProvider, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backtesting_data_provider = provider

    def prepare_market_data(self) -> pd.DataFrame:
        processed = self.controller.processed_data
        features = processed.get("features")
        if isinstance(features, pd.DataFrame) and len(features) > 1 and "timestamp" in features:
            processed["features"] = self._shift_to_availability(features)
        prepared = super().prepare_market_data()
        provider = self.backtesting_data_provider
        inside = prepared.loc[
            (prepared["timestamp"] >= provider.start_time) & (prepared["timestamp"] <= provider.end_time)
        ]
        if inside.empty:
            raise SimulationError(
                "no bar with complete features inside the backtest period",
                fix="widen --start/--end, or use a candle file with more history before --start",
            )
        processed["features"] = inside
        return inside

    def _shift_to_availability(self, features: pd.DataFrame) -> pd.DataFrame:
        try:
            feature_step = interval_seconds(infer_interval(features))
        except DataError:
            return features  # irregular feature frame: leave Hummingbot's merge as it is
        lag = feature_step - interval_seconds(self.backtesting_resolution)
        if lag <= 0:
            return features
        shifted = features.copy()
        shifted["timestamp"] = shifted["timestamp"] + lag
        return shifted
