"""External predictions (MQTT, upstream AI-livestream format) on top of the in-process decision.

Rules (fail closed):

* a refused local row stays refused — an external view never overrides stale/gapped candles or a
  missing/unverifiable model;
* with an in-process model: a FRESH external prediction replaces or blends the local probabilities
  and ``target_pct`` (``ControlChannelSettings.prediction_mode``); when it is missing or expired the
  local view is used (this is also the fallback when the broker is down);
* external-only (no model configured): signal 0 unless a fresh prediction exists, with the reason
  "expired" or "none received".

An external ``target_pct`` is clipped to the forecaster's bounds [TARGET_PCT_MIN, TARGET_PCT_MAX]
before the (also bounded) barriers see it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from hummingbot_plugin.ai.decision import (
    REASON_NO_MODEL,
    DecisionRow,
    SignalRule,
    refused_row,
    signal_from,
)
from hummingbot_plugin.ml.signals import TARGET_PCT_MAX, TARGET_PCT_MIN
from hummingbot_plugin.mqtt import DirectionalView, ExternalPrediction, PredictionMode, combine_views

__all__ = ["ExternalPolicy", "effective_row", "external_reason"]


@dataclasses.dataclass(frozen=True, slots=True)
class ExternalPolicy:
    mode: PredictionMode
    max_signal_age: float
    external_weight: float
    external_only: bool


def _row_from_view(base: DecisionRow, view: DirectionalView, rule: SignalRule) -> DecisionRow:
    target = min(max(view.target_pct, TARGET_PCT_MIN), TARGET_PCT_MAX)
    signal = signal_from(np.array([view.short]), np.array([view.long]), np.array([True]), rule)
    return dataclasses.replace(
        base,
        p_short=view.short,
        p_neutral=view.neutral,
        p_long=view.long,
        target_pct=target,
        signal=int(signal[0]),
        reason="",
        source=view.source.value,
    )


def external_reason(last_seen: ExternalPrediction | None, now: float, max_age: float) -> str:
    """Why no external prediction is usable ('' when one is)."""
    if last_seen is None:
        return "no external prediction received yet"
    age = last_seen.age(now)
    if age > max_age:
        return f"external prediction expired: {age:.0f} s old (max {max_age:.0f} s)"
    return ""


def effective_row(
    local: DecisionRow,
    fresh: ExternalPrediction | None,
    last_seen: ExternalPrediction | None,
    *,
    now: float,
    policy: ExternalPolicy,
    rule: SignalRule,
) -> DecisionRow:
    """The decision to trade on this tick (see module docstring)."""
    usable = fresh if fresh is not None and fresh.is_fresh(now, policy.max_signal_age) else None
    if policy.external_only:
        if local.reason != REASON_NO_MODEL:
            return local  # the candles themselves are not usable (stale, missing)
        if usable is None:
            stamp = local.timestamp
            why = external_reason(last_seen, now, policy.max_signal_age) or "external prediction not usable"
            return refused_row(stamp, why)
        base = dataclasses.replace(refused_row(usable.timestamp, ""), size_fraction=1.0)
        return _row_from_view(base, DirectionalView.from_prediction(usable), rule)
    if not local.ok or usable is None or policy.mode is PredictionMode.LOCAL_ONLY:
        return local
    mine = DirectionalView(local.p_short, local.p_neutral, local.p_long, local.target_pct)
    view = combine_views(
        mine,
        usable,
        now=now,
        max_signal_age=policy.max_signal_age,
        mode=policy.mode,
        external_weight=policy.external_weight,
    )
    return local if view is None else _row_from_view(local, view, rule)
