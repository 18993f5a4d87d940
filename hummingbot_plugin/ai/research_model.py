"""A walk-forward research model (feature spec ``research-1``) loaded for the controller.

The model directory is the shipped format (LightGBM text files, ``manifest.json``, ``seal.json``) and is
verified the same way as a spec-1 model (manifest, sha256, structure, optional LightGBM probe in a child
process, feature names, seal). Its features are the research feature set (``research.features``); only a
candle-only model (``CORE_FEATURES``) can run live, since the controller has no cross-asset, cross-venue or
daily feed. Quantiles are the boosters' raw predictions sorted per row (exactly as in the walk-forward).

:meth:`ResearchForecaster.frame` computes every bar at once (backtests); :meth:`latest` the newest bar
from the last :data:`RESEARCH_WINDOW` bars, through the same function, so both give the same values.
"""

from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.artifacts import load_model_texts, probe_in_subprocess, read_manifest
from hummingbot_plugin.ml.manifest import RESEARCH_SPEC_VERSION, Manifest
from hummingbot_plugin.ml.seal import verify_sealed
from hummingbot_plugin.ml.spec import QUANTILE_COLUMNS
from hummingbot_plugin.ml.validity import REASON_OK, feature_reasons, row_reasons
from hummingbot_plugin.research.features import CORE_FEATURES, LONG_WARMUP_BARS, research_features

__all__ = ["GATE_FEATURE", "QUANTILE_COLUMNS", "RESEARCH_WINDOW", "ResearchForecaster", "is_research_model"]

#: Bars used live: the longest feature window (2160 bars + 1) plus room for the exponential indicators.
RESEARCH_WINDOW = LONG_WARMUP_BARS + 240
GATE_FEATURE = "sma_gap_1200"  # the research "sma50" entry gate: close above its 1200-bar mean


def is_research_model(model_dir: Path) -> bool:
    """True when ``model_dir``'s manifest declares the research feature spec (False if unreadable)."""
    try:
        return read_manifest(model_dir, accept_research=True).feature_spec_version == RESEARCH_SPEC_VERSION
    except ModelError:
        return False


class ResearchForecaster:
    """Verified research model: quantiles of the ``horizon_bars``-bar log return for each closed bar."""

    def __init__(self, manifest: Manifest, boosters: list[lgb.Booster]) -> None:
        self.manifest = manifest
        self.horizon_bars = manifest.horizon_bars
        self.features = tuple(manifest.features)
        self.interval_s = interval_seconds(manifest.interval)
        self._boosters = boosters
        self._index = tuple(manifest.quantiles.index(q) for q in (0.1, 0.5, 0.9))

    @classmethod
    def load(cls, model_dir: Path, *, probe: bool = True) -> ResearchForecaster:
        """Verify everything, then build the boosters; ModelError (message + fix) when refused."""
        manifest = read_manifest(model_dir, accept_research=True)
        if manifest.feature_spec_version != RESEARCH_SPEC_VERSION:
            raise ModelError(
                f"model {manifest.model_id} uses feature spec {manifest.feature_spec_version!r}, "
                f"not the research spec {RESEARCH_SPEC_VERSION!r}",
                fix="use decision_mode: client with this model, or a model from tools/train_wf_models.sh",
            )
        if tuple(manifest.features) != CORE_FEATURES:
            raise ModelError(
                f"model {manifest.model_id} needs cross-asset, cross-venue or daily inputs the controller "
                "has no live feed for",
                fix="use a candle-only research model (tools/train_wf_models.sh)",
            )
        texts = load_model_texts(model_dir, manifest)
        if probe:
            probe_in_subprocess(model_dir, manifest)
        boosters = [lgb.Booster(model_str=texts[level]) for level in manifest.quantiles]
        if any(b.feature_name() != manifest.features for b in boosters):
            raise ModelError(f"a model file in {model_dir} was trained on other features", fix="retrain")
        verify_sealed(model_dir, manifest)
        return cls(manifest, boosters)

    def frame(self, candles: pd.DataFrame) -> pd.DataFrame:
        """One row per bar: timestamp, q10, q50, q90 (NaN where refused), the gate feature and a reason."""
        bars = candles.reset_index(drop=True)
        table = research_features(bars)
        features = table.loc[:, list(self.features)].to_numpy(np.float64)
        reasons = row_reasons(bars, self.interval_s)
        reasons = np.where(reasons == REASON_OK, feature_reasons(features, self.features), reasons)
        ok = reasons == REASON_OK
        quantiles = np.full((len(bars), 3), np.nan)
        if ok.any():
            raw = np.column_stack([b.predict(features[ok], num_threads=1) for b in self._boosters])
            quantiles[ok] = np.sort(raw, axis=1)[:, list(self._index)]
        out = pd.DataFrame({"timestamp": bars["timestamp"].to_numpy(np.float64)})
        for j, name in enumerate(QUANTILE_COLUMNS):
            out[name] = quantiles[:, j]
        out[GATE_FEATURE] = table[GATE_FEATURE].to_numpy(np.float64)
        out["reason"] = reasons
        return out

    def latest(self, candles: pd.DataFrame) -> pd.Series:
        """The :meth:`frame` row of the newest bar of ``candles`` (closed bars only), from its window."""
        window = candles.iloc[-RESEARCH_WINDOW:]
        if len(window) < RESEARCH_WINDOW:
            stamp = float(window["timestamp"].iloc[-1]) if len(window) else float("nan")
            values = {"timestamp": stamp, **dict.fromkeys((*QUANTILE_COLUMNS, GATE_FEATURE), float("nan"))}
            reason = f"warm-up: fewer than {RESEARCH_WINDOW} bars of history (got {len(window)})"
            return pd.Series({**values, "reason": reason}, dtype=object)
        return self.frame(window).iloc[-1]
