"""The model manifest (``models/<model_id>/manifest.json``): a strict pydantic schema (extra="forbid").

``created_at`` is NOT the wall-clock time of training: it defaults to the close time of the last candle
the trainer was given (or an explicit ``--created-at``), so two trainings on the same data and settings
write byte-identical manifests as well as byte-identical model files.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "MANIFEST_FORMAT",
    "Calibration",
    "CvFold",
    "CvMetrics",
    "Manifest",
    "ProbabilityScore",
]

MANIFEST_FORMAT = 1


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
