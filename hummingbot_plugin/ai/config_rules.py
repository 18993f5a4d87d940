"""From the controller's config (duck-typed, any object with the fields) to the pure rules.

Kept here so the controller module stays a thin adapter and the rules are testable without Hummingbot.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hummingbot_plugin.ai.barriers import BarrierRule, SizingRule
from hummingbot_plugin.ai.cost_aware import DecisionMode, check_settings
from hummingbot_plugin.ai.decision import DecisionRow, SignalRule, SizingMode
from hummingbot_plugin.ai.research_model import RESEARCH_WINDOW
from hummingbot_plugin.ai.status import ChannelState
from hummingbot_plugin.ai.views import ExternalPolicy
from hummingbot_plugin.baseline.trend_signal import check_short_allowed
from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.errors import PluginError
from hummingbot_plugin.ml.spec import LIVE_WINDOW
from hummingbot_plugin.mqtt import PredictionMode
from hummingbot_plugin.settings import models_dir

__all__ = [
    "CANDLE_RECORDS",
    "barrier_rule",
    "candle_records",
    "channel_state",
    "check_config",
    "check_interval",
    "cost_aware",
    "model_path",
    "policy",
    "row_of",
    "signal_rule",
    "sizing_rule",
]

#: Candles requested from the provider: the forecaster's window plus room for the forming bar and gaps.
CANDLE_RECORDS = LIVE_WINDOW + 100


def check_interval(value: str) -> str:
    try:
        interval_seconds(value)
    except PluginError as exc:
        raise ValueError(str(exc)) from None
    return value


def check_config(config: Any) -> None:
    """Cross-field rules; ValueError (pydantic turns it into a validation error naming the problem)."""
    try:
        barrier_rule(config)
        check_short_allowed(config.connector_name, config.allow_short)
    except PluginError as exc:
        raise ValueError(str(exc)) from None
    if config.stop_loss is not None or config.take_profit is not None:
        raise ValueError(
            "stop_loss/take_profit are derived from target_pct: leave them empty and set "
            "stop_loss_multiple/take_profit_multiple and their _min/_max bounds"
        )
    if cost_aware(config):
        _check_cost_aware(config)
    if config.model_dir is None:
        if config.mqtt.prediction_mode is not PredictionMode.REPLACE:
            raise ValueError(
                "model_dir is empty (external predictions only): set mqtt.prediction_mode: replace"
            )
        if config.sizing_mode is not SizingMode.FIXED:
            raise ValueError("kelly sizing needs the in-process model: set sizing_mode: fixed or a model_dir")


def cost_aware(config: Any) -> bool:
    """True when the config runs the research decision layer (``decision_mode: cost_aware``)."""
    return str(getattr(config, "decision_mode", DecisionMode.CLIENT)) == DecisionMode.COST_AWARE.value


def candle_records(config: Any) -> int:
    """Candles to request: the research window in cost-aware mode, else the forecaster's."""
    return RESEARCH_WINDOW + 100 if cost_aware(config) else CANDLE_RECORDS


def _check_cost_aware(config: Any) -> None:
    if config.model_dir is None:
        raise ValueError("decision_mode cost_aware needs model_dir (a model from tools/train_wf_models.sh)")
    try:
        check_settings(config.cost_aware, bool(config.allow_short))
    except PluginError as exc:
        raise ValueError(str(exc)) from None


def model_path(model_dir: str | None) -> Path | None:
    """``model_dir`` resolved: absolute as given, relative under the project's models/ folder."""
    if model_dir is None or model_dir == "":
        return None
    path = Path(model_dir)
    return path if path.is_absolute() else models_dir() / path


def signal_rule(config: Any) -> SignalRule:
    return SignalRule(
        long_threshold=float(config.long_threshold),
        short_threshold=float(config.short_threshold),
        allow_short=bool(config.allow_short),
        sizing=SizingMode(config.sizing_mode),
    )


def barrier_rule(config: Any) -> BarrierRule:
    return BarrierRule(
        stop_loss_multiple=float(config.stop_loss_multiple),
        take_profit_multiple=float(config.take_profit_multiple),
        stop_loss_min=float(config.stop_loss_min),
        stop_loss_max=float(config.stop_loss_max),
        take_profit_min=float(config.take_profit_min),
        take_profit_max=float(config.take_profit_max),
    )


def sizing_rule(config: Any) -> SizingRule:
    return SizingRule(
        total_amount_quote=config.total_amount_quote,
        max_executors_per_side=int(config.max_executors_per_side),
        max_position_quote=config.max_position_quote,
        min_order_quote=config.min_order_quote,
    )


def policy(config: Any) -> ExternalPolicy:
    settings = config.mqtt
    return ExternalPolicy(
        mode=PredictionMode(settings.prediction_mode),
        max_signal_age=float(settings.max_signal_age),
        external_weight=float(settings.external_weight),
        external_only=config.model_dir is None,
    )


def channel_state(previous: ChannelState, update: Any, seen: Any, now: float) -> ChannelState:
    """The status view of a ``ChannelUpdate`` (accepted override changes accumulate)."""
    overrides = dict(previous.overrides)
    for ack in update.applied:
        if ack.accepted:
            overrides.update(ack.applied)
    return ChannelState(
        enabled=True,
        connected=bool(update.connected),
        subscribed=bool(update.subscribed),
        external_age_s=None if seen is None else float(seen.age(now)),
        overrides_accepted=int(update.counters.overrides_accepted),
        rejected_total=int(update.counters.rejected_total),
        overrides=overrides,
    )


def row_of(values: Mapping[str, Any]) -> DecisionRow:
    """A :class:`DecisionRow` from ``processed_data`` or a frame row (missing source = local)."""
    return DecisionRow(
        timestamp=float(values.get("timestamp", float("nan"))),
        q10=float(values.get("q10", 0.0)),
        q50=float(values.get("q50", 0.0)),
        q90=float(values.get("q90", 0.0)),
        p_short=float(values.get("p_short", 0.0)),
        p_neutral=float(values.get("p_neutral", 1.0)),
        p_long=float(values.get("p_long", 0.0)),
        target_pct=float(values.get("target_pct", 0.0)),
        size_fraction=float(values.get("size_fraction", 0.0)),
        signal=int(values.get("signal", 0)),
        reason=str(values.get("reason", "")),
        source=str(values.get("source", "local")),
    )
