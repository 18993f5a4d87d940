"""GLFT / Avellaneda–Stoikov maths: spreads widen with volatility and inventory, the reservation price
moves against inventory, A and k are recovered from a tape, and estimates never see their own window."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.mm import glft
from hummingbot_plugin.mm.glft_plan import GLFTParams, plan_glft
from hummingbot_plugin.mm.risk import QuoteRiskDecision

gammas = st.floats(1.0, 1e5)
intensity_a = st.floats(0.01, 50.0)
intensity_k = st.floats(100.0, 1e5)
sigmas = st.floats(1e-7, 1e-3)
inventories = st.floats(-20.0, 20.0)


def _est(sigma: float, a: float, k: float) -> glft.GLFTEstimate:
    return glft.GLFTEstimate(0.0, sigma, a, k)


@settings(max_examples=200, deadline=None)
@given(gammas, intensity_a, intensity_k, sigmas, st.floats(1.01, 10.0), inventories)
def test_spread_widens_with_volatility(
    g: float, a: float, k: float, s: float, factor: float, q: float
) -> None:
    calm, wild = glft.glft_quote(_est(s, a, k), g, q), glft.glft_quote(_est(s * factor, a, k), g, q)
    assert wild.half_spread > calm.half_spread
    assert wild.bid_depth + wild.ask_depth > calm.bid_depth + calm.ask_depth


@settings(max_examples=200, deadline=None)
@given(gammas, intensity_a, intensity_k, sigmas, inventories, st.floats(0.01, 20.0), st.floats(0.0, 1e-3))
def test_spread_widens_and_reservation_moves_against_inventory(
    g: float, a: float, k: float, s: float, q: float, more: float, floor: float
) -> None:
    est = _est(s, a, k)
    near = glft.glft_quote(est, g, q, floor=floor)
    far = glft.glft_quote(est, g, q + more if q >= 0 else q - more, floor=floor)
    # the quoted spread never narrows as |q| grows (the near side stops at the floor, the far side moves out)
    assert far.bid_depth + far.ask_depth >= near.bid_depth + near.ask_depth - 1e-15
    longer = glft.glft_quote(est, g, q + more, floor=floor)
    assert longer.reservation < near.reservation  # long: reservation falls (sell sooner, buy later)
    assert longer.bid_depth >= near.bid_depth and longer.ask_depth <= near.ask_depth
    assert min(longer.bid_depth, longer.ask_depth, near.bid_depth, near.ask_depth) >= floor


@settings(max_examples=100, deadline=None)
@given(intensity_a, intensity_k, sigmas, st.floats(1.0, 1e4), st.floats(1.5, 10.0))
def test_more_inventory_aversion_means_more_skew(
    a: float, k: float, s: float, g: float, factor: float
) -> None:
    low, high = glft.glft_quote(_est(s, a, k), g, 3.0), glft.glft_quote(_est(s, a, k), g * factor, 3.0)
    assert high.skew > low.skew


def test_coefficients_match_the_closed_form_and_refuse_bad_inputs() -> None:
    c1, c2 = glft.glft_coefficients(2.0, 3.0, 5.0)
    assert c1 == pytest.approx(np.log(1 + 2 / 5) / 2)
    assert c2 == pytest.approx(np.sqrt(2 / (2 * 3 * 5) * (1 + 2 / 5) ** (5 / 2 + 1)))
    with pytest.raises(ConfigError):
        glft.glft_coefficients(0.0, 3.0, 5.0)


def test_intensity_fit_recovers_a_and_k_from_an_exponential_tape() -> None:
    rng = np.random.default_rng(7)
    a_true, k_true, duration = 4.0, 20_000.0, 3_600.0
    depths = rng.exponential(1 / k_true, size=int(a_true * duration))  # P(depth >= d) = exp(-k d)
    a, k = glft.fit_intensity(depths, duration, np.linspace(0, 2e-4, 21))
    assert a == pytest.approx(a_true, rel=0.1) and k == pytest.approx(k_true, rel=0.1)


def test_rolling_estimates_use_only_data_before_their_window() -> None:
    rng = np.random.default_rng(1)
    t = np.arange(0.0, 600.0, 1.0)
    mids = 100 * np.exp(np.cumsum(rng.normal(0, 1e-4, t.size)))
    dist_t = np.sort(rng.uniform(0, 600, 3000))
    dist = rng.exponential(1e-4, dist_t.size)
    kw = {"lookback_s": 120.0, "step_s": 60.0, "grid": np.linspace(0, 3e-4, 16)}
    before = glft.rolling_estimates(t, mids, dist_t, dist, **kw)
    mids2, dist2 = mids.copy(), dist.copy()
    mids2[t >= 300] *= np.exp(rng.normal(0, 1e-2, int((t >= 300).sum())))  # a storm from t = 300 on
    dist2[dist_t >= 300] *= 10
    after = glft.rolling_estimates(t, mids2, dist_t, dist2, **kw)
    early = [(e, f) for e, f in zip(before, after, strict=True) if e.valid_from <= 300]
    late = [(e, f) for e, f in zip(before, after, strict=True) if e.valid_from > 300]
    assert early and late
    assert all(e == f for e, f in early)
    assert all(f.sigma > 5 * e.sigma for e, f in late)
    assert glft.estimate_at(before, before[0].valid_from + 59.0, 60.0) == before[0]
    assert glft.estimate_at(before, before[0].valid_from - 1.0, 60.0) is None


def test_the_plan_stops_buying_at_the_long_limit_and_halts_without_an_estimate() -> None:
    p = GLFTParams(gamma=1000.0, order_amount_quote=100.0, max_inventory_quote=500.0, maker_fee=0.0002)
    est = _est(5e-5, 5.0, 10_000.0)
    flat = plan_glft(p, est, {}, 100.0, 0.0, QuoteRiskDecision())
    assert set(flat.prices) == {"buy_0", "sell_0"}
    gap = 100.0 * p.floor - 1e-9
    assert flat.prices["sell_0"] - 100.0 >= gap and 100.0 - flat.prices["buy_0"] >= gap
    full = plan_glft(p, est, {}, 100.0, 500.0, QuoteRiskDecision())
    assert set(full.prices) == {"sell_0"} and full.risk.state.name == "REDUCING"
    assert plan_glft(p, None, {}, 100.0, 0.0, QuoteRiskDecision()).risk.state.name == "HALTED"
    up = plan_glft(p, est, {"forecast_skew": 0.001}, 100.0, 0.0, QuoteRiskDecision())
    assert up.prices == flat.prices  # no forecast weight: the forecast is ignored
    skewed = plan_glft(
        GLFTParams(1000.0, 100.0, 500.0, 0.0002, forecast_skew_weight=1.0),
        est,
        {"forecast_skew": 0.001},
        100.0,
        0.0,
        QuoteRiskDecision(),
    )
    # an up forecast lifts the ask; the bid may not come closer than the fee floor to the mid
    assert skewed.prices["sell_0"] > flat.prices["sell_0"] and skewed.prices["buy_0"] >= flat.prices["buy_0"]


def test_the_controller_loads_from_its_yaml_and_quotes_on_the_tick_grid_in_hummingbots_engine() -> None:
    from decimal import Decimal
    from pathlib import Path

    from hummingbot_plugin.data import load_candles
    from hummingbot_plugin.hb.config_discovery import ensure_project_importable
    from hummingbot_plugin.hb.controller_config import load_controller_config
    from hummingbot_plugin.settings import PROJECT_ROOT, data_file
    from hummingbot_plugin.simulation.backtest.offline_run import run_offline

    ensure_project_importable()
    path = Path(PROJECT_ROOT / "conf/controllers/glft_binance_btc_usdt.yml")
    with pytest.raises(ConfigError, match="maker_fee"):
        load_controller_config(path, {"maker_fee": -0.001})
    cfg = load_controller_config(path, {"estimation_lookback_bars": 60, "estimation_refresh_s": 900})
    assert type(cfg).__name__ == "GLFTMakerConfig" and cfg.params().order_amount_quote == 1000.0
    candles = load_candles(data_file("binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv")).iloc[:300]
    start, end = int(candles["timestamp"].iloc[0]), int(candles["timestamp"].iloc[-1])
    try:
        run = run_offline(cfg, candles, "1m", start=start, end=end, resolution="1m", fee=2e-4, source="t")
    finally:  # asyncio.run() leaves no current loop; later tests building connectors need one
        asyncio.set_event_loop(asyncio.new_event_loop())
    assert len(run.executors) > 10
    # no quote before 60 closed bars exist to estimate on
    assert min(e.timestamp for e in run.executors) >= start + 60 * 60
    assert all(Decimal(str(e.config.price)) % Decimal("0.01") == 0 for e in run.executors)
    assert any(e.filled_amount_quote > 0 for e in run.executors)
