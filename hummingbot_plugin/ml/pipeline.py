"""End-to-end training: candles -> dataset -> walk-forward CV -> calibration -> refit -> model directory."""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.artifacts import write_model_dir
from hummingbot_plugin.ml.calibration import (
    apply_calibration,
    compare_probability_methods,
    confidence_grid,
    conformal_shifts,
)
from hummingbot_plugin.ml.daily import DailyInputs
from hummingbot_plugin.ml.dataset import Dataset, build_dataset
from hummingbot_plugin.ml.manifest import Calibration, CvFold, CvMetrics, Manifest, ProbabilityScore
from hummingbot_plugin.ml.spec import FEATURE_SPEC_VERSION, FeatureSet
from hummingbot_plugin.ml.training import (
    FoldResult,
    TrainConfig,
    fit_booster,
    lightgbm_params,
    run_walk_forward,
)
from hummingbot_plugin.progress import progress

__all__ = ["TrainRequest", "iso", "train_model"]

LIBRARIES = ("lightgbm", "numpy", "pandas", "pandas-ta", "pydantic")


def iso(epoch_s: float) -> str:
    """UTC ISO-8601 text of an epoch time."""
    return datetime.fromtimestamp(float(epoch_s), tz=UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class TrainRequest:
    """What to train: candles (already cut to the training period), identity and settings."""

    candles: pd.DataFrame
    trading_pair: str
    interval: str
    model_id: str
    config: TrainConfig
    feature_set: FeatureSet = field(default_factory=FeatureSet)
    daily: DailyInputs | None = None
    created_at: str | None = None
    notes: str = ""


def _library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def _cv_fold(result: FoldResult, data: Dataset, levels: tuple[float, ...]) -> CvFold:
    y = data.labels[result.fold.valid]
    return CvFold(
        fold=result.fold.number,
        train_rows=int(result.fold.train.size),
        valid_rows=int(result.fold.valid.size),
        valid_start=iso(data.timestamps[result.fold.valid[0]]),
        valid_end=iso(data.timestamps[result.fold.valid[-1]]),
        best_iterations=result.best_iterations,
        pinball=[metrics.pinball_loss(y, result.raw[:, j], q) for j, q in enumerate(levels)],
        naive_pinball=[metrics.pinball_loss(y, result.naive[:, j], q) for j, q in enumerate(levels)],
        coverage=[metrics.coverage(y, result.raw[:, j]) for j in range(len(levels))],
    )


def _calibration(
    last: FoldResult, data: Dataset, config: TrainConfig
) -> tuple[Calibration, list[ProbabilityScore]]:
    levels = config.quantiles
    y = data.labels[last.fold.valid]
    shifts = conformal_shifts(y, last.raw, levels)
    calibrated = apply_calibration(last.raw, shifts)
    scores = compare_probability_methods(y, last.raw, levels, config.round_trip_cost)
    best = min(scores, key=lambda s: s.brier)
    calibration = Calibration(
        fitted_on_start=iso(data.timestamps[last.fold.valid[0]]),
        fitted_on_end=iso(data.timestamps[last.fold.valid[-1]]),
        rows=int(y.size),
        shifts=shifts,
        coverage_before=[metrics.coverage(y, last.raw[:, j]) for j in range(len(levels))],
        coverage_after=[metrics.coverage(y, calibrated[:, j]) for j in range(len(levels))],
        confidence_grid=confidence_grid(calibrated, levels),
        probability_method=best.method.value,
        round_trip_cost=config.round_trip_cost,
    )
    probability_scores = [
        ProbabilityScore(
            method=s.method.value,
            brier=s.brier,
            log_loss=s.log_loss,
            top_tier_accuracy=float(np.nan_to_num(s.top_tier_accuracy)),
            top_tier_rows=s.top_tier_rows,
        )
        for s in scores
    ]
    return calibration, probability_scores


def _cv_metrics(
    results: list[FoldResult], data: Dataset, config: TrainConfig, probability_scores: list[ProbabilityScore]
) -> CvMetrics:
    folds = [_cv_fold(r, data, config.quantiles) for r in results]
    mean_model = np.mean([f.pinball for f in folds], axis=0)
    mean_naive = np.mean([f.naive_pinball for f in folds], axis=0)
    return CvMetrics(
        n_folds=config.n_folds,
        horizon_bars=config.horizon_bars,
        embargo_bars=config.embargo,
        folds=folds,
        mean_pinball=[float(v) for v in mean_model],
        mean_naive_pinball=[float(v) for v in mean_naive],
        skill=float(1.0 - mean_model.sum() / mean_naive.sum()),
        probability_scores=probability_scores,
    )


def _refit(
    data: Dataset, results: list[FoldResult], config: TrainConfig, show: bool
) -> tuple[dict[float, str], list[int]]:
    rows = np.flatnonzero(data.trainable).astype(np.int64)
    texts: dict[float, str] = {}
    rounds: list[int] = []
    for j, level in enumerate(progress(config.quantiles, label="final refit", enabled=show)):
        n_rounds = max(1, int(np.median([r.best_iterations[j] for r in results])))
        booster = fit_booster(data, rows, lightgbm_params(config, level), n_rounds)
        texts[level] = booster.model_to_string(num_iteration=-1)
        rounds.append(n_rounds)
    return texts, rounds


def _identity_fields(request: TrainRequest, data: Dataset, last_close: float) -> dict[str, Any]:
    trainable = np.flatnonzero(data.trainable)
    chosen = request.feature_set
    daily = [
        name for name, on in (("fear_greed", chosen.fear_greed), ("btc_dominance", chosen.dominance)) if on
    ]
    return {
        "model_id": request.model_id,
        "trading_pair": request.trading_pair,
        "interval": request.interval,
        "horizon_bars": request.config.horizon_bars,
        "quantiles": list(request.config.quantiles),
        "features": list(chosen.names),
        "feature_spec_version": FEATURE_SPEC_VERSION,
        "daily_inputs": daily,
        "train_start": iso(data.timestamps[trainable[0]]),
        "train_end": iso(data.timestamps[trainable[-1]]),
        "data_cutoff": iso(last_close),
        "library_versions": _library_versions(),
        "created_at": request.created_at or iso(last_close),
        "notes": request.notes,
    }


def train_model(request: TrainRequest, out_dir: Path, show_progress: bool = True) -> Manifest:
    """Train, calibrate and write ``out_dir`` (LightGBM text files + manifest.json)."""
    config = request.config
    step = interval_seconds(request.interval)
    data = build_dataset(
        request.candles,
        horizon_bars=config.horizon_bars,
        interval_s=step,
        feature_set=request.feature_set,
        daily=request.daily,
    )
    results = run_walk_forward(data, config, show_progress)
    calibration, probability_scores = _calibration(results[-1], data, config)
    texts, rounds = _refit(data, results, config, show_progress)
    last_close = float(request.candles["timestamp"].iloc[-1]) + step
    fields = {
        **_identity_fields(request, data, last_close),
        "num_boost_round": rounds,
        "lightgbm_params": {k: v for k, v in lightgbm_params(config, 0.5).items() if k != "alpha"},
        "calibration": calibration,
        "cv_metrics": _cv_metrics(results, data, config, probability_scores),
    }
    return write_model_dir(out_dir, texts, fields)
