"""The model manifest (``models/<model_id>/manifest.json``): a strict pydantic schema (extra="forbid").

``created_at`` is NOT the wall-clock time of training: it defaults to the close time of the last candle
the trainer was given (or an explicit ``--created-at``), so two trainings on the same data and settings
write byte-identical manifests as well as byte-identical model files.

:func:`consistency_problems` is the load-time check of the manifest against itself (quantile order,
calibration shape, cut-off after the last training label): a model is refused at load, never at predict.
"""

from __future__ import annotations

import math
from datetime import datetime
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field

from hummingbot_plugin.data.intervals import interval_seconds
from hummingbot_plugin.errors import PluginError

__all__ = [
    "MANIFEST_FORMAT",
    "RESEARCH_SPEC_VERSION",
    "Calibration",
    "CvFold",
    "CvMetrics",
    "Manifest",
    "ProbabilityScore",
    "consistency_problems",
    "epoch_seconds",
    "research_spec_problem",
]

MANIFEST_FORMAT = 1
#: Feature spec of the walk-forward research models (``research.features``); accepted only on request.
RESEARCH_SPEC_VERSION = "research-1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CvFold(_Strict):
    """One walk-forward fold: sizes, period, early-stopping rounds and out-of-fold scores per quantile."""

    fold: int
    train_rows: int
    valid_rows: int
    valid_start: str
    valid_end: str
    best_iterations: list[int]
    pinball: list[float]
    naive_pinball: list[float]
    coverage: list[float]


class ProbabilityScore(_Strict):
    """Validation scores of one quantile-to-probability method (cross-fitted on the calibration block)."""

    method: str
    brier: float
    log_loss: float
    top_tier_accuracy: float
    top_tier_rows: int


class CvMetrics(_Strict):
    """Walk-forward summary; ``skill`` = 1 - mean model pinball / mean naive pinball (> 0 beats naive)."""

    n_folds: int
    horizon_bars: int
    embargo_bars: int
    folds: list[CvFold]
    mean_pinball: list[float]
    mean_naive_pinball: list[float]
    skill: float
    probability_scores: list[ProbabilityScore]


class Calibration(_Strict):
    """Conformal additive shifts fitted on the most recent out-of-fold block."""

    method: str = "conformal_additive_then_sort"
    fitted_on_start: str
    fitted_on_end: str
    rows: int
    shifts: list[float]
    coverage_before: list[float]
    coverage_after: list[float]
    confidence_grid: list[float] = Field(min_length=2)
    probability_method: str
    round_trip_cost: float = Field(ge=0.0)


class Manifest(_Strict):
    """Everything needed to load, verify and use a trained model directory."""

    format: int = MANIFEST_FORMAT
    model_id: str = Field(min_length=1)
    trading_pair: str = Field(min_length=3)
    interval: str
    horizon_bars: int = Field(ge=1)
    quantiles: list[float] = Field(min_length=3)
    features: list[str] = Field(min_length=1)
    feature_spec_version: str
    daily_inputs: list[str]
    train_start: str
    train_end: str
    data_cutoff: str
    num_boost_round: list[int]
    lightgbm_params: dict[str, float | int | str | bool]
    calibration: Calibration
    cv_metrics: CvMetrics
    library_versions: dict[str, str]
    files: dict[str, str] = Field(description="file name -> sha256 hex digest")
    created_at: str
    notes: str = ""

    def model_file(self, level: float) -> str:
        """Name of the LightGBM text file holding quantile ``level``."""
        return model_file_name(level)


def model_file_name(level: float) -> str:
    """``quantile_10.txt`` for 0.1, ``quantile_50.txt`` for 0.5, ``quantile_025.txt`` for 0.025..."""
    percent = round(level * 100, 6)
    text = f"{int(percent):02d}" if float(percent).is_integer() else str(percent).replace(".", "")
    return f"quantile_{text}.txt"


_REQUIRED_LEVELS = (0.1, 0.5, 0.9)


def epoch_seconds(stamp: str) -> float:
    """An ISO-8601 manifest time (``2023-01-01T00:00:00Z``) as epoch seconds; ValueError if not UTC."""
    parsed = datetime.fromisoformat(stamp)
    if parsed.tzinfo is None:
        raise ValueError(f"time {stamp!r} has no timezone")
    return parsed.timestamp()


def _shape_problems(m: Manifest) -> list[str]:
    n = len(m.quantiles)
    out = []
    levels = m.quantiles
    if any(not 0.0 < q < 1.0 for q in levels) or any(a >= b for a, b in pairwise(levels)):
        out.append(f"quantiles {m.quantiles} are not strictly increasing inside (0, 1)")
    if not set(_REQUIRED_LEVELS) <= set(m.quantiles):
        out.append(f"quantiles {m.quantiles} lack one of {list(_REQUIRED_LEVELS)}")
    cal = m.calibration
    for name in ("shifts", "coverage_before", "coverage_after"):
        if len(getattr(cal, name)) != n:
            out.append(f"calibration.{name} has {len(getattr(cal, name))} values for {n} quantiles")
    if not all(math.isfinite(v) for v in cal.shifts):
        out.append("calibration.shifts holds a non-finite value")
    grid = cal.confidence_grid
    if not all(math.isfinite(v) for v in grid) or any(a > b for a, b in pairwise(grid)):
        out.append("calibration.confidence_grid is not a finite, non-decreasing grid")
    if len(m.num_boost_round) != n:
        out.append(f"num_boost_round has {len(m.num_boost_round)} values for {n} quantiles")
    cv = m.cv_metrics
    if len(cv.mean_pinball) != n or len(cv.mean_naive_pinball) != n:
        out.append(f"cv_metrics pinball lists do not have {n} values")
    if cv.horizon_bars != m.horizon_bars or cv.embargo_bars < m.horizon_bars:
        out.append("cv_metrics horizon/embargo do not match the model's horizon_bars")
    return out


def _time_problems(m: Manifest) -> list[str]:
    try:
        start, end, cutoff = (epoch_seconds(t) for t in (m.train_start, m.train_end, m.data_cutoff))
        fitted_end = epoch_seconds(m.calibration.fitted_on_end)
        last_label = end + (m.horizon_bars + 1) * interval_seconds(m.interval)
    except (ValueError, PluginError) as exc:
        return [f"unreadable time or interval: {exc}"]
    out = []
    if not start < end:
        out.append(f"train_start {m.train_start} is not before train_end {m.train_end}")
    if cutoff < last_label:
        out.append(
            f"data_cutoff {m.data_cutoff} is before the last training label "
            f"(train_end {m.train_end} + {m.horizon_bars + 1} bars): it would trade bars it was trained on"
        )
    if fitted_end > end:
        out.append(f"calibration.fitted_on_end {m.calibration.fitted_on_end} is after train_end")
    return out


def consistency_problems(manifest: Manifest) -> list[str]:
    """Everything internally inconsistent in ``manifest`` (empty list = consistent)."""
    return _shape_problems(manifest) + _time_problems(manifest)


def research_spec_problem(manifest: Manifest) -> str:
    """'' when ``manifest`` is a research-spec model whose features are a research feature list, in
    order: the candle-only ``CORE_FEATURES`` (computable live) or the full ``FEATURE_NAMES``."""
    from hummingbot_plugin.research.features import CORE_FEATURES, FEATURE_NAMES  # research builds on ml

    if manifest.feature_spec_version != RESEARCH_SPEC_VERSION:
        return f"feature spec version {manifest.feature_spec_version!r} is not {RESEARCH_SPEC_VERSION!r}"
    if tuple(manifest.features) not in (CORE_FEATURES, FEATURE_NAMES):
        return f"feature list does not match research spec {RESEARCH_SPEC_VERSION}"
    return ""
