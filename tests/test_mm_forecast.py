"""Forecast-aware quoting with the real quantile model: causal alignment (prefix == full), skew from Q50."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.mm import pmm_logic
from hummingbot_plugin.mm.forecast import align_forecasts, quantile_forecast_fn
from hummingbot_plugin.mm.params import PMMParams
from hummingbot_plugin.settings import models_dir

MODEL = models_dir() / "btc_usdt_1h_oos2023"


@pytest.fixture(scope="module")
def bars(shared_data_dir: Path) -> pd.DataFrame:
    return load_candles(shared_data_dir / "binance_BTC-USDT_5m.csv", start="2023-01-01", end="2023-02-20")


def test_forecasts_reach_a_bar_only_after_their_hour_closed() -> None:
    bars = pd.DataFrame({"timestamp": np.arange(0, 7200, 300.0)})
    preds = pd.DataFrame(
        {"timestamp": [0.0, 3600.0], "q10": [-1.0, -2.0], "q50": [0.1, 0.2], "q90": [1.0, 2.0]}
    )
    out = align_forecasts(bars, preds, "1h")
    quoted_at = out["timestamp"] + 300
    assert out.loc[quoted_at < 3600, "q50"].isna().all()
    assert (out.loc[(quoted_at >= 3600) & (quoted_at < 7200), "q50"] == 0.1).all()


def test_model_forecast_on_a_prefix_equals_the_full_history(bars: pd.DataFrame) -> None:
    forecast = quantile_forecast_fn(MODEL)
    full = forecast(bars)
    assert full["q50"].notna().sum() > 1000  # the model forecasts once its live window is filled
    for cut in (len(bars) - 1000, len(bars) - 7):
        pd.testing.assert_frame_equal(forecast(bars.iloc[:cut].reset_index(drop=True)), full.iloc[:cut])
    params = PMMParams(
        buy_spreads=[0.002],
        sell_spreads=[0.002],
        total_amount_quote=Decimal(1000),
        candles_interval="5m",
        max_forecast_skew=0.05,  # the largest allowed: no clipping at these returns
    )
    features = pmm_logic.feature_frame(bars, params, forecast)
    ok = full["q50"].notna().to_numpy()
    assert np.allclose(features["forecast_skew"].to_numpy()[ok], 0.5 * full["q50"].to_numpy()[ok])
    assert np.allclose(features["interval_width"].to_numpy()[ok], (full["q90"] - full["q10"]).to_numpy()[ok])
