"""Public inference API: load a verified model directory, forecast the newest bar or a whole frame.

    forecaster = Forecaster.load("models/btc_usdt_1h")
    result = forecaster.predict_latest(candles)      # Forecast | NoForecast(reason)
    table = forecaster.predict_frame(candles_df)     # one row per bar, NaN + reason where refused

A forecast stamped ``timestamp = T`` is made at the CLOSE of the bar that OPENED at ``T`` (i.e. at
``T + interval``), from candles up to and including that bar, for the log return from that close to the
close ``horizon_bars`` bars later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.artifacts import load_model_texts, probe_in_subprocess, read_manifest
from hummingbot_plugin.ml.calibration import probabilities_for
from hummingbot_plugin.ml.daily import DailyInputs
from hummingbot_plugin.ml.features import compute_features
from hummingbot_plugin.ml.live import CandleArrays, LiveFeatureComputer
from hummingbot_plugin.ml.manifest import Manifest
from hummingbot_plugin.ml.seal import verify_sealed
from hummingbot_plugin.ml.signals import (
    ProbabilityMethod,
    confidence_score,
    kelly_fraction,
    target_pct,
    tier_confidence,
    tier_letter,
)
from hummingbot_plugin.ml.spec import QUANTILE_COLUMNS, FeatureSet
from hummingbot_plugin.ml.validity import (
    REASON_OK,
    closed_window,
    feature_reasons,
    row_reasons,
    window_reason,
)

__all__ = ["PREDICTION_COLUMNS", "Forecast", "Forecaster", "NoForecast", "candle_arrays"]

FloatArray = NDArray[np.float64]
PREDICTION_COLUMNS = (
    "timestamp",
    *QUANTILE_COLUMNS,
    "p_short",
    "p_neutral",
    "p_long",
    "target_pct",
    "tier_confidence",
    "vol_scaled",
    "signal_rel",
    "kelly",
    "reason",
)


@dataclass(frozen=True, slots=True)
class Forecast:
    """A forecast for the bar opened at ``timestamp`` (made at its close)."""

    timestamp: float
    horizon_bars: int
    q10: float
    q50: float
    q90: float
    p_short: float
    p_neutral: float
    p_long: float
    target_pct: float
    tier_confidence: float
    tier: str
    vol_scaled: float
    signal_rel: float
    kelly: float
    method: str

    @property
    def probabilities(self) -> tuple[float, float, float]:
        """``(short, neutral, long)`` — Hummingbot ai_livestream order."""
        return (self.p_short, self.p_neutral, self.p_long)


@dataclass(frozen=True, slots=True)
class NoForecast:
    """Explicitly no forecast, with the reason (never a guess)."""

    timestamp: float | None
    reason: str


def candle_arrays(candles: pd.DataFrame | CandleArrays) -> CandleArrays:
    """Float64 numpy views of a candle frame's columns (no copy when already float64)."""
    if isinstance(candles, CandleArrays):
        return candles
    cols = ("timestamp", "open", "high", "low", "close", "volume")
    return CandleArrays(*(candles[c].to_numpy(np.float64) for c in cols))


class Forecaster:
    """A loaded, verified model; create with :meth:`load`."""

    def __init__(
        self,
        manifest: Manifest,
        boosters: list[lgb.Booster],
        daily: DailyInputs | None,
        probability_method: ProbabilityMethod | None,
        kelly_base_size: float,
    ) -> None:
        self.manifest = manifest
        self.feature_set = FeatureSet.from_names(manifest.features)
        self.levels = tuple(manifest.quantiles)
        self.method = probability_method or ProbabilityMethod(manifest.calibration.probability_method)
        self._boosters = boosters
        self._daily = daily or DailyInputs()
        self._shifts = np.asarray(manifest.calibration.shifts, dtype=np.float64)
        self._grid = np.asarray(manifest.calibration.confidence_grid, dtype=np.float64)
        self._interval_s = interval_seconds(manifest.interval)
        self._live = LiveFeatureComputer(self.feature_set, self._daily)
        self._index = tuple(self.levels.index(q) for q in (0.1, 0.5, 0.9))
        self._kelly_base = kelly_base_size
        self._columns = {name: i for i, name in enumerate(manifest.features)}

    @classmethod
    def load(
        cls,
        model_dir: str | Path,
        *,
        daily: DailyInputs | None = None,
        probability_method: ProbabilityMethod | str | None = None,
        probe: bool = True,
        kelly_base_size: float = 0.1,
    ) -> Forecaster:
        """Verify (manifest, sha256, structure, optional subprocess probe) then load the boosters."""
        directory = Path(model_dir)
        manifest = read_manifest(directory)
        texts = load_model_texts(directory, manifest)
        if probe:
            probe_in_subprocess(directory, manifest)
        boosters = [lgb.Booster(model_str=texts[level]) for level in manifest.quantiles]
        for level, booster in zip(manifest.quantiles, boosters, strict=True):
            if booster.feature_name() != manifest.features:
                raise ModelError(
                    f"model for quantile {level} in {directory} was trained on other features",
                    fix="retrain the model",
                )
        needs = FeatureSet.from_names(manifest.features)
        given = daily or DailyInputs()
        if (needs.fear_greed and given.fear_greed is None) or (needs.dominance and given.dominance is None):
            raise ModelError(
                f"model {manifest.model_id} needs daily inputs {manifest.daily_inputs}",
                fix="pass daily=DailyInputs.from_files(...) (--fear-greed / --dominance)",
            )
        method = ProbabilityMethod(probability_method) if probability_method else None
        verify_sealed(directory, manifest)  # the manifest's own bytes and every file, as sealed
        return cls(manifest, boosters, daily, method, kelly_base_size)

    def _quantiles(self, features: FloatArray) -> FloatArray:
        raw = np.column_stack([b.predict(features, num_threads=1) for b in self._boosters])
        return np.sort(raw + self._shifts, axis=1)

    def _signals(
        self, quantiles: FloatArray, features: FloatArray, timestamps: FloatArray
    ) -> dict[str, FloatArray]:
        i10, i50, i90 = self._index
        q10, q50, q90 = quantiles[:, i10], quantiles[:, i50], quantiles[:, i90]
        probs = probabilities_for(
            self.method, quantiles, self.levels, self.manifest.calibration.round_trip_cost
        )
        conf = tier_confidence(confidence_score(q10, q50, q90), self._grid)
        vol_scaled = features[:, self._columns["vol_scaled"]]
        signal_rel = features[:, self._columns["signal_rel"]]
        fg = (
            self._daily.fear_greed.visible_at(timestamps.astype(np.int64)) if self._daily.fear_greed else None
        )
        return {
            "q10": q10,
            "q50": q50,
            "q90": q90,
            "p_short": probs[:, 0],
            "p_neutral": probs[:, 1],
            "p_long": probs[:, 2],
            "target_pct": target_pct(q10, q50, q90, conf),
            "tier_confidence": conf,
            "vol_scaled": vol_scaled,
            "signal_rel": signal_rel,
            "kelly": kelly_fraction(vol_scaled, signal_rel, fg, self._kelly_base),
        }

    def predict_latest(
        self, candles: pd.DataFrame | CandleArrays, now: float | None = None
    ) -> Forecast | NoForecast:
        """Forecast for the newest CLOSED bar of ``candles`` (needs LIVE_WINDOW bars, no recent gap).

        Pass ``now`` (the strategy clock, epoch s) with a live feed: bars not closed at ``now`` are ignored
        and a feed whose newest closed bar is a full interval old gives NoForecast('stale candles ...').
        Without ``now`` every row is taken as closed.
        """
        window = candle_arrays(candles)
        reason = REASON_OK
        if now is not None:
            window, reason = closed_window(window, now, self._interval_s)
        stamp = float(window.timestamp[-1]) if len(window) else None
        reason = reason or window_reason(window, self._interval_s)
        if reason:
            return NoForecast(stamp, reason)
        features = self._live.compute(window)[None, :]
        bad = feature_reasons(features, self.feature_set.names)[0]
        if bad:
            return NoForecast(stamp, bad)
        values = self._signals(self._quantiles(features), features, np.array([stamp]))
        row = {k: float(v[0]) for k, v in values.items()}
        return Forecast(
            timestamp=float(stamp or 0.0),
            horizon_bars=self.manifest.horizon_bars,
            tier=tier_letter(row["tier_confidence"]),
            method=self.method.value,
            **row,
        )

    def predict_frame(self, candles: pd.DataFrame) -> pd.DataFrame:
        """One row per bar (``PREDICTION_COLUMNS``); NaN values and a reason where no forecast is made."""
        frame = candles.reset_index(drop=True)
        features = compute_features(frame, self.feature_set, self._daily).to_numpy(np.float64)
        reasons = row_reasons(frame, self._interval_s)
        reasons = np.where(reasons == REASON_OK, feature_reasons(features, self.feature_set.names), reasons)
        ok = reasons == REASON_OK
        stamps = frame["timestamp"].to_numpy(np.float64)
        out = pd.DataFrame({"timestamp": stamps})
        for name in PREDICTION_COLUMNS[1:-1]:
            out[name] = np.nan
        if ok.any():
            values = self._signals(self._quantiles(features[ok]), features[ok], stamps[ok])
            for name, column in values.items():
                out.loc[ok, name] = column
        out["reason"] = reasons
        return out
