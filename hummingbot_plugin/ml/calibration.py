"""Conformalised quantile calibration, non-crossing, confidence tiers, and the probability-method choice.

* Calibration (CQR, additive): for quantile level ``a`` with out-of-fold predictions ``p`` and outcomes
  ``y``, the shift ``s_a`` is the empirical ``a``-quantile of ``y - p``; after ``p + s_a`` exactly a share
  ``a`` of those outcomes lies at or below the forecast. Shifts are fitted on the most recent out-of-fold
  block (the last walk-forward fold) and stored in the manifest.
* Non-crossing: after the shifts, each row's quantiles are sorted ascending (``np.sort`` along the row),
  so ``q10 <= q50 <= q90`` always holds; sorting never worsens pinball loss summed over levels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.signals import (
    ProbabilityMethod,
    calibrated_probabilities,
    client_probabilities,
    confidence_score,
    tier_confidence,
)

__all__ = [
    "MethodScore",
    "apply_calibration",
    "compare_probability_methods",
    "confidence_grid",
    "conformal_shifts",
    "probabilities_for",
]

FloatArray = NDArray[np.float64]
GRID_POINTS = 101


def conformal_shifts(y: FloatArray, raw: FloatArray, levels: tuple[float, ...]) -> list[float]:
    """Additive shift per level making each column's empirical coverage equal its level."""
    ok = np.isfinite(y) & np.all(np.isfinite(raw), axis=1)
    residuals = y[ok, None] - raw[ok]
    return [float(np.quantile(residuals[:, j], level)) for j, level in enumerate(levels)]


def apply_calibration(raw: FloatArray, shifts: list[float] | tuple[float, ...]) -> FloatArray:
    """Shifted and row-sorted (non-crossing) quantiles."""
    return np.sort(raw + np.asarray(shifts, dtype=np.float64), axis=-1)


def _named(quantiles: FloatArray, levels: tuple[float, ...]) -> tuple[FloatArray, FloatArray, FloatArray]:
    return quantiles[:, levels.index(0.1)], quantiles[:, levels.index(0.5)], quantiles[:, levels.index(0.9)]


def confidence_grid(quantiles: FloatArray, levels: tuple[float, ...]) -> list[float]:
    """Quantiles (at 0, 0.01, ..., 1) of the confidence score on out-of-fold forecasts."""
    score = confidence_score(*_named(quantiles, levels))
    score = score[np.isfinite(score)]
    return [float(v) for v in np.quantile(score, np.linspace(0.0, 1.0, GRID_POINTS))]


def probabilities_for(
    method: ProbabilityMethod, quantiles: FloatArray, levels: tuple[float, ...], cost: float
) -> FloatArray:
    """``[p_short, p_neutral, p_long]`` per row with the chosen method."""
    if method is ProbabilityMethod.CLIENT_PIECEWISE:
        return client_probabilities(*_named(quantiles, levels))
    return calibrated_probabilities(quantiles, levels, cost)


@dataclass(frozen=True)
class MethodScore:
    """Validation scores of one probability method (lower Brier/log loss is better)."""

    method: ProbabilityMethod
    brier: float
    log_loss: float
    top_tier_accuracy: float
    top_tier_rows: int


def _score(
    method: ProbabilityMethod, y: FloatArray, quantiles: FloatArray, levels: tuple[float, ...], cost: float
) -> tuple[float, float, float, int]:
    probs = probabilities_for(method, quantiles, levels, cost)
    outcomes = metrics.outcome_classes(y, cost)
    grid = confidence_grid(quantiles, levels)
    tiers = tier_confidence(confidence_score(*_named(quantiles, levels)), grid)
    accuracy, rows = metrics.directional_accuracy(y, probs, tiers)["A"]
    return metrics.brier_score(probs, outcomes), metrics.log_loss(probs, outcomes), accuracy, rows


def compare_probability_methods(
    y: FloatArray, raw: FloatArray, levels: tuple[float, ...], cost: float
) -> list[MethodScore]:
    """Score both methods on out-of-fold rows by cross-fitting: shifts fitted on one half of the block
    are applied to the other half and vice versa, so no row is scored with a calibration it informed."""
    half = y.size // 2
    parts = ((slice(0, half), slice(half, None)), (slice(half, None), slice(0, half)))
    scores: list[MethodScore] = []
    for method in ProbabilityMethod:
        totals = np.zeros(3)
        rows = 0
        for fit, test in parts:
            calibrated = apply_calibration(raw[test], conformal_shifts(y[fit], raw[fit], levels))
            brier, loss, accuracy, count = _score(method, y[test], calibrated, levels, cost)
            totals += np.array([brier, loss, np.nan_to_num(accuracy) * count]) * [0.5, 0.5, 1.0]
            rows += count
        scores.append(MethodScore(method, totals[0], totals[1], totals[2] / rows if rows else np.nan, rows))
    return scores
