"""Selection statistics: Sharpe of daily returns, deflated Sharpe ratio, block-bootstrap interval.

* ``deflated_sharpe`` — Bailey & López de Prado (2014), "The Deflated Sharpe Ratio": the probability
  that the true Sharpe exceeds ``SR0``, the expected maximum Sharpe of ``N`` unskilled trials,

      SR0 = sqrt(V) ((1 - g) Z⁻¹(1 - 1/N) + g Z⁻¹(1 - 1/(N e))),   g = Euler–Mascheroni
      DSR = Z((SR - SR0) sqrt(T - 1) / sqrt(1 - skew SR + (kurt - 1)/4 SR²))

  with SR, SR0 and V (the variance of the trials' Sharpe ratios) per observation, not annualised, and
  ``kurt`` the (non-excess) kurtosis of the returns.
* ``block_bootstrap_sharpe`` — circular block bootstrap of the daily returns (blocks keep the serial
  dependence); the interval is the percentile interval of the resampled annualised Sharpe ratios.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "block_bootstrap_sharpe",
    "deflated_sharpe",
    "expected_max_sharpe",
    "probabilistic_sharpe",
    "sharpe",
]

FloatArray = NDArray[np.float64]
EULER_GAMMA = 0.5772156649015329


def sharpe(returns: ArrayLike, periods_per_year: float = 1.0) -> float:
    """mean / sample std × sqrt(periods_per_year); 0.0 without variance or with < 2 returns."""
    values = np.asarray(returns, dtype=np.float64)
    if values.size < 2:
        return 0.0
    std = float(np.std(values, ddof=1))
    if std == 0.0 or not math.isfinite(std):
        return 0.0
    return float(np.mean(values) / std * math.sqrt(periods_per_year))


def expected_max_sharpe(trial_variance: float, n_trials: int) -> float:
    """SR0: the expected maximum of ``n_trials`` Sharpe ratios with zero mean and this variance."""
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    if n_trials == 1 or trial_variance <= 0.0:
        return 0.0
    first = (1.0 - EULER_GAMMA) * stats.norm.ppf(1.0 - 1.0 / n_trials)
    second = EULER_GAMMA * stats.norm.ppf(1.0 - 1.0 / (n_trials * math.e))
    return float(math.sqrt(trial_variance) * (first + second))


def probabilistic_sharpe(
    sr: float, sr0: float, n_obs: int, skewness: float = 0.0, kurtosis: float = 3.0
) -> float:
    """P(true Sharpe > sr0) given an observed per-period ``sr`` over ``n_obs`` returns."""
    if n_obs < 2:
        return float("nan")
    denominator = 1.0 - skewness * sr + (kurtosis - 1.0) / 4.0 * sr**2
    if denominator <= 0.0:
        return float("nan")
    return float(stats.norm.cdf((sr - sr0) * math.sqrt(n_obs - 1) / math.sqrt(denominator)))


def deflated_sharpe(returns: ArrayLike, trial_sharpes: ArrayLike, n_trials: int | None = None) -> float:
    """DSR of ``returns`` (per period) given the per-period Sharpe ratios of every trial tried."""
    values = np.asarray(returns, dtype=np.float64)
    trials = np.asarray(trial_sharpes, dtype=np.float64)
    trials = trials[np.isfinite(trials)]
    count = int(n_trials if n_trials is not None else trials.size)
    variance = float(np.var(trials, ddof=1)) if trials.size > 1 else 0.0
    sr0 = expected_max_sharpe(variance, max(count, 1))
    skewness = float(stats.skew(values)) if values.size > 2 else 0.0
    kurtosis = float(stats.kurtosis(values, fisher=False)) if values.size > 3 else 3.0
    return probabilistic_sharpe(sharpe(values), sr0, values.size, skewness, kurtosis)


def block_bootstrap_sharpe(
    returns: ArrayLike,
    *,
    block: int = 20,
    samples: int = 2000,
    level: float = 0.90,
    periods_per_year: float = 365.0,
    seed: int = 7,
) -> tuple[float, float]:
    """Percentile interval (``level``) of the annualised Sharpe under a circular block bootstrap."""
    values = np.asarray(returns, dtype=np.float64)
    n = values.size
    if n < 2:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    size = max(1, min(block, n))
    n_blocks = -(-n // size)
    starts = rng.integers(0, n, size=(samples, n_blocks))
    index = (starts[:, :, None] + np.arange(size)[None, None, :]).reshape(samples, -1)[:, :n] % n
    draws = values[index]
    std = draws.std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(std > 0, draws.mean(axis=1) / std, 0.0) * math.sqrt(periods_per_year)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(ratios, [tail, 1.0 - tail])
    return float(low), float(high)
