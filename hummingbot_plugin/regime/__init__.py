"""Causal market-regime label (trend up / trend down / range / high volatility) with hysteresis."""

from hummingbot_plugin.regime.label import (
    Regime,
    RegimeSettings,
    RegimeState,
    Thresholds,
    fit_thresholds,
    label_regimes,
    regime_features,
    walk_forward_labels,
)

__all__ = [
    "Regime",
    "RegimeSettings",
    "RegimeState",
    "Thresholds",
    "fit_thresholds",
    "label_regimes",
    "regime_features",
    "walk_forward_labels",
]
