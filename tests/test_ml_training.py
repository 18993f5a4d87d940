"""Training: purged walk-forward folds, determinism (byte-identical files), calibration, bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from ml_factories import make_train_config, real_candles, train_small_model

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.calibration import apply_calibration, conformal_shifts
from hummingbot_plugin.ml.cv import walk_forward_folds
from hummingbot_plugin.ml.dataset import forward_log_return
from hummingbot_plugin.ml.manifest import Manifest


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("models") / "small_a"
    return out, train_small_model(out)


@pytest.mark.parametrize(("horizon", "embargo"), [(1, 1), (4, 24), (12, 12)])
def test_folds_are_time_ordered_purged_and_embargoed(horizon: int, embargo: int) -> None:
    positions = np.arange(0, 5_000, dtype=np.int64)
    folds = walk_forward_folds(positions, n_folds=3, horizon_bars=horizon, embargo_bars=embargo)
    assert len(folds) == 3
    for fold in folds:
        assert fold.train.max() + horizon + embargo < fold.valid.min()
        assert np.all(np.diff(fold.valid) > 0)
    assert folds[0].valid.max() < folds[1].valid.min() < folds[2].valid.min()


def test_embargo_shorter_than_horizon_is_refused() -> None:
    with pytest.raises(DataError, match="embargo"):
        walk_forward_folds(np.arange(5_000, dtype=np.int64), n_folds=3, horizon_bars=12, embargo_bars=4)


def test_labels_are_nan_across_gaps_and_at_the_end() -> None:
    candles = real_candles(start="2022-01-01", end="2022-01-10").drop(index=[50]).reset_index(drop=True)
    label = forward_log_return(candles, 4, 3600)
    close = candles["close"].to_numpy()
    assert label[10] == pytest.approx(np.log(close[14] / close[10]))
    assert np.isnan(label[46:50]).all() and np.isfinite(label[50])  # windows spanning the missing bar
    assert np.isnan(label[-4:]).all()


def test_two_trainings_write_byte_identical_files(trained: tuple[Path, Manifest], tmp_path: Path) -> None:
    first_dir, _ = trained
    second_dir = tmp_path / "small_a"
    train_small_model(second_dir)
    names = sorted(p.name for p in first_dir.iterdir())
    assert names == sorted(p.name for p in second_dir.iterdir())
    for name in names:
        assert (first_dir / name).read_bytes() == (second_dir / name).read_bytes(), name


def test_another_seed_gives_another_model(trained: tuple[Path, Manifest], tmp_path: Path) -> None:
    other = train_small_model(tmp_path / "small_a", seed=8)
    assert other.files != trained[1].files


def test_manifest_records_the_training_facts(trained: tuple[Path, Manifest]) -> None:
    out, manifest = trained
    raw = json.loads((out / "manifest.json").read_text())
    assert raw["train_end"] < raw["data_cutoff"] == "2022-09-01T00:00:00Z"  # close of the last 2022-08-31 bar
    assert manifest.quantiles == [0.1, 0.5, 0.9]
    assert manifest.cv_metrics.n_folds == 2 and len(manifest.cv_metrics.folds) == 2
    assert manifest.cv_metrics.embargo_bars >= manifest.horizon_bars
    assert {s.method for s in manifest.cv_metrics.probability_scores} == {
        "client_piecewise",
        "calibrated_cdf",
    }
    assert manifest.calibration.probability_method in {"client_piecewise", "calibrated_cdf"}
    assert manifest.created_at == manifest.data_cutoff  # from the data, not the wall clock
    for level, after in zip(manifest.quantiles, manifest.calibration.coverage_after, strict=True):
        assert after == pytest.approx(level, abs=0.01)


def test_conformal_shift_hits_nominal_coverage_and_sorting_prevents_crossing() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(0.0, 0.01, 4_000)
    raw = np.column_stack([np.full(y.size, 0.004), np.full(y.size, 0.002), np.full(y.size, 0.0)])  # crossed
    shifts = conformal_shifts(y, raw, (0.1, 0.5, 0.9))
    fixed = apply_calibration(raw, shifts)
    assert np.all(np.diff(fixed, axis=1) >= 0)
    for j, level in enumerate((0.1, 0.5, 0.9)):
        assert metrics.coverage(y, fixed[:, j]) == pytest.approx(level, abs=0.005)


def test_too_little_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="too little data"):
        train_small_model(tmp_path / "tiny", candles=real_candles(start="2022-03-01", end="2022-04-20"))


def test_quantile_levels_must_include_the_client_levels() -> None:
    with pytest.raises(ValueError, match=r"include 0\.1, 0\.5 and 0\.9"):
        make_train_config(quantiles=(0.2, 0.5, 0.8))
