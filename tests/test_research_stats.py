"""Deflated Sharpe ratio and block-bootstrap interval against known values."""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.research.stats import (
    block_bootstrap_sharpe,
    deflated_sharpe,
    expected_max_sharpe,
    probabilistic_sharpe,
    sharpe,
)


def test_deflated_sharpe_reproduces_the_papers_numerical_example() -> None:
    # Bailey & López de Prado (2014), section 4: 100 trials, V[SR] = 1/2 and SR = 2.5 (annualised),
    # T = 1250 daily returns, skewness -3, kurtosis 10  ->  SR0 = 0.1132 per day, DSR = 0.9004.
    sr0 = expected_max_sharpe(0.5 / 250, 100)
    assert math.isclose(sr0, 0.1132, abs_tol=5e-5)
    assert math.isclose(
        probabilistic_sharpe(2.5 / math.sqrt(250), sr0, 1250, -3.0, 10.0), 0.9004, abs_tol=5e-4
    )


def test_one_trial_is_not_deflated_and_normal_returns_match_the_closed_form() -> None:
    assert expected_max_sharpe(0.01, 1) == 0.0
    rng = np.random.default_rng(1)
    returns = rng.normal(0.001, 0.01, 2000)
    sr = sharpe(returns)
    expected = probabilistic_sharpe(sr, 0.0, 2000, 0.0, 3.0)
    assert math.isclose(deflated_sharpe(returns, [sr], 1), expected, abs_tol=0.01)


def test_more_trials_lower_the_deflated_sharpe() -> None:
    returns = np.random.default_rng(2).normal(0.001, 0.02, 1000)
    trials = np.random.default_rng(3).normal(0.0, 0.03, 200)
    values = [deflated_sharpe(returns, trials, n) for n in (1, 10, 100, 1000)]
    assert all(a > b for a, b in itertools.pairwise(values))


@settings(max_examples=15, deadline=None)
@given(mu=st.floats(-0.002, 0.004), seed=st.integers(0, 10_000))
def test_bootstrap_interval_brackets_the_sample_sharpe_with_the_expected_width(mu: float, seed: int) -> None:
    returns = np.random.default_rng(seed).normal(mu, 0.02, 1460)
    low, high = block_bootstrap_sharpe(returns, block=20, samples=1000, seed=seed)
    point = sharpe(returns, 365.0)
    assert low < point < high
    # iid returns: se(SR annualised) ~= sqrt((1 + SR_d^2 / 2) / T) * sqrt(365); 90 % => +- 1.645 se
    sr_d = sharpe(returns)
    width = 2 * 1.645 * math.sqrt((1 + sr_d**2 / 2) / returns.size) * math.sqrt(365)
    assert 0.7 * width < high - low < 1.3 * width


def test_bootstrap_is_reproducible_and_degenerate_inputs_are_safe() -> None:
    returns = np.random.default_rng(5).normal(0.001, 0.01, 500)
    assert block_bootstrap_sharpe(returns, seed=9) == block_bootstrap_sharpe(returns, seed=9)
    assert all(math.isnan(v) for v in block_bootstrap_sharpe([0.01]))
    assert sharpe(np.zeros(10)) == 0.0
