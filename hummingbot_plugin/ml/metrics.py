"""Forecast metrics: pinball loss, coverage, probability scores, directional accuracy by tier; and the
naive baseline (rolling unconditional quantiles of already-realised forward returns)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "TIER_EDGES",
    "brier_score",
    "coverage",
    "directional_accuracy",
    "log_loss",
    "naive_quantiles",
    "outcome_classes",
    "pinball_loss",
]

FloatArray = NDArray[np.float64]
TIER_EDGES = {"A": 9.0, "B": 7.5, "C": 5.0, "D": 0.0}  # tier_confidence lower bounds


def pinball_loss(y: FloatArray, pred: FloatArray, level: float) -> float:
    """Mean quantile (pinball) loss of ``pred`` for quantile ``level`` over finite pairs."""
    ok = np.isfinite(y) & np.isfinite(pred)
    diff = y[ok] - pred[ok]
    return float(np.mean(np.maximum(level * diff, (level - 1.0) * diff))) if ok.any() else float("nan")


def coverage(y: FloatArray, pred: FloatArray) -> float:
    """Share of finite pairs with ``y <= pred`` (should equal the quantile level)."""
    ok = np.isfinite(y) & np.isfinite(pred)
    return float(np.mean(y[ok] <= pred[ok])) if ok.any() else float("nan")


def outcome_classes(y: FloatArray, cost: float) -> NDArray[np.int64]:
    """0 = short (y < -cost), 1 = neutral, 2 = long (y > cost)."""
    return np.where(y < -cost, 0, np.where(y > cost, 2, 1)).astype(np.int64)


def brier_score(probabilities: FloatArray, outcomes: NDArray[np.int64]) -> float:
    """Multi-class Brier score (sum over the 3 classes, mean over rows)."""
    onehot = np.eye(3)[outcomes]
    return float(np.mean(np.sum((probabilities - onehot) ** 2, axis=1)))


def log_loss(probabilities: FloatArray, outcomes: NDArray[np.int64]) -> float:
    """Mean negative log probability of the realised class (probabilities floored at 1e-6)."""
    chosen = probabilities[np.arange(outcomes.size), outcomes]
    return float(-np.mean(np.log(np.clip(chosen, 1e-6, 1.0))))


def directional_accuracy(
    y: FloatArray, probabilities: FloatArray, tier_confidence: FloatArray
) -> dict[str, tuple[float, int]]:
    """Per tier (A..D): (share of rows where sign(y) matches the likelier of long/short, row count)."""
    direction = np.where(probabilities[:, 2] >= probabilities[:, 0], 1.0, -1.0)
    hit = np.sign(y) == direction
    result: dict[str, tuple[float, int]] = {}
    upper = np.inf
    for tier, lower in TIER_EDGES.items():
        rows = (tier_confidence >= lower) & (tier_confidence < upper) & np.isfinite(y)
        count = int(rows.sum())
        result[tier] = (float(hit[rows].mean()) if count else float("nan"), count)
        upper = lower
    return result


def naive_quantiles(
    timestamps: FloatArray,
    labels: FloatArray,
    horizon_bars: int,
    levels: tuple[float, ...],
    window: int = 720,
) -> FloatArray:
    """Baseline: at bar ``t``, quantiles of the last ``window`` forward returns already realised by ``t``
    (labels of bars ``<= t - horizon``). Shape (rows, len(levels)); NaN until ``window // 2`` are known."""
    realised = pd.Series(labels).shift(horizon_bars)
    rolling = realised.rolling(window, min_periods=window // 2)
    columns = [rolling.quantile(level).to_numpy(np.float64) for level in levels]
    del timestamps
    return np.column_stack(columns)
