"""From quantile forecasts to trading inputs: probabilities, target size, Kelly fraction.

Two ways to turn (q10, q50, q90) into ``[p_short, p_neutral, p_long]``:

* ``client_piecewise`` — the client's formula, reproduced exactly (``prob_up_piecewise``), with the
  neutral weight ``0.3 * min((q90 - q10) / 0.02, 1)``. The client's pseudo-code returns the list
  ``[prob_up * (1 - n), n, (1 - prob_up) * (1 - n)]`` while documenting it as ``[short, neutral, long]``;
  its first element is the *up* probability, which contradicts the label. We resolve it deliberately in
  favour of Hummingbot's ai_livestream order ``[short, neutral, long]``:
  ``short = (1 - prob_up) * (1 - n)``, ``long = prob_up * (1 - n)``.
* ``calibrated_cdf`` — a predictive distribution: a piecewise-linear CDF through the calibrated quantiles,
  with exponential tails whose density is continuous at the outer quantiles. Then
  ``p_long = P(r > +cost)``, ``p_short = P(r < -cost)``, ``p_neutral`` = the rest, where ``cost`` is the
  round-trip fee (in log-return units).

All functions are vectorised over numpy arrays (scalars work too) and return float64 arrays.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "KELLY_CAP",
    "NEUTRAL_MAX",
    "SPREAD_SCALE",
    "TARGET_PCT_MAX",
    "TARGET_PCT_MIN",
    "ProbabilityMethod",
    "calibrated_probabilities",
    "client_probabilities",
    "confidence_score",
    "kelly_fraction",
    "prob_up_piecewise",
    "quantile_cdf",
    "target_pct",
    "tier_confidence",
    "tier_letter",
]

FloatArray = NDArray[np.float64]

SPREAD_SCALE = 0.02  # (q90 - q10) at which the client's spread normalisation saturates
NEUTRAL_MAX = 0.3
TARGET_PCT_MIN = 0.001
TARGET_PCT_MAX = 0.05
KELLY_CAP = 0.25
EXTREME_FEAR = 20.0
EXTREME_GREED = 80.0
_TINY_WIDTH = 1e-12


class ProbabilityMethod(StrEnum):
    """How quantiles become class probabilities."""

    CLIENT_PIECEWISE = "client_piecewise"
    CALIBRATED_CDF = "calibrated_cdf"


def _f(values: ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def prob_up_piecewise(q10: ArrayLike, q50: ArrayLike, q90: ArrayLike) -> FloatArray:
    """The client's ``prob_up``: 0 if q90 <= 0, 1 if q10 >= 0, else linear between the quantiles."""
    lo, mid, hi = np.broadcast_arrays(_f(q10), _f(q50), _f(q90))
    with np.errstate(divide="ignore", invalid="ignore"):
        lower_branch = 1.0 - (0.10 + 0.40 * (0.0 - lo) / (mid - lo))
        upper_branch = 1.0 - (0.50 + 0.40 * (0.0 - mid) / (hi - mid))
    result = np.where(lo < 0.0, np.where(mid >= 0.0, lower_branch, upper_branch), 1.0)
    result = np.where(hi <= 0.0, 0.0, result)
    return np.where(np.isfinite(lo + mid + hi), result, np.nan)


def client_probabilities(q10: ArrayLike, q50: ArrayLike, q90: ArrayLike) -> FloatArray:
    """``[p_short, p_neutral, p_long]`` (last axis) from the client's piecewise formula."""
    prob_up = prob_up_piecewise(q10, q50, q90)
    spread_normalized = np.minimum((_f(q90) - _f(q10)) / SPREAD_SCALE, 1.0)
    neutral = spread_normalized * NEUTRAL_MAX
    short = (1.0 - prob_up) * (1.0 - neutral)
    long = prob_up * (1.0 - neutral)
    return np.stack(np.broadcast_arrays(short, neutral, long), axis=-1)


def _tail_scales(values: FloatArray, levels: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Exponential tail scales making the CDF's density continuous at the outer quantiles."""
    left_width = np.maximum(values[..., 1] - values[..., 0], _TINY_WIDTH)
    right_width = np.maximum(values[..., -1] - values[..., -2], _TINY_WIDTH)
    left = levels[0] * left_width / (levels[1] - levels[0])
    right = (1.0 - levels[-1]) * right_width / (levels[-1] - levels[-2])
    return left, right


def quantile_cdf(x: ArrayLike, quantile_values: ArrayLike, levels: ArrayLike) -> FloatArray:
    """CDF at ``x`` of the distribution through ``quantile_values`` (last axis, sorted) at ``levels``.

    Piecewise linear between quantiles; below the first quantile ``F = l1 * exp((x - v1) / s_lo)``, above
    the last ``F = 1 - (1 - lk) * exp(-(x - vk) / s_hi)`` with scales from :func:`_tail_scales`.
    """
    values = _f(quantile_values)
    lv = _f(levels)
    if lv.ndim != 1 or lv.size < 2 or np.any(np.diff(lv) <= 0) or lv[0] <= 0 or lv[-1] >= 1:
        raise ValueError("levels must be >= 2 strictly increasing values inside (0, 1)")
    x_values = _f(x)
    shape = np.broadcast_shapes(x_values.shape, values.shape[:-1])
    xs = np.broadcast_to(x_values, shape)
    values = np.broadcast_to(values, (*shape, values.shape[-1]))
    s_lo, s_hi = _tail_scales(values, lv)
    cdf = np.where(
        xs < values[..., 0],
        lv[0] * np.exp(np.minimum((xs - values[..., 0]) / s_lo, 0.0)),
        1.0 - (1.0 - lv[-1]) * np.exp(-np.maximum((xs - values[..., -1]) / s_hi, 0.0)),
    )
    for j in range(lv.size - 1):
        lo, hi = values[..., j], values[..., j + 1]
        inside = (xs >= lo) & (xs < hi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            share = np.clip((xs - lo) / (hi - lo), 0.0, 1.0)  # subnormal widths must not overflow
        linear = lv[j] + (lv[j + 1] - lv[j]) * share
        cdf = np.where(inside, linear, cdf)
    return np.where(np.isfinite(xs) & np.all(np.isfinite(values), axis=-1), cdf, np.nan)


def calibrated_probabilities(quantile_values: ArrayLike, levels: ArrayLike, cost: float) -> FloatArray:
    """``[P(r < -cost), P(-cost <= r <= cost), P(r > cost)]`` from the interpolated distribution."""
    if not cost >= 0.0:
        raise ValueError(f"cost must be >= 0, got {cost}")
    values = _f(quantile_values)
    both = quantile_cdf(np.array([-cost, cost]), values[..., None, :], levels)  # one pass, 2 points
    below, at_or_below_cost = both[..., 0], both[..., 1]
    return np.stack([below, at_or_below_cost - below, 1.0 - at_or_below_cost], axis=-1)


def confidence_score(q10: ArrayLike, q50: ArrayLike, q90: ArrayLike) -> FloatArray:
    """Signal-to-uncertainty ratio ``|q50| / (q90 - q10)`` (0 when the interval has no width)."""
    width = _f(q90) - _f(q10)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.abs(_f(q50)) / width
    return np.where(width > 0.0, score, np.where(np.isfinite(width), 0.0, np.nan))


def tier_confidence(score: ArrayLike, grid: ArrayLike) -> FloatArray:
    """0..10: ten times the percentile rank of ``score`` among out-of-fold scores (``grid`` = their
    quantiles at evenly spaced levels 0..1, stored in the model manifest)."""
    grid_values = _f(grid)
    ranks = np.linspace(0.0, 1.0, grid_values.size)
    scores = _f(score)
    result = 10.0 * np.interp(scores, grid_values, ranks)
    return np.where(np.isfinite(scores), result, np.nan)


def tier_letter(confidence: float) -> str:
    """Tier from ``tier_confidence``: A = top 10 %, B = next 15 %, C = next 25 %, D = the rest."""
    if not np.isfinite(confidence):
        return "-"
    if confidence >= 9.0:
        return "A"
    if confidence >= 7.5:
        return "B"
    return "C" if confidence >= 5.0 else "D"


def target_pct(q10: ArrayLike, q50: ArrayLike, q90: ArrayLike, tier_conf: ArrayLike) -> FloatArray:
    """The client's target move: ``clip(|q50| * (0.5 + c/10*1.5) / min(spread/0.02, 2), 0.001, 0.05)``.

    A zero or negative spread (a degenerate forecast) gives the lower bound instead of dividing by 0.
    """
    spread = _f(q90) - _f(q10)
    multiplier = 0.5 + (_f(tier_conf) / 10.0) * 1.5
    risk_adjustment = np.minimum(spread / SPREAD_SCALE, 2.0)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        raw = np.abs(_f(q50)) * multiplier / risk_adjustment
    raw = np.where(risk_adjustment > 0.0, raw, TARGET_PCT_MIN)
    clipped = np.clip(raw, TARGET_PCT_MIN, TARGET_PCT_MAX)
    finite = np.isfinite(_f(q10) + _f(q50) + _f(q90) + _f(tier_conf))
    return np.where(finite, clipped, np.nan)


def kelly_fraction(
    vol_scaled: ArrayLike,
    signal_rel: ArrayLike,
    fear_greed: ArrayLike | None = None,
    base_size: float = 0.1,
) -> FloatArray:
    """The client's Kelly-style size ``min(vol_scaled / |signal_rel| * base * regime, 0.25)``.

    ``regime`` is 1.2 in extreme fear (< 20), 0.8 in extreme greed (> 80), else 1 (also when the index
    is unknown). ``signal_rel == 0`` or any non-finite input gives 0 (no position), never a guess.
    """
    vol = np.maximum(_f(vol_scaled), 0.0)
    risk = np.abs(_f(signal_rel))
    fg = np.full_like(vol, np.nan) if fear_greed is None else _f(fear_greed)
    regime = np.where(fg < EXTREME_FEAR, 1.2, np.where(fg > EXTREME_GREED, 0.8, 1.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fraction = vol / risk * max(base_size, 0.0) * regime
    usable = (risk > 0.0) & np.isfinite(vol) & np.isfinite(risk) & ~np.isnan(fraction)
    fraction = np.where(usable, fraction, 0.0)  # an overflow to +inf is capped below
    return np.clip(fraction, 0.0, KELLY_CAP)
