"""XEMM maths (Hypothesis) and the two-venue replay: hedges, outages as hedge failures, risk hooks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.mm import xemm
from hummingbot_plugin.mm.analytics import mm_report
from hummingbot_plugin.mm.risk import RiskState
from hummingbot_plugin.simulation.mm.xemm_replay import XEMMSimParams, run_xemm_replay


@given(
    taker=st.floats(1, 1e6),
    target=st.floats(0, 0.05),
    tx=st.floats(0, 0.01),
    side=st.sampled_from(["buy", "sell"]),
)
def test_maker_price_earns_the_target_after_costs(taker: float, target: float, tx: float, side: str) -> None:
    maker = xemm.maker_price(taker, side, target, tx)
    assert xemm.trade_profitability(maker, taker, side) == pytest.approx(target + tx, rel=1e-9, abs=1e-12)


@given(amount=st.floats(0, 10), depth=st.floats(0, 10), bal=st.floats(0, 10), port=st.floats(0, 100))
def test_capped_amount_never_exceeds_any_cap(amount: float, depth: float, bal: float, port: float) -> None:
    limits = xemm.SizeLimits(0.25, 0.995, 0.3)
    capped = xemm.capped_amount(
        amount, taker_depth_base=depth, taker_balance_base=bal, portfolio_base=port, limits=limits
    )
    assert 0 <= capped <= min(amount, depth * 0.25 + 1e-12, bal * 0.995 + 1e-12, port * 0.3 + 1e-12)


def test_size_limits_and_sides_are_validated() -> None:
    with pytest.raises(ConfigError, match="taker_volume_factor"):
        xemm.SizeLimits(0.0, 0.5, 0.5)
    with pytest.raises(ConfigError, match="maker_side"):
        xemm.maker_price(100.0, "hold", 0.01, 0.0)


@pytest.mark.parametrize(
    ("state", "imbalance", "buy", "sell"),
    [
        (RiskState.ACTIVE, 0.0, True, True),
        (RiskState.ACTIVE, 0.9, False, True),
        (RiskState.ACTIVE, -0.9, True, False),
        (RiskState.REDUCING, 0.9, False, True),
        (RiskState.REDUCING, 0.0, False, False),
        (RiskState.HALTED, 0.0, False, False),
    ],
)
def test_cross_venue_permission(state: RiskState, imbalance: float, buy: bool, sell: bool) -> None:
    allowed = xemm.xemm_permission(state, imbalance, 0.8)
    assert (allowed.buy, allowed.sell) == (buy, sell)


def _make_params(**overrides: object) -> XEMMSimParams:
    levels = (xemm.XEMMLevel("buy_0", "buy", 0.001, 500.0), xemm.XEMMLevel("sell_0", "sell", 0.001, 500.0))
    base: dict[str, object] = {
        "levels": levels,
        "min_profitability": 0.0005,
        "max_profitability_margin": 0.002,
        "maker_fee": 0.0,
        "taker_fee": 0.0,
        "size_limits": xemm.SizeLimits(1.0, 1.0, 1.0),
        "filled_order_delay": 0.0,
        "anti_hysteresis": 0.0,
        "taker_half_spread": 0.0,
        "latency_z": 0.0,
    }
    base.update(overrides)
    return XEMMSimParams(**base)  # type: ignore[arg-type]


def _venue(closes: list[float], lows: list[float] | None = None) -> pd.DataFrame:
    n = len(closes)
    lows = lows or closes
    return pd.DataFrame(
        {
            "timestamp": np.arange(n) * 60.0,
            "open": closes,
            "high": closes,
            "low": lows,
            "close": closes,
            "volume": 100.0,
        }
    )


def test_a_maker_fill_is_hedged_on_the_taker_venue_at_the_basis() -> None:
    maker = _venue([100.0] * 5, lows=[100.0, 100.0, 99.0, 100.0, 100.0])  # bar 2 trades through our bid
    result = run_xemm_replay(maker, _venue([100.0] * 5), _make_params(), bar_seconds=60)
    venues = result.fills["venue"].tolist()
    assert venues[:2] == ["maker", "taker"]
    maker_fill, hedge = result.fills.iloc[0], result.fills.iloc[1]
    assert maker_fill["side"] == 1 and hedge["side"] == -1 and hedge["amount"] == maker_fill["amount"]
    assert maker_fill["price"] == pytest.approx(100.0 / 1.001)
    assert hedge["price"] == pytest.approx(maker_fill["price"])  # basis 1, no costs: hedge at the fill price
    assert result.balances["maker_base"] + result.balances["taker_base"] == pytest.approx(1.0)  # flat overall


def test_a_taker_outage_is_a_hedge_failure_retried_later() -> None:
    maker = _venue([100.0] * 6, lows=[100.0, 100.0, 99.0, 100.0, 100.0, 100.0])
    taker = _venue([100.0] * 6).drop(index=[2, 3])  # the taker venue is down during bars 2-3
    result = run_xemm_replay(maker, taker, _make_params(), bar_seconds=60)
    assert len(result.hedge_failures) == 1
    hedges = result.fills[result.fills["venue"] == "taker"]
    assert len(hedges) == 1 and hedges["timestamp"].iloc[0] == 240.0  # retried at the next taker bar
    report = mm_report(
        result.fills, result.mids, n_orders=result.n_orders, n_hedge_failures=len(result.hedge_failures)
    )
    assert report.n_hedge_failures == 1 and report.n_fills == 1


def test_hedge_failures_halt_quoting() -> None:
    lows = [100.0, 100.0] + [99.0] * 8
    maker = _venue([100.0] * 10, lows=lows)
    taker = _venue([100.0] * 10).drop(index=[3, 5, 7])
    small = (xemm.XEMMLevel("buy_0", "buy", 0.001, 10.0),)
    result = run_xemm_replay(maker, taker, _make_params(levels=small, max_hedge_failures=1), bar_seconds=60)
    maker_fills = result.fills[result.fills["venue"] == "maker"]
    # Bar 2 fills and hedges, bar 3 fills into the outage (failure) -> halted; bars 4-9 would fill otherwise.
    assert len(result.hedge_failures) == 1 and len(maker_fills) == 2


def test_continuous_repricing_fills_only_on_a_basis_move_and_earns_the_target() -> None:
    closes = [100.0] * 6
    moved = _venue(closes, lows=[100.0, 100.0, 90.0, 100.0, 100.0, 100.0])  # maker crashes with the taker
    taker_moved = _venue(closes, lows=[100.0, 100.0, 90.0, 100.0, 100.0, 100.0])
    params = _make_params(repricing="continuous", maker_fee=0.0002, taker_fee=0.0004)
    assert run_xemm_replay(moved, taker_moved, params, bar_seconds=60).fills.empty  # co-movement: no fill
    maker = _venue([100.0, 100.0, 99.7, 100.0, 100.0, 100.0])  # maker alone 0.3 % below at bar 2's open/close
    result = run_xemm_replay(maker, _venue(closes), params, bar_seconds=60)
    buy, hedge = result.fills.iloc[0], result.fills.iloc[1]
    assert (buy["venue"], buy["side"], hedge["venue"], hedge["side"]) == ("maker", 1, "taker", -1)
    gross = (hedge["price"] - buy["price"]) / buy["price"]
    assert gross == pytest.approx(0.001 + 0.0006, rel=1e-9)  # target + both fees, before fees are charged
    with pytest.raises(ConfigError, match="repricing"):
        _make_params(repricing="sometimes")
