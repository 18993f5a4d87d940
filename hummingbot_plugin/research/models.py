"""Per-block LightGBM Q10/Q50/Q90 models, fitted once and cached in the run folder.

The model of block ``b`` (``[start, end)``) trains on the rows whose label is known by ``start``
(``folds.train_rows``), through ``ml.training.fit_booster`` / ``lightgbm_params`` (num_threads=1,
deterministic), and predicts the block's bars. Each (settings, block) keeps a verified model directory
(LightGBM text files + ``manifest.json`` holding their sha256, the ``ml.artifacts`` format; not sealed,
because ``ml.artifacts.read_manifest`` accepts only the shipped feature spec) plus ``predictions.npz``
and ``metrics.json``; a rerun verifies the hashes (``ml.artifacts.load_model_texts``) and reuses them
instead of refitting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.artifacts import MANIFEST_NAME, load_model_texts, sha256_hex
from hummingbot_plugin.ml.calibration import confidence_grid
from hummingbot_plugin.ml.dataset import Dataset
from hummingbot_plugin.ml.manifest import RESEARCH_SPEC_VERSION, Manifest, model_file_name
from hummingbot_plugin.ml.pipeline import iso
from hummingbot_plugin.ml.training import TrainConfig, fit_booster, lightgbm_params
from hummingbot_plugin.research.data import LEVELS, ResearchData
from hummingbot_plugin.research.folds import Block, train_rows

__all__ = ["RESEARCH_SPEC_VERSION", "BlockForecast", "ModelSettings", "ModelStore", "write_block_dir"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """What a block model is: label horizon and a few LightGBM settings."""

    horizon_bars: int
    num_leaves: int = 15
    rounds: int = 100
    learning_rate: float = 0.05
    min_data_in_leaf: int = 200
    stride: int = 2  # train on every ``stride``-th usable row (overlapping labels are near-duplicates)
    train_days: int | None = None  # None = expanding window
    seed: int = 7

    @property
    def key(self) -> str:
        window = "exp" if self.train_days is None else f"slide{self.train_days}d"
        return f"h{self.horizon_bars}_l{self.num_leaves}_r{self.rounds}_s{self.stride}_{window}"

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            horizon_bars=self.horizon_bars,
            num_leaves=self.num_leaves,
            learning_rate=self.learning_rate,
            min_data_in_leaf=self.min_data_in_leaf,
            max_rounds=self.rounds,
            seed=self.seed,
            num_threads=1,
        )


@dataclass(frozen=True)
class BlockForecast:
    """Sorted (non-crossing) quantile forecasts for the usable bars of one block."""

    rows: IntArray
    quantiles: FloatArray  # rows x (q10, q50, q90)
    metrics: dict[str, Any]


class ModelStore:
    """Fits, caches and reloads block models under ``root`` (``root/<settings key>/<block>/``)."""

    def __init__(self, data: ResearchData, root: Path, trading_pair: str, interval: str) -> None:
        self.data, self.root, self.pair, self.interval = data, root, trading_pair, interval
        self._memory: dict[tuple[str, float], BlockForecast] = {}
        self.fitted = 0

    def forecast(self, settings: ModelSettings, block: Block) -> BlockForecast:
        """The block's forecasts (from memory, the run folder, or a new fit)."""
        key = (settings.key, block.start)
        if key not in self._memory:
            folder = self.root / settings.key / block.label
            cached = _load(folder, self.data.timestamps)
            self._memory[key] = cached if cached is not None else self._fit(settings, block, folder)
        return self._memory[key]

    def _fit(self, settings: ModelSettings, block: Block, folder: Path) -> BlockForecast:
        data, config = self.data, settings.train_config()
        h = settings.horizon_bars
        labels = data.labels(h)
        rows = train_rows(
            data.timestamps,
            data.usable & np.isfinite(labels),
            block.start,
            horizon_bars=h,
            embargo_bars=h,
            interval_s=data.interval_s,
            train_days=settings.train_days,
        )[:: -settings.stride][::-1]
        if rows.size < 1000:
            raise ModelError(
                f"block {block.label}: only {rows.size} training rows", fix="start the data earlier"
            )
        table = Dataset(
            data.timestamps, data.features, labels, np.full(labels.size, "", dtype=object), data.feature_names
        )
        texts: dict[float, str] = {}
        predict_rows = block.rows(data.timestamps)
        predict_rows = predict_rows[data.usable[predict_rows]]
        raw = np.empty((predict_rows.size, len(LEVELS)))
        grid_rows = rows[::10]
        grid_raw = np.empty((grid_rows.size, len(LEVELS)))
        for j, level in enumerate(LEVELS):
            booster = fit_booster(table, rows, lightgbm_params(config, level), settings.rounds)
            texts[level] = booster.model_to_string(num_iteration=-1)
            raw[:, j] = booster.predict(data.features[predict_rows]) if predict_rows.size else []
            grid_raw[:, j] = booster.predict(data.features[grid_rows])
        quantiles = np.sort(raw, axis=1)
        result = BlockForecast(predict_rows, quantiles, _metrics(data, h, predict_rows, quantiles))
        fields = _manifest_fields(self, settings, block, rows, np.sort(grid_raw, axis=1), config)
        write_block_dir(folder, texts, fields)
        stamps = data.timestamps[predict_rows]
        np.savez(folder / "predictions.npz", rows=predict_rows, stamps=stamps, quantiles=quantiles)
        (folder / "metrics.json").write_text(json.dumps(result.metrics, indent=2, sort_keys=True) + "\n")
        self.fitted += 1
        return result


def write_block_dir(folder: Path, texts: dict[float, str], fields: dict[str, Any]) -> Manifest:
    """Model text files and a manifest with their sha256 (the manifest is written last)."""
    folder.mkdir(parents=True, exist_ok=True)
    hashes: dict[str, str] = {}
    for level, text in sorted(texts.items()):
        payload = text.encode("utf-8")
        (folder / model_file_name(level)).write_bytes(payload)
        hashes[model_file_name(level)] = sha256_hex(payload)
    manifest = Manifest(**fields, files=hashes)
    body = json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    (folder / MANIFEST_NAME).write_text(body, encoding="utf-8")
    return manifest


def _metrics(data: ResearchData, h: int, rows: IntArray, q: FloatArray) -> dict[str, Any]:
    """Out-of-sample scores of one block (computed after the fact; never used to choose it)."""
    y, naive = data.labels(h)[rows], data.naive(h)[rows]
    pin = [metrics.pinball_loss(y, q[:, j], lv) for j, lv in enumerate(LEVELS)]
    base = [metrics.pinball_loss(y, naive[:, j], lv) for j, lv in enumerate(LEVELS)]
    skill = 1.0 - sum(pin) / sum(base) if all(np.isfinite(pin + base)) and sum(base) > 0 else float("nan")
    return {
        "rows": int(rows.size),
        "coverage": [metrics.coverage(y, q[:, j]) for j in range(len(LEVELS))],
        "pinball": pin,
        "naive_pinball": base,
        "skill": skill,
    }


def _manifest_fields(
    store: ModelStore,
    settings: ModelSettings,
    block: Block,
    rows: IntArray,
    grid_q: FloatArray,
    config: TrainConfig,
) -> dict[str, Any]:
    stamps = store.data.timestamps
    params = {k: v for k, v in lightgbm_params(config, 0.5).items() if k != "alpha"}
    calibration = {
        "method": "none (raw quantiles, row-sorted)",
        "fitted_on_start": iso(stamps[rows[0]]),
        "fitted_on_end": iso(stamps[rows[-1]]),
        "rows": int(rows.size),
        "shifts": [0.0, 0.0, 0.0],
        "coverage_before": [0.0, 0.0, 0.0],
        "coverage_after": [0.0, 0.0, 0.0],
        "confidence_grid": confidence_grid(grid_q, LEVELS),
        "probability_method": "client_piecewise",
        "round_trip_cost": config.round_trip_cost,
    }
    cv = {
        "n_folds": 1,
        "horizon_bars": settings.horizon_bars,
        "embargo_bars": settings.horizon_bars,
        "folds": [],
        "mean_pinball": [0.0] * 3,
        "mean_naive_pinball": [0.0] * 3,
        "skill": 0.0,
        "probability_scores": [],
    }
    return {
        "model_id": f"{store.pair}_{settings.key}_{block.label}",
        "trading_pair": store.pair,
        "interval": store.interval,
        "horizon_bars": settings.horizon_bars,
        "quantiles": list(LEVELS),
        "features": list(store.data.feature_names),
        "feature_spec_version": RESEARCH_SPEC_VERSION,
        "daily_inputs": [],
        "train_start": iso(stamps[rows[0]]),
        "train_end": iso(stamps[rows[-1]]),
        "data_cutoff": iso(block.start),
        "num_boost_round": [settings.rounds] * len(LEVELS),
        "lightgbm_params": params,
        "calibration": calibration,
        "cv_metrics": cv,
        "library_versions": {},
        "created_at": iso(block.start),
        "notes": f"walk-forward block {block.label}",
    }


def _load(folder: Path, timestamps: FloatArray) -> BlockForecast | None:
    """A cached block whose model files match their manifest hashes, else None (refit)."""
    needed = [folder / MANIFEST_NAME, folder / "predictions.npz", folder / "metrics.json"]
    if not all(p.is_file() for p in needed):
        return None
    try:
        manifest = Manifest.model_validate_json(needed[0].read_text(encoding="utf-8"))
        load_model_texts(folder, manifest)
    except (ModelError, ValueError):
        return None
    with np.load(needed[1]) as saved:
        rows, quantiles = saved["rows"].astype(np.int64), saved["quantiles"].astype(np.float64)
        stamps = saved["stamps"].astype(np.float64)
    if rows.size and (rows.max() >= timestamps.size or not np.array_equal(timestamps[rows], stamps)):
        return None  # saved for another history: refit
    return BlockForecast(rows, quantiles, json.loads(needed[2].read_text(encoding="utf-8")))
