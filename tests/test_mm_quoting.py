"""Quoting maths: fee floor (Hypothesis), inventory skew direction, price band, causal per-bar features."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.mm import pmm_logic, quoting
from hummingbot_plugin.mm.params import PMMParams
from hummingbot_plugin.mm.risk import QuoteRiskDecision

ONE_MINUTE = "binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv"


def _make_params(**overrides: object) -> quoting.QuotingParams:
    base: dict[str, object] = {"base_spread": 0.001, "maker_fee": 0.001, "min_profit_margin": 0.0002}
    base.update(overrides)
    return quoting.QuotingParams(**base)  # type: ignore[arg-type]


def _make_pmm(**overrides: object) -> PMMParams:
    base: dict[str, object] = {
        "buy_spreads": [0.002, 0.004],
        "sell_spreads": [0.002, 0.004],
        "total_amount_quote": Decimal(1000),
    }
    base.update(overrides)
    return PMMParams(**base)  # type: ignore[arg-type]


fractions = st.floats(min_value=0.0, max_value=0.01, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    mid=st.floats(1.0, 1e6),
    skew=st.floats(-0.01, 0.01),
    mult=st.floats(0.01, 10.0),
    spreads=st.lists(st.floats(1e-6, 0.05), min_size=1, max_size=4),
    fee=fractions,
    margin=fractions,
    dev=st.floats(-1.0, 1.0),
    strength=st.floats(0.0, 5.0),
)
def test_quotes_never_closer_than_the_fee_floor(
    mid: float,
    skew: float,
    mult: float,
    spreads: list[float],
    fee: float,
    margin: float,
    dev: float,
    strength: float,
) -> None:
    floor = quoting.fee_floor(fee, margin)
    ref = mid * (1 + skew)
    bids = quoting.quote_ladder(mid, ref, mult, tuple(spreads), floor, dev, strength, "buy")[0]
    asks = quoting.quote_ladder(mid, ref, mult, tuple(spreads), floor, dev, strength, "sell")[0]
    tol = 1e-9 * mid
    assert np.all(bids <= mid * (1 - floor) + tol)
    assert np.all(asks >= mid * (1 + floor) - tol)
    assert np.all(asks - bids >= 2 * floor * mid - 2 * tol)


def test_fee_floor_is_two_maker_fees_plus_margin() -> None:
    assert quoting.fee_floor(0.001, 0.0002) == pytest.approx(0.0022)
    assert _make_params().floor == pytest.approx(0.0022)


@pytest.mark.parametrize(("dev", "direction"), [(0.8, -1), (-0.8, 1)])
def test_inventory_skew_moves_both_sides_against_the_inventory(dev: float, direction: int) -> None:
    args = (50_000.0, 50_000.0, 1.0, (0.003, 0.006), 0.0005)
    flat_bid = quoting.quote_ladder(*args, 0.0, 1.0, "buy")
    flat_ask = quoting.quote_ladder(*args, 0.0, 1.0, "sell")
    bid = quoting.quote_ladder(*args, dev, 1.0, "buy")
    ask = quoting.quote_ladder(*args, dev, 1.0, "sell")
    assert np.all(np.sign(bid - flat_bid) == direction)
    assert np.all(np.sign(ask - flat_ask) == direction)


def test_inventory_deviation_is_clipped_and_signed() -> None:
    dev = quoting.inventory_deviation(np.array([-900.0, 0.0, 250.0, 900.0]), 1000.0, 0.0, 0.5)
    assert dev.tolist() == [-1.0, 0.0, 0.5, 1.0]
    with pytest.raises(ConfigError, match="inventory"):
        quoting.inventory_deviation(1.0, 0.0, 0.0, 0.5)


def test_price_ceiling_and_floor_are_respected_by_the_plan() -> None:
    data = {"forecast_skew": 0.0, "spread_multiplier": 1.0}
    # Unbounded ladder: bids 49890 / 49800, asks 50110 / 50200 (fee floor 0.22 % binds level 0).
    plan = pmm_logic.plan_quotes(
        _make_pmm(price_ceiling=Decimal(49_850), price_floor=Decimal(50_150)),
        data,
        50_000.0,
        0.0,
        QuoteRiskDecision(),
    )
    assert plan.prices == pytest.approx({"buy_1": 49_800.0, "sell_1": 50_200.0})
    assert {"buy_0", "sell_0"} <= plan.pulled


def test_quoting_params_reject_bad_ranges() -> None:
    with pytest.raises(ConfigError, match="min_spread_multiplier"):
        _make_params(min_spread_multiplier=3.0, max_spread_multiplier=2.0)
    with pytest.raises(ConfigError, match="volatility_window"):
        _make_params(volatility_window=1)


def test_forecast_without_quantile_columns_is_rejected() -> None:
    candles = pd.DataFrame({"timestamp": [0.0, 60.0], "close": [1.0, 1.0]})
    with pytest.raises(DataError, match="q10"):
        quoting.per_bar_features(
            candles, _make_params(volatility_window=2), pd.DataFrame({"timestamp": [0.0], "q50": [0.1]})
        )


@pytest.mark.parametrize("cut", [500, 1234, 2999])
def test_per_bar_features_on_a_prefix_equal_the_full_history(shared_data_dir: object, cut: int) -> None:
    candles = load_candles(f"{shared_data_dir}/{ONE_MINUTE}").iloc[:3000].reset_index(drop=True)
    rng = np.random.default_rng(7)
    q50 = rng.normal(0, 0.002, len(candles))
    forecast = pd.DataFrame(
        {"timestamp": candles["timestamp"], "q10": q50 - 0.004, "q50": q50, "q90": q50 + 0.004}
    )
    params = _make_params()
    full = quoting.per_bar_features(candles, params, forecast)
    prefix = quoting.per_bar_features(candles.iloc[:cut], params, forecast.iloc[:cut])
    pd.testing.assert_frame_equal(prefix, full.iloc[:cut])
    assert full["spread_multiplier"].iloc[params.volatility_window :].notna().all()
    assert full["spread_multiplier"].iloc[: params.volatility_window].isna().all()


def test_processed_data_recomputes_features_only_on_a_new_bar(shared_data_dir: object) -> None:
    candles = load_candles(f"{shared_data_dir}/{ONE_MINUTE}").iloc[:200].reset_index(drop=True)
    params = _make_pmm(volatility_window=20)
    first = pmm_logic.processed_data(candles.iloc[:150], params, 60_000.0, None)
    again = pmm_logic.processed_data(candles.iloc[:150], params, 60_100.0, None, first)
    assert again["features"] is first["features"]
    assert again["reference_price"] == pytest.approx(60_100.0)  # the live mid is always fresh
    later = pmm_logic.processed_data(candles.iloc[:151], params, 60_100.0, None, first)
    assert len(later["features"]) == 151
    warm_up = pmm_logic.processed_data(candles.iloc[:10], params, 60_000.0, None)
    assert np.isnan(warm_up["spread_multiplier"]) and np.isnan(warm_up["reference_price"])  # no quotes yet
