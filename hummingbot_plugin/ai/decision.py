"""Forecasts → trading decision: probabilities, ``target_pct``, size fraction and the signal (-1/0/1).

ONE vectorised function, :func:`decide_arrays`, makes every decision. The backtest frame applies it to
all bars at once (:func:`decision_frame`); the live tick applies it to length-1 arrays built from the
newest forecast (:func:`decision_row`). So the live row equals the frame row for the same bar.

Signal rule (thresholds are probabilities in [0, 1], updatable at run time):

* ``+1`` when ``p_long >= long_threshold`` and ``p_long > p_short``;
* ``-1`` when shorts are allowed, ``p_short >= short_threshold`` and ``p_short > p_long``;
* ``0`` otherwise, and always when the row has a ``reason`` (no forecast, non-finite values, a bar
  inside the model's training period).

A refused row carries neutral placeholders (``p_neutral = 1``, every other number 0) so Hummingbot's
backtesting engine (which drops rows holding NaN) keeps the bar in its price path; the ``reason``
column says why there is no forecast.

Size fraction (of the per-executor budget): ``fixed`` → 1; ``kelly`` → the client's Kelly fraction
divided by its cap (``KELLY_CAP`` = 0.25), so the capped Kelly size uses the whole budget.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.ml.signals import KELLY_CAP
from hummingbot_plugin.ml.spec import QUANTILE_COLUMNS

__all__ = [
    "FRAME_COLUMNS",
    "REASON_NON_FINITE",
    "REASON_NO_MODEL",
    "DecisionRow",
    "SignalRule",
    "SizingMode",
    "decide_arrays",
    "decision_frame",
    "decision_row",
    "empty_frame",
    "refused_row",
    "signal_from",
]

FloatArray = NDArray[np.float64]
ObjectArray = NDArray[np.object_]

FRAME_COLUMNS: tuple[str, ...] = (
    "timestamp",
    "q10",
    "q50",
    "q90",
    "p_short",
    "p_neutral",
    "p_long",
    "target_pct",
    "size_fraction",
    "signal",
    "reason",
)
_FORECAST_COLUMNS = (*QUANTILE_COLUMNS, "p_short", "p_neutral", "p_long", "target_pct", "kelly")
_REFUSED_VALUES = {
    "q10": 0.0,
    "q50": 0.0,
    "q90": 0.0,
    "p_short": 0.0,
    "p_neutral": 1.0,
    "p_long": 0.0,
    "target_pct": 0.0,
    "size_fraction": 0.0,
}
REASON_NON_FINITE = "non-finite forecast value"
REASON_NO_MODEL = "no in-process model (external predictions only)"


class SizingMode(StrEnum):
    """How much of the per-executor budget a signal uses."""

    FIXED = "fixed"
    KELLY = "kelly"


@dataclass(frozen=True, slots=True)
class SignalRule:
    """Thresholds and options of the decision; ``oos_from`` = first bar open time the model never saw."""

    long_threshold: float
    short_threshold: float
    allow_short: bool = False
    sizing: SizingMode = SizingMode.FIXED
    oos_from: float | None = None

    def __post_init__(self) -> None:
        for name in ("long_threshold", "short_threshold"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name}={value} must be in (0, 1]", fix="use a probability, e.g. 0.55")


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One bar's decision (the columns of :data:`FRAME_COLUMNS`) and where its view came from."""

    timestamp: float
    q10: float
    q50: float
    q90: float
    p_short: float
    p_neutral: float
    p_long: float
    target_pct: float
    size_fraction: float
    signal: int
    reason: str
    source: str = "local"

    @property
    def ok(self) -> bool:
        return self.reason == ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def signal_from(
    p_short: FloatArray, p_long: FloatArray, ok: NDArray[np.bool_], rule: SignalRule
) -> NDArray[np.int64]:
    """The signal per row (see module docstring)."""
    go_long = ok & (p_long >= rule.long_threshold) & (p_long > p_short)
    go_short = ok & rule.allow_short & (p_short >= rule.short_threshold) & (p_short > p_long)
    return np.where(go_long, 1, np.where(go_short, -1, 0)).astype(np.int64)


def _in_sample_reason(cutoff: float) -> str:
    stamp = pd.Timestamp(cutoff, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M")
    return f"in-sample: bar opened before the model's data cutoff {stamp} UTC"


def decide_arrays(
    columns: Mapping[str, FloatArray], reasons: ObjectArray, rule: SignalRule
) -> dict[str, NDArray[Any]]:
    """The decision columns for aligned arrays (``timestamp`` + forecast columns + ``kelly``)."""
    stamps = np.asarray(columns["timestamp"], dtype=np.float64)
    why = np.asarray(reasons, dtype=object).copy()
    values = {name: np.asarray(columns[name], dtype=np.float64) for name in _FORECAST_COLUMNS}
    if rule.oos_from is not None:
        why[(why == "") & (stamps < rule.oos_from)] = _in_sample_reason(rule.oos_from)
    finite = np.logical_and.reduce([np.isfinite(v) for v in values.values()])
    why[(why == "") & ~finite] = REASON_NON_FINITE
    ok = why == ""
    kelly = np.where(ok, values["kelly"], 0.0)
    if rule.sizing is SizingMode.KELLY:
        values["size_fraction"] = np.clip(kelly / KELLY_CAP, 0.0, 1.0)
    else:
        values["size_fraction"] = np.ones_like(stamps)
    out: dict[str, NDArray[Any]] = {"timestamp": stamps}
    for name, placeholder in _REFUSED_VALUES.items():
        out[name] = np.where(ok, values[name], placeholder)
    out["signal"] = signal_from(out["p_short"], out["p_long"], ok, rule)
    out["reason"] = why
    return out


def empty_frame() -> pd.DataFrame:
    """A frame with the decision columns and no row (the state before the first tick)."""
    frame = pd.DataFrame({name: pd.Series(dtype="float64") for name in FRAME_COLUMNS})
    frame["signal"] = frame["signal"].astype("int64")
    frame["reason"] = frame["reason"].astype(object)
    return frame


def decision_frame(predictions: pd.DataFrame, rule: SignalRule) -> pd.DataFrame:
    """Vectorised decisions from ``Forecaster.predict_frame`` output (one row per bar)."""
    columns = {name: predictions[name].to_numpy(np.float64) for name in ("timestamp", *_FORECAST_COLUMNS)}
    reasons = predictions["reason"].to_numpy(object)
    decided = decide_arrays(columns, reasons, rule)
    frame = pd.DataFrame({name: decided[name] for name in FRAME_COLUMNS})
    frame["reason"] = frame["reason"].astype(object)
    return frame


def decision_row(forecast: Any, rule: SignalRule) -> DecisionRow:
    """The decision for one ``Forecast`` or ``NoForecast`` (duck-typed: ``reason`` marks a refusal)."""
    reason = getattr(forecast, "reason", None)
    stamp = getattr(forecast, "timestamp", None)
    columns: dict[str, FloatArray] = {"timestamp": np.array([np.nan if stamp is None else float(stamp)])}
    for name in _FORECAST_COLUMNS:
        columns[name] = np.array([np.nan if reason is not None else float(getattr(forecast, name))])
    decided = decide_arrays(columns, np.array([reason or ""], dtype=object), rule)
    values = {name: float(decided[name][0]) for name in _REFUSED_VALUES}
    return _row(float(decided["timestamp"][0]), values, int(decided["signal"][0]), str(decided["reason"][0]))


def refused_row(timestamp: float | None, reason: str) -> DecisionRow:
    """A no-trade row with the neutral placeholders and ``reason``."""
    return _row(np.nan if timestamp is None else float(timestamp), _REFUSED_VALUES, 0, reason)


def _row(timestamp: float, values: Mapping[str, float], signal: int, reason: str) -> DecisionRow:
    return DecisionRow(
        timestamp=timestamp,
        q10=values["q10"],
        q50=values["q50"],
        q90=values["q90"],
        p_short=values["p_short"],
        p_neutral=values["p_neutral"],
        p_long=values["p_long"],
        target_pct=values["target_pct"],
        size_fraction=values["size_fraction"],
        signal=signal,
        reason=reason,
    )
