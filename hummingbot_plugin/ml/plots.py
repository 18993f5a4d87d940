"""Evaluation plots (matplotlib, Agg backend): quantile coverage and probability reliability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.calibration import probabilities_for
from hummingbot_plugin.ml.evaluation import ScoredRows
from hummingbot_plugin.ml.signals import ProbabilityMethod, quantile_cdf

__all__ = ["plot_coverage", "plot_reliability"]

PIT_LEVELS = np.linspace(0.05, 0.95, 19)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_coverage(scored: ScoredRows, levels: tuple[float, ...], out: Path) -> Path:
    """Nominal vs empirical coverage: the model's quantiles, its interpolated CDF, and the naive baseline."""
    plt = _pyplot()
    pit = quantile_cdf(scored.y, scored.model, levels)
    pit_cover = [float(np.mean(pit <= level)) for level in PIT_LEVELS]
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="ideal")
    ax.plot(PIT_LEVELS, pit_cover, color="tab:blue", alpha=0.6, label="model (interpolated CDF)")
    ax.scatter(
        levels,
        [metrics.coverage(scored.y, scored.model[:, j]) for j in range(len(levels))],
        color="tab:blue",
        zorder=3,
        label="model quantiles",
    )
    ax.scatter(
        levels,
        [metrics.coverage(scored.y, scored.naive[:, j]) for j in range(len(levels))],
        color="tab:orange",
        marker="s",
        zorder=3,
        label="naive rolling quantiles",
    )
    ax.set(xlabel="nominal level", ylabel="share of outcomes at or below", title="Quantile coverage")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def plot_reliability(scored: ScoredRows, levels: tuple[float, ...], cost: float, out: Path) -> Path:
    """Reliability of P(long) = P(return > cost) for both probability methods (10 equal-count bins)."""
    plt = _pyplot()
    outcome = (scored.y > cost).astype(np.float64)
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="ideal")
    for method, color in zip(ProbabilityMethod, ("tab:red", "tab:blue"), strict=True):
        p_long = probabilities_for(method, scored.model, levels, cost)[:, 2]
        order = np.argsort(p_long)
        bins = np.array_split(order, 10)
        ax.plot(
            [p_long[b].mean() for b in bins],
            [outcome[b].mean() for b in bins],
            marker="o",
            color=color,
            label=method.value,
        )
    ax.set(xlabel="predicted P(long)", ylabel=f"observed share of returns > {cost:g}", title="Reliability")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
