"""Model lifetime: LightGBM quantile boosters per level, purged walk-forward CV, calibration, refit.

Deterministic: ``deterministic=True``, ``force_row_wise=True``, a fixed ``num_threads`` and seeds, and the
model text written by us (no timestamps) — the same data and settings give byte-identical files.
The final booster per level is refit on every trainable row with the median early-stopping round of
the folds; calibration comes from the last fold's out-of-fold predictions (see ``calibration``).
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, field_validator

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.cv import Fold, walk_forward_folds
from hummingbot_plugin.ml.dataset import Dataset
from hummingbot_plugin.progress import progress

__all__ = ["FoldResult", "TrainConfig", "fit_booster", "lightgbm_params", "run_walk_forward"]

FloatArray = NDArray[np.float64]
REQUIRED_LEVELS = (0.1, 0.5, 0.9)
DEFAULT_EMBARGO = 24  # bars between the last training label and a validation block (>= horizon)


class TrainConfig(BaseModel):
    """Training settings (all recorded in the manifest)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quantiles: tuple[float, ...] = REQUIRED_LEVELS
    # Default chosen by walk-forward validation on data <= 2022 (tools/select_horizon.py): highest mean
    # pinball skill over BTC and ETH among 1/4/12/24 bars (+0.040 / +0.029 / +0.017 / +0.020).
    horizon_bars: int = Field(default=1, ge=1, le=500)
    embargo_bars: int | None = Field(default=None, description="defaults to max(horizon_bars, 24)")
    n_folds: int = Field(default=4, ge=2, le=20)
    min_train_fraction: float = Field(default=0.5, gt=0.0, lt=1.0)
    learning_rate: float = Field(default=0.05, gt=0.0, le=1.0)
    num_leaves: int = Field(default=15, ge=2, le=255)
    min_data_in_leaf: int = Field(default=200, ge=1)
    feature_fraction: float = Field(default=0.8, gt=0.0, le=1.0)
    bagging_fraction: float = Field(default=0.8, gt=0.0, le=1.0)
    lambda_l2: float = Field(default=1.0, ge=0.0)
    max_bin: int = Field(default=63, ge=7, le=255)
    max_rounds: int = Field(default=500, ge=1)
    early_stopping_rounds: int = Field(default=40, ge=1)
    seed: int = 7
    num_threads: int = Field(default=1, ge=1, description="fixed for byte-identical models")
    round_trip_cost: float = Field(default=0.002, ge=0.0, description="fees as a log return (2 x 0.1 %)")
    min_fold_rows: int = Field(default=200, ge=10)

    @field_validator("quantiles")
    @classmethod
    def _levels(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        ordered = tuple(sorted(set(value)))
        if any(not 0.0 < q < 1.0 for q in ordered) or not set(REQUIRED_LEVELS) <= set(ordered):
            raise ValueError("quantiles must lie in (0, 1) and include 0.1, 0.5 and 0.9")
        return ordered

    @property
    def embargo(self) -> int:
        return self.embargo_bars if self.embargo_bars is not None else max(self.horizon_bars, DEFAULT_EMBARGO)


def lightgbm_params(config: TrainConfig, level: float) -> dict[str, float | int | str | bool]:
    """LightGBM parameters for quantile ``level``."""
    return {
        "objective": "quantile",
        "alpha": level,
        "metric": "quantile",
        "learning_rate": config.learning_rate,
        "num_leaves": config.num_leaves,
        "min_data_in_leaf": config.min_data_in_leaf,
        "feature_fraction": config.feature_fraction,
        "bagging_fraction": config.bagging_fraction,
        "bagging_freq": 1,
        "lambda_l2": config.lambda_l2,
        "max_bin": config.max_bin,
        "seed": config.seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": config.num_threads,
        "verbosity": -1,
    }


def fit_booster(
    data: Dataset,
    train_rows: NDArray[np.int64],
    params: dict[str, float | int | str | bool],
    rounds: int,
    valid_rows: NDArray[np.int64] | None = None,
    early_stopping_rounds: int = 0,
) -> lgb.Booster:
    """Fit one booster; with ``valid_rows`` it stops early on the validation pinball loss."""
    names = list(data.feature_names)
    train_set = lgb.Dataset(
        data.features[train_rows],
        label=data.labels[train_rows],
        feature_name=names,
        params={"max_bin": params["max_bin"], "verbosity": -1},
        free_raw_data=True,
    )
    kwargs: dict[str, object] = {}
    if valid_rows is not None:
        valid_set = lgb.Dataset(data.features[valid_rows], label=data.labels[valid_rows], reference=train_set)
        kwargs = {
            "valid_sets": [valid_set],
            "valid_names": ["valid"],
            "callbacks": [lgb.early_stopping(early_stopping_rounds, verbose=False)],
        }
    return lgb.train(params, train_set, num_boost_round=rounds, **kwargs)


@dataclass(frozen=True)
class FoldResult:
    """Out-of-fold raw predictions (rows x levels) and early-stopping rounds of one fold."""

    fold: Fold
    raw: FloatArray
    best_iterations: list[int]
    naive: FloatArray


def run_walk_forward(data: Dataset, config: TrainConfig, show_progress: bool = True) -> list[FoldResult]:
    """Fit and score every fold (purged, embargoed); returns the out-of-fold predictions."""
    positions = np.flatnonzero(data.trainable).astype(np.int64)
    if positions.size < 2 * config.n_folds * config.min_fold_rows:
        raise DataError(
            f"too little data to train: {positions.size} usable rows "
            f"(need >= {2 * config.n_folds * config.min_fold_rows} after the warm-up)",
            fix="pass a longer candle history, a wider --start/--end, or fewer folds",
        )
    folds = walk_forward_folds(
        positions,
        n_folds=config.n_folds,
        horizon_bars=config.horizon_bars,
        embargo_bars=config.embargo,
        min_train_fraction=config.min_train_fraction,
        min_rows=config.min_fold_rows,
    )
    naive = metrics.naive_quantiles(data.timestamps, data.labels, config.horizon_bars, config.quantiles)
    jobs = [(fold, level) for fold in folds for level in config.quantiles]
    raw: dict[int, list[FloatArray]] = {fold.number: [] for fold in folds}
    best: dict[int, list[int]] = {fold.number: [] for fold in folds}
    for fold, level in progress(jobs, label="walk-forward", enabled=show_progress):
        booster = fit_booster(
            data,
            fold.train,
            lightgbm_params(config, level),
            config.max_rounds,
            fold.valid,
            config.early_stopping_rounds,
        )
        iteration = int(booster.best_iteration or booster.current_iteration())
        best[fold.number].append(iteration)
        raw[fold.number].append(booster.predict(data.features[fold.valid], num_iteration=iteration))
    return [
        FoldResult(fold, np.column_stack(raw[fold.number]), best[fold.number], naive[fold.valid])
        for fold in folds
    ]
