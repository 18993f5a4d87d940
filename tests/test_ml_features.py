"""Feature causality and the look-ahead-free daily join, on real candles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ml_factories import daily_inputs, real_candles

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ml.daily import DailySeries
from hummingbot_plugin.ml.features import compute_features
from hummingbot_plugin.ml.spec import CANDLE_FEATURES, WARMUP_BARS, FeatureSet

FULL_SET = FeatureSet(fear_greed=True, dominance=True)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return real_candles(start="2021-01-01", end="2021-03-15")


@pytest.fixture(scope="module")
def full_features(history: pd.DataFrame) -> pd.DataFrame:
    return compute_features(history, FULL_SET, daily_inputs())


def _assert_same_rows(prefix: pd.DataFrame, full: pd.DataFrame) -> None:
    a, b = prefix.to_numpy(), full.iloc[: len(prefix)].to_numpy()
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    bad_columns = [prefix.columns[j] for j in np.flatnonzero(~same.all(axis=0))]
    assert not bad_columns, f"prefix rows differ from full-history rows in {bad_columns}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=1780))
def test_features_on_a_prefix_equal_the_same_rows_on_the_full_history(
    cut: int, history: pd.DataFrame, full_features: pd.DataFrame
) -> None:
    prefix = compute_features(history.iloc[:cut], FULL_SET, daily_inputs())
    _assert_same_rows(prefix, full_features)


@pytest.mark.parametrize("cut", [1, 2, 14, 15, 16, 20, 33, 34, 35, WARMUP_BARS, WARMUP_BARS + 1])
def test_prefix_causality_at_indicator_warm_up_edges(
    cut: int, history: pd.DataFrame, full_features: pd.DataFrame
) -> None:
    # pandas-ta returns None below an indicator's length but fills early rows of a longer input (RSI);
    # the features blank those rows, which these edges would catch.
    _assert_same_rows(compute_features(history.iloc[:cut], FULL_SET, daily_inputs()), full_features)


def test_changing_a_future_bar_leaves_earlier_rows_unchanged(
    history: pd.DataFrame, full_features: pd.DataFrame
) -> None:
    shocked = history.copy()
    shocked.loc[1500, ["high", "close"]] *= 1.5
    changed = compute_features(shocked, FULL_SET, daily_inputs())
    _assert_same_rows(changed.iloc[:1500], full_features)
    assert not np.allclose(changed.loc[1500, "ret_1"], full_features.loc[1500, "ret_1"])


def test_full_rows_after_warm_up_are_finite(full_features: pd.DataFrame) -> None:
    assert np.isfinite(full_features.iloc[WARMUP_BARS:][list(CANDLE_FEATURES)].to_numpy()).all()
    assert full_features.iloc[: WARMUP_BARS - 1]["vol_scaled"].isna().all()


def test_vol_regime_follows_the_client_thresholds(full_features: pd.DataFrame) -> None:
    rows = full_features.dropna(subset=["vol_scaled"])
    expected = np.digitize(rows["vol_scaled"], [0.1, 0.3, 0.6])
    np.testing.assert_array_equal(rows["vol_regime"].to_numpy(), expected)
    assert set(np.unique(expected)) == {0, 1, 2, 3}
    np.testing.assert_allclose(rows["signal_rel_cubed"], rows["signal_rel"] ** 3)


def test_daily_value_is_visible_only_after_its_day_has_closed() -> None:
    day = 1_672_531_200  # 2023-01-01T00:00Z
    series = DailySeries("fg", np.array([day - 86_400, day], dtype=np.int64), np.array([10.0, 90.0]))
    bars = np.array([day, day + 3_600, day + 86_399, day + 86_400, day + 86_400 * 5], dtype=np.int64)
    np.testing.assert_array_equal(series.visible_at(bars)[:4], [10.0, 10.0, 10.0, 90.0])
    assert np.isnan(series.visible_at(bars)[4]), "a value older than the max age must count as missing"


def test_fear_greed_flags_and_interactions(full_features: pd.DataFrame) -> None:
    rows = full_features.dropna(subset=["fear_greed", "vol_scaled"])
    assert ((rows["fear_greed"] > 80) == (rows["extreme_greed"] == 1)).all()
    assert ((rows["fear_greed"] < 20) == (rows["extreme_fear"] == 1)).all()
    np.testing.assert_allclose(rows["vol_greed_interaction"], rows["vol_scaled"] * rows["extreme_greed"])
    assert rows["extreme_greed"].sum() > 0  # early 2021 had extreme greed days


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda df: df.drop(columns=["volume"]), "volume"),
        (lambda df: df.iloc[::-1].reset_index(drop=True), "timestamp"),
        (lambda df: df.assign(close=df["close"].where(df.index != 10, -1.0)), "non-positive price"),
    ],
)
def test_bad_candles_raise_a_clear_data_error(mutate, message: str, history: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError, match=message):
        compute_features(mutate(history.iloc[:50].copy()))


def test_missing_daily_series_is_a_clear_error(history: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="Fear & Greed"):
        compute_features(history.iloc[:50], FeatureSet(fear_greed=True))
