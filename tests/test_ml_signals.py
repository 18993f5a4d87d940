"""Quantiles -> trading inputs: the client's formulas against hand-computed values, and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hummingbot_plugin.ml.signals import (
    calibrated_probabilities,
    client_probabilities,
    kelly_fraction,
    prob_up_piecewise,
    quantile_cdf,
    target_pct,
    tier_confidence,
    tier_letter,
)

LEVELS = (0.1, 0.5, 0.9)


@pytest.mark.parametrize(
    ("q10", "q50", "q90", "prob_up", "short", "neutral", "long"),
    [
        # q10 < 0 <= q50: 1 - (0.10 + 0.40 * 0.01 / 0.02) = 0.7; spread 0.04/0.02 -> 1 -> neutral 0.3
        (-0.01, 0.01, 0.03, 0.7, 0.3 * 0.7, 0.3, 0.7 * 0.7),
        # q50 < 0 < q90: 1 - (0.50 + 0.40 * 0.01 / 0.02) = 0.3
        (-0.03, -0.01, 0.01, 0.3, 0.7 * 0.7, 0.3, 0.3 * 0.7),
        # q10 >= 0 -> 1; spread 0.002/0.02 = 0.1 -> neutral 0.03
        (0.001, 0.002, 0.003, 1.0, 0.0, 0.03, 0.97),
        # q90 <= 0 -> 0; spread 0.2 -> neutral 0.06
        (-0.004, -0.002, 0.0, 0.0, 0.94, 0.06, 0.0),
        # q50 == 0 falls in the first branch: 1 - (0.1 + 0.4) = 0.5
        (-0.002, 0.0, 0.002, 0.5, 0.47, 0.06, 0.47),
    ],
)
def test_client_probabilities_match_hand_computed_values(
    q10: float, q50: float, q90: float, prob_up: float, short: float, neutral: float, long: float
) -> None:
    assert prob_up_piecewise(q10, q50, q90) == pytest.approx(prob_up)
    # Order is Hummingbot's [short, neutral, long]; long carries prob_up (the client's list put it first).
    np.testing.assert_allclose(client_probabilities(q10, q50, q90), [short, neutral, long], atol=1e-12)


@pytest.mark.parametrize(
    ("q10", "q50", "q90", "tier", "expected"),
    [
        (-0.01, 0.01, 0.03, 10.0, 0.01),  # 0.01 * 2.0 / min(2, 2)
        (-0.01, 0.01, 0.03, 0.0, 0.0025),  # 0.01 * 0.5 / 2
        (-0.001, 0.0005, 0.001, 5.0, 0.00625),  # 0.0005 * 1.25 / 0.1
        (-0.02, 0.2, 0.02, 10.0, 0.05),  # clipped at the top
        (-0.01, 0.0001, 0.03, 0.0, 0.001),  # clipped at the bottom
        (0.01, 0.01, 0.01, 10.0, 0.001),  # zero spread: no division by zero, lower bound
    ],
)
def test_target_pct_matches_hand_computed_values(
    q10: float, q50: float, q90: float, tier: float, expected: float
) -> None:
    assert float(target_pct(q10, q50, q90, tier)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("vol_scaled", "signal_rel", "fear_greed", "expected"),
    [
        (0.5, -0.5, 50.0, 0.1),
        (0.5, -0.5, 10.0, 0.12),  # extreme fear x1.2
        (0.5, -0.5, 90.0, 0.08),  # extreme greed x0.8
        (0.5, -0.5, None, 0.1),  # unknown index: no adjustment
        (0.9, 0.1, 50.0, 0.25),  # capped
        (0.9, 0.0, 50.0, 0.0),  # |signal_rel| = 0 guarded
        (float("nan"), 0.3, 50.0, 0.0),  # unknown input: no position
        (float("inf"), 0.3, 50.0, 0.0),  # non-finite input: no position
        (0.5, 1e-320, 50.0, 0.25),  # overflow to +inf is capped, not zeroed
    ],
)
def test_kelly_matches_hand_computed_values(
    vol_scaled: float, signal_rel: float, fear_greed: float | None, expected: float
) -> None:
    assert float(kelly_fraction(vol_scaled, signal_rel, fear_greed, base_size=0.1)) == pytest.approx(expected)


def test_calibrated_probabilities_match_hand_computed_values() -> None:
    quantiles = np.array([-0.01, 0.0, 0.01])
    # inside: F(-0.005) = 0.1 + 0.4 * 0.5 = 0.3, F(0.005) = 0.7
    np.testing.assert_allclose(calibrated_probabilities(quantiles, LEVELS, 0.005), [0.3, 0.4, 0.3])
    # tails: scale = 0.1 * 0.01 / 0.4 = 0.0025 -> F(-0.02) = 0.1 * exp(-4)
    tail = 0.1 * math.exp(-4.0)
    np.testing.assert_allclose(calibrated_probabilities(quantiles, LEVELS, 0.02), [tail, 1 - 2 * tail, tail])
    assert float(quantile_cdf(0.0, quantiles, LEVELS)) == pytest.approx(0.5)


def test_tier_confidence_is_the_percentile_rank_times_ten() -> None:
    grid = np.linspace(0.0, 1.0, 101)
    np.testing.assert_allclose(tier_confidence([0.0, 0.5, 0.95, 2.0], grid), [0.0, 5.0, 9.5, 10.0])
    assert [tier_letter(c) for c in (9.5, 8.0, 5.0, 1.0, float("nan"))] == ["A", "B", "C", "D", "-"]


sorted_quantiles = st.lists(
    st.floats(min_value=-0.5, max_value=0.5, allow_nan=False), min_size=3, max_size=3
).map(sorted)


@given(q=sorted_quantiles, cost=st.floats(min_value=0.0, max_value=0.05))
def test_probabilities_are_valid_distributions(q: list[float], cost: float) -> None:
    for probs in (client_probabilities(*q), calibrated_probabilities(np.array(q), LEVELS, cost)):
        assert np.all((probs >= -1e-12) & (probs <= 1 + 1e-12)), probs
        assert float(np.sum(probs)) == pytest.approx(1.0, abs=1e-9)


@given(q=sorted_quantiles, tier=st.floats(min_value=0.0, max_value=10.0))
def test_target_pct_stays_within_bounds(q: list[float], tier: float) -> None:
    assert 0.001 <= float(target_pct(*q, tier)) <= 0.05


@given(
    vol=st.floats(min_value=-1.0, max_value=5.0),
    rel=st.floats(min_value=-1.0, max_value=10.0),
    fg=st.floats(min_value=0.0, max_value=100.0),
    base=st.floats(min_value=0.0, max_value=1.0),
)
def test_kelly_is_between_zero_and_the_cap(vol: float, rel: float, fg: float, base: float) -> None:
    assert 0.0 <= float(kelly_fraction(vol, rel, fg, base)) <= 0.25


@given(
    q=sorted_quantiles,
    x=st.lists(st.floats(min_value=-1.0, max_value=1.0), min_size=2, max_size=2).map(sorted),
)
def test_quantile_cdf_is_monotone(q: list[float], x: list[float]) -> None:
    low, high = (float(quantile_cdf(v, np.array(q), LEVELS)) for v in x)
    assert 0.0 <= low <= high + 1e-12 <= 1.0 + 1e-12
