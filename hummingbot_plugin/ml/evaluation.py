"""Out-of-sample evaluation of a model on any candle file and period, next to the naive baseline.

Forecasts are made with the history BEFORE ``start`` as warm-up only; rows are scored when the bar opens
inside [start, end] and its label (forward return) is known inside the loaded data. The naive baseline
at bar t uses the quantiles of the previous 720 forward returns already realised by t.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.calibration import probabilities_for
from hummingbot_plugin.ml.dataset import forward_log_return
from hummingbot_plugin.ml.forecaster import Forecaster
from hummingbot_plugin.ml.signals import ProbabilityMethod
from hummingbot_plugin.ml.spec import QUANTILE_COLUMNS

__all__ = ["EvaluationReport", "ScoredRows", "evaluate", "format_report", "score_rows"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ScoredRows:
    """The rows that were scored: outcomes, calibrated model quantiles, naive quantiles, tiers."""

    timestamps: FloatArray
    y: FloatArray
    model: FloatArray
    naive: FloatArray
    tier_confidence: FloatArray


@dataclass
class EvaluationReport:
    """Every figure of one evaluation (serialisable with ``asdict``)."""

    model_id: str
    period: str
    rows: int
    refused_rows: int
    levels: list[float]
    pinball_model: list[float]
    pinball_naive: list[float]
    coverage_model: list[float]
    coverage_naive: list[float]
    interval_coverage_model: float
    interval_coverage_naive: float
    skill: float
    probability: dict[str, dict[str, float]] = field(default_factory=dict)
    accuracy_by_tier: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def score_rows(
    forecaster: Forecaster, candles: pd.DataFrame, start: float, end: float
) -> tuple[ScoredRows, int]:
    """Forecast every bar, keep those in [start, end] with a known outcome; also count refused rows."""
    manifest = forecaster.manifest
    frame = candles.reset_index(drop=True)
    preds = forecaster.predict_frame(frame)
    labels = forward_log_return(frame, manifest.horizon_bars, interval_seconds(manifest.interval))
    naive = metrics.naive_quantiles(
        preds["timestamp"].to_numpy(), labels, manifest.horizon_bars, tuple(manifest.quantiles)
    )
    stamps = preds["timestamp"].to_numpy(np.float64)
    in_period = (stamps >= start) & (stamps <= end) & np.isfinite(labels)
    refused = int(np.sum(in_period & (preds["reason"] != "").to_numpy()))
    keep = in_period & (preds["reason"] == "").to_numpy() & np.all(np.isfinite(naive), axis=1)
    if keep.sum() < 50:
        raise DataError(
            f"only {int(keep.sum())} scorable rows in the period",
            fix="widen --start/--end or pass a file with >= 1,000 bars of history before --start",
        )
    quantiles = _model_quantiles(forecaster, preds, keep)
    scored = ScoredRows(
        stamps[keep],
        labels[keep],
        quantiles,
        naive[keep],
        preds["tier_confidence"].to_numpy(np.float64)[keep],
    )
    return scored, refused


def _model_quantiles(forecaster: Forecaster, preds: pd.DataFrame, keep: NDArray[np.bool_]) -> FloatArray:
    if len(forecaster.levels) != 3:
        raise DataError("evaluation reads q10/q50/q90 from predict_frame; train with the default levels")
    return np.asarray(preds.loc[keep, list(QUANTILE_COLUMNS)].to_numpy(np.float64), dtype=np.float64)


def _probability_section(scored: ScoredRows, levels: tuple[float, ...], cost: float) -> tuple[dict, dict]:  # type: ignore[type-arg]
    probability: dict[str, dict[str, float]] = {}
    accuracy: dict[str, dict[str, list[float]]] = {}
    outcomes = metrics.outcome_classes(scored.y, cost)
    for method in ProbabilityMethod:
        probs = probabilities_for(method, scored.model, levels, cost)
        probability[method.value] = {
            "brier": metrics.brier_score(probs, outcomes),
            "log_loss": metrics.log_loss(probs, outcomes),
        }
        by_tier = metrics.directional_accuracy(scored.y, probs, scored.tier_confidence)
        accuracy[method.value] = {tier: [acc, float(n)] for tier, (acc, n) in by_tier.items()}
    return probability, accuracy


def evaluate(
    forecaster: Forecaster, candles: pd.DataFrame, start: float, end: float, period: str
) -> tuple[EvaluationReport, ScoredRows]:
    """Score a model over [start, end] of ``candles`` (which should include warm-up history before start)."""
    scored, refused = score_rows(forecaster, candles, start, end)
    levels = tuple(forecaster.manifest.quantiles)
    y = scored.y
    pin_model = [metrics.pinball_loss(y, scored.model[:, j], q) for j, q in enumerate(levels)]
    pin_naive = [metrics.pinball_loss(y, scored.naive[:, j], q) for j, q in enumerate(levels)]
    probability, accuracy = _probability_section(
        scored, levels, forecaster.manifest.calibration.round_trip_cost
    )
    return EvaluationReport(
        model_id=forecaster.manifest.model_id,
        period=period,
        rows=int(y.size),
        refused_rows=refused,
        levels=list(levels),
        pinball_model=pin_model,
        pinball_naive=pin_naive,
        coverage_model=[metrics.coverage(y, scored.model[:, j]) for j in range(len(levels))],
        coverage_naive=[metrics.coverage(y, scored.naive[:, j]) for j in range(len(levels))],
        interval_coverage_model=_inside(y, scored.model),
        interval_coverage_naive=_inside(y, scored.naive),
        skill=float(1.0 - sum(pin_model) / sum(pin_naive)),
        probability=probability,
        accuracy_by_tier=accuracy,
    ), scored


def _inside(y: FloatArray, quantiles: FloatArray) -> float:
    return float(np.mean((y > quantiles[:, 0]) & (y <= quantiles[:, -1])))


def format_report(report: EvaluationReport) -> str:
    """Human-readable table of a report."""
    lines = [
        f"model {report.model_id}  period {report.period}  scored rows {report.rows}"
        f"  (refused {report.refused_rows})",
        f"{'quantile':>9} {'pinball':>10} {'naive':>10} {'coverage':>9} {'naive cov':>9}",
    ]
    for j, level in enumerate(report.levels):
        lines.append(
            f"{level:>9.2f} {report.pinball_model[j]:>10.6f} {report.pinball_naive[j]:>10.6f}"
            f" {report.coverage_model[j]:>9.3f} {report.coverage_naive[j]:>9.3f}"
        )
    lines.append(
        f"interval q10-q90 coverage: model {report.interval_coverage_model:.3f}"
        f"  naive {report.interval_coverage_naive:.3f}   pinball skill vs naive {report.skill:+.4f}"
    )
    for method, scores in report.probability.items():
        tiers = "  ".join(
            f"{t}: {acc:.3f} (n={int(n)})" for t, (acc, n) in report.accuracy_by_tier[method].items()
        )
        lines.append(
            f"{method:>16}: brier {scores['brier']:.4f} log-loss {scores['log_loss']:.4f} | "
            f"directional accuracy by tier {tiers}"
        )
    return "\n".join(lines)
