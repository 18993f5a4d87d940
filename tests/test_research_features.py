"""Every research feature is causal: a prefix of the history gives the same rows as the full history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ml_factories import daily_inputs, real_candles

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.research.features import (
    CROSS_FEATURES,
    FEATURE_NAMES,
    LONG_WARMUP_BARS,
    FeatureInputs,
    research_features,
)
from hummingbot_plugin.settings import data_file

START, END = "2021-02-01", "2021-09-30"  # Coinbase data starts 2021-05-04: the premium is NaN, then set


@pytest.fixture(scope="module")
def inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    eth = real_candles("ETH-USDT", START, END)
    btc = real_candles("BTC-USDT", START, END)
    coinbase = load_candles(data_file("coinbase_ETH-USD_1h.csv"), start=START, end=END)
    return eth, btc, coinbase


def _features(inputs: tuple[pd.DataFrame, ...], until: float | None = None) -> pd.DataFrame:
    eth, btc, coinbase = (f if until is None else f[f["timestamp"] < until] for f in inputs)
    return research_features(eth, FeatureInputs(cross=btc, venue=coinbase, daily=daily_inputs()))


@pytest.fixture(scope="module")
def full(inputs: tuple[pd.DataFrame, ...]) -> pd.DataFrame:
    return _features(inputs)


def _assert_same_rows(prefix: pd.DataFrame, full: pd.DataFrame) -> None:
    a, b = prefix.to_numpy(), full.iloc[: len(prefix)].to_numpy()
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    bad = [prefix.columns[j] for j in np.flatnonzero(~same.all(axis=0))]
    assert not bad, f"prefix rows differ from full-history rows in {bad}"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=1, max_value=5790))
def test_every_feature_on_a_prefix_equals_the_full_history(
    cut: int, inputs: tuple[pd.DataFrame, ...], full: pd.DataFrame
) -> None:
    until = float(inputs[0]["timestamp"].iloc[cut - 1]) + 1.0
    _assert_same_rows(_features(inputs, until), full)


@pytest.mark.parametrize("cut", [LONG_WARMUP_BARS - 1, LONG_WARMUP_BARS, LONG_WARMUP_BARS + 1, 2160 + 720])
def test_prefix_causality_at_long_window_edges(
    cut: int, inputs: tuple[pd.DataFrame, ...], full: pd.DataFrame
) -> None:
    _assert_same_rows(_features(inputs, float(inputs[0]["timestamp"].iloc[cut - 1]) + 1.0), full)


def test_a_shock_in_any_input_changes_no_earlier_row(
    inputs: tuple[pd.DataFrame, ...], full: pd.DataFrame
) -> None:
    for which in range(3):
        shocked = [frame.copy() for frame in inputs]
        stamp = float(inputs[0]["timestamp"].iloc[4000])
        at = shocked[which]["timestamp"] == stamp
        shocked[which].loc[at, ["high", "close"]] *= 1.5
        changed = _features(tuple(shocked))
        _assert_same_rows(changed.iloc[:4000], full)
        assert not changed.iloc[4000:].equals(full.iloc[4000:])


def test_columns_are_defined_after_warm_up_and_optional_inputs_fill_or_stay_nan(
    inputs: tuple[pd.DataFrame, ...], full: pd.DataFrame
) -> None:
    assert tuple(full.columns) == FEATURE_NAMES
    late = full.iloc[LONG_WARMUP_BARS:]
    assert np.isfinite(late[["mom_2160", "dist_high_2160", "sma_gap_1200", *CROSS_FEATURES]].to_numpy()).all()
    premium = full["venue_premium"]
    before = inputs[0]["timestamp"] < pd.Timestamp("2021-05-04", tz="UTC").timestamp()
    assert premium[before].isna().all() and premium[~before].notna().mean() > 0.95
    assert abs(premium[~before].median()) < 0.01  # USD vs USDT: a small premium, not a price level
    alone = research_features(inputs[0])
    assert alone[["x_mom_720", "venue_premium", "fear_greed"]].isna().all().all()
    np.testing.assert_array_equal(alone["mom_720"].to_numpy(), full["mom_720"].to_numpy())
