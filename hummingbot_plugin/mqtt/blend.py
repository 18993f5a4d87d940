"""Combine the in-process forecast with a fresh external prediction (replace or blend, by config)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from hummingbot_plugin.mqtt.messages import ExternalPrediction

__all__ = ["DirectionalView", "PredictionMode", "ViewSource", "combine_views"]


class PredictionMode(StrEnum):
    """How an external prediction is used while it is fresh."""

    LOCAL_ONLY = "local_only"
    REPLACE = "replace"
    BLEND = "blend"


class ViewSource(StrEnum):
    LOCAL = "local"
    EXTERNAL = "external"
    BLEND = "blend"


@dataclass(frozen=True, slots=True)
class DirectionalView:
    """Probabilities of (short, neutral, long) over the horizon and the expected move size ``target_pct``."""

    short: float
    neutral: float
    long: float
    target_pct: float
    source: ViewSource = ViewSource.LOCAL

    def __post_init__(self) -> None:
        values = (self.short, self.neutral, self.long, self.target_pct)
        if not all(math.isfinite(v) and v >= 0.0 for v in values):
            raise ValueError(f"DirectionalView needs finite non-negative values, got {values}")
        if abs(self.short + self.neutral + self.long - 1.0) > 1e-6:
            raise ValueError("DirectionalView probabilities must sum to 1")

    @classmethod
    def from_prediction(cls, prediction: ExternalPrediction) -> DirectionalView:
        total = prediction.short + prediction.neutral + prediction.long
        return cls(
            prediction.short / total,
            prediction.neutral / total,
            prediction.long / total,
            prediction.target_pct,
            ViewSource.EXTERNAL,
        )


def combine_views(
    local: DirectionalView | None,
    external: ExternalPrediction | None,
    *,
    now: float,
    max_signal_age: float,
    mode: PredictionMode,
    external_weight: float = 0.5,
) -> DirectionalView | None:
    """The view to trade on: ``local`` unless ``external`` is fresh and ``mode`` uses it.

    BLEND mixes probabilities and ``target_pct`` linearly with ``external_weight`` in [0, 1]
    (renormalised); with no local view a fresh external one is used as is.
    """
    if not 0.0 <= external_weight <= 1.0:
        raise ValueError(f"external_weight must be in [0, 1], got {external_weight}")
    usable = external is not None and external.age(now) <= max_signal_age
    if mode is PredictionMode.LOCAL_ONLY or not usable or external is None:
        return local
    outside = DirectionalView.from_prediction(external)
    if mode is PredictionMode.REPLACE or local is None:
        return outside
    w = external_weight
    mixed = [
        w * e + (1.0 - w) * m
        for e, m in zip(
            (outside.short, outside.neutral, outside.long),
            (local.short, local.neutral, local.long),
            strict=True,
        )
    ]
    total = math.fsum(mixed)
    return DirectionalView(
        mixed[0] / total,
        mixed[1] / total,
        mixed[2] / total,
        w * outside.target_pct + (1.0 - w) * local.target_pct,
        ViewSource.BLEND,
    )
