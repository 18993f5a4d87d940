"""Factories for ML tests: real candles from the shared data, small real LightGBM trainings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.ml.daily import DailyInputs
from hummingbot_plugin.ml.manifest import Manifest
from hummingbot_plugin.ml.pipeline import TrainRequest, train_model
from hummingbot_plugin.ml.spec import FeatureSet
from hummingbot_plugin.ml.training import TrainConfig
from hummingbot_plugin.settings import data_file

SMALL_START = "2022-03-01"
SMALL_END = "2022-08-31"  # ~4,400 hourly bars: 999 warm-up + enough for 2 small folds


@lru_cache(maxsize=4)
def _cached_candles(name: str, start: str | None, end: str | None) -> pd.DataFrame:
    return load_candles(data_file(name), start=start, end=end)


def real_candles(
    pair: str = "BTC-USDT", start: str | None = SMALL_START, end: str | None = SMALL_END
) -> pd.DataFrame:
    """A copy of real Binance 1h candles for ``pair`` between ``start`` and ``end`` (inclusive)."""
    return _cached_candles(f"binance_{pair}_1h.csv", start, end).copy()


def daily_inputs() -> DailyInputs:
    return DailyInputs.from_files(
        data_file("fear_greed_index_daily.csv"), data_file("btc_dominance_daily_coingecko.csv")
    )


def make_train_config(**overrides: Any) -> TrainConfig:
    """A tiny, fast configuration (few trees) for tests."""
    values: dict[str, Any] = {
        "horizon_bars": 4,
        "n_folds": 2,
        "min_fold_rows": 200,
        "max_rounds": 25,
        "early_stopping_rounds": 5,
        "num_leaves": 7,
        "min_data_in_leaf": 50,
        "learning_rate": 0.1,
    }
    values.update(overrides)
    return TrainConfig(**values)


def train_small_model(
    out_dir: Path,
    *,
    candles: pd.DataFrame | None = None,
    feature_set: FeatureSet | None = None,
    daily: DailyInputs | None = None,
    **config_overrides: Any,
) -> Manifest:
    """Train a real (small) model into ``out_dir``."""
    request = TrainRequest(
        candles=real_candles() if candles is None else candles,
        trading_pair="BTC-USDT",
        interval="1h",
        model_id=out_dir.name,
        config=make_train_config(**config_overrides),
        feature_set=feature_set or FeatureSet(),
        daily=daily,
    )
    return train_model(request, out_dir, show_progress=False)
