"""Decision maths: cap, cost, hysteresis, minimum hold, and bar-by-bar == vectorised."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.research.decision import DecisionParams, DecisionState, Mode, Sizing, decide, step

finite = st.floats(-0.2, 0.2, allow_nan=False)
params_strategy = st.builds(
    DecisionParams,
    horizon_bars=st.sampled_from([1, 4, 24, 72]),
    mode=st.sampled_from(list(Mode)),
    enter_margin=st.floats(0.0, 0.02),
    min_hold_bars=st.integers(0, 30),
    sizing=st.sampled_from(list(Sizing)),
    cap=st.floats(0.05, 1.0),
    kelly_scale=st.floats(0.05, 1.0),
    vol_target=st.floats(0.05, 2.0),
    rebalance_band=st.floats(0.0, 0.5),
    long_threshold=st.floats(0.3, 0.9),
)


@st.composite
def forecasts(draw: st.DrawFn, max_size: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = draw(st.integers(1, max_size))
    mid = np.array(draw(st.lists(st.one_of(finite, st.just(np.nan)), min_size=n, max_size=n)))
    lower = np.array(draw(st.lists(st.floats(0.0, 0.1), min_size=n, max_size=n)))
    upper = np.array(draw(st.lists(st.floats(0.0, 0.1), min_size=n, max_size=n)))
    return mid - lower, mid, mid + upper


@settings(max_examples=60, deadline=None)
@given(q=forecasts(), params=params_strategy, gate=st.lists(st.booleans(), min_size=200, max_size=200))
def test_position_stays_within_cap_and_bar_by_bar_equals_vectorised(q, params, gate) -> None:  # type: ignore[no-untyped-def]
    gates = np.array(gate[: q[0].size])
    held, final = decide(*q, params, gates)
    assert np.all((held >= 0.0) & (held <= params.cap))
    state = DecisionState()
    for t in range(held.size):
        state = step(state, float(q[0][t]), float(q[1][t]), float(q[2][t]), params, bool(gates[t]))
        assert state.position == held[t]
    assert state == final


@settings(max_examples=60, deadline=None)
@given(q=forecasts(), params=params_strategy.filter(lambda p: p.mode is Mode.COST_AWARE), data=st.data())
def test_no_trade_when_the_expected_return_does_not_pay_the_round_trip(q, params, data) -> None:  # type: ignore[no-untyped-def]
    lo, mid, hi = q
    mu = 0.3 * lo + 0.4 * mid + 0.3 * hi
    # push every forecast so that its expected return is at most the round-trip cost
    excess = np.nan_to_num(mu - params.round_trip, nan=0.0).clip(min=0.0)
    shift = excess + 1e-12 + data.draw(st.floats(0.0, 0.01))
    held, _ = decide(lo - shift, mid - shift, hi - shift, params)
    assert np.all(held == 0.0)


@settings(max_examples=60, deadline=None)
@given(
    level=finite,
    width=st.floats(0.0, 0.1),
    n=st.integers(2, 300),
    params=params_strategy,
    gate=st.booleans(),
)
def test_hysteresis_never_flips_on_a_constant_forecast(level, width, n, params, gate) -> None:  # type: ignore[no-untyped-def]
    held, _ = decide(
        np.full(n, level - width), np.full(n, level), np.full(n, level + width), params, np.full(n, gate)
    )
    assert np.count_nonzero(np.diff(held)) <= 0
    assert np.all(held == held[0]) and (held[0] == 0.0 or gate)


def test_enter_exit_levels_and_minimum_holding_time() -> None:
    params = DecisionParams(fee=0.001, half_spread=0.0, enter_margin=0.01, exit_margin=-0.01, min_hold_bars=3)
    # round trip 0.002: enter needs mu > 0.012, exit needs mu < -0.008
    mu = np.array([0.0, 0.013, 0.005, -0.009, -0.009, -0.009, 0.011, 0.013])
    held, _ = decide(mu, mu, mu, params)
    np.testing.assert_array_equal(held, [0, 1, 1, 1, 0, 0, 0, 1])  # exit waits for 3 bars held


def test_vol_target_and_kelly_sizes() -> None:
    sigma = 0.05
    q10, q50, q90 = np.array([0.04 - 1.2816 * sigma]), np.array([0.04]), np.array([0.04 + 1.2816 * sigma])
    vol = DecisionParams(horizon_bars=24, sizing=Sizing.VOL_TARGET, vol_target=0.5, min_hold_bars=0)
    held, _ = decide(q10, q50, q90, vol)
    assert held[0] == pytest.approx(min(1.0, 0.5 * np.sqrt(24 / 8760) / sigma), rel=1e-3)
    kelly = DecisionParams(sizing=Sizing.KELLY, kelly_scale=0.5, cap=0.8)
    held, _ = decide(q10, q50, q90, kelly)
    assert held[0] == pytest.approx(min(0.8, 0.5 * 0.04 / sigma**2), rel=1e-3)


def test_client_mode_uses_the_client_probabilities() -> None:
    params = DecisionParams(mode=Mode.CLIENT, long_threshold=0.6, min_hold_bars=0)
    held, _ = decide(np.array([-0.01, 0.001]), np.array([0.002, 0.01]), np.array([0.02, 0.03]), params)
    np.testing.assert_array_equal(held, [0.0, 1.0])  # p_long ~0.37 (wide, centred) then 1.0 * (1 - 0.3)


@pytest.mark.parametrize(
    "bad",
    [{"enter_margin": -0.01}, {"exit_margin": 0.02, "enter_margin": 0.01}, {"cap": 1.5}, {"horizon_bars": 0}],
)
def test_invalid_settings_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        DecisionParams(**bad)  # type: ignore[arg-type]
