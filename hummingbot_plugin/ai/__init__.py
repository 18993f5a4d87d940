"""The AI directional controller's logic, free of Hummingbot (the controller module is a thin adapter).

* :mod:`~hummingbot_plugin.ai.decision` — forecasts → probabilities, target, size, signal (vectorised;
  the live row goes through the very same function on length-1 arrays);
* :mod:`~hummingbot_plugin.ai.barriers` — triple barrier scaled by ``target_pct`` and bounded; sizing;
* :mod:`~hummingbot_plugin.ai.candle_health` — staleness of the feed by the trading clock;
* :mod:`~hummingbot_plugin.ai.engine` — the model (verified or refused), backtest frame, live tick;
* :mod:`~hummingbot_plugin.ai.views` — external predictions (replace/blend), fail-closed rules;
* :mod:`~hummingbot_plugin.ai.status` — status lines and the small custom-info payload.
"""

from hummingbot_plugin.ai.barriers import BarrierRule, Barriers, SizingRule, barriers_for, position_quote
from hummingbot_plugin.ai.decision import (
    FRAME_COLUMNS,
    DecisionRow,
    SignalRule,
    SizingMode,
    decision_frame,
    decision_row,
    signal_from,
)
from hummingbot_plugin.ai.engine import ModelInfo, SignalEngine

__all__ = [
    "FRAME_COLUMNS",
    "BarrierRule",
    "Barriers",
    "DecisionRow",
    "ModelInfo",
    "SignalEngine",
    "SignalRule",
    "SizingMode",
    "SizingRule",
    "barriers_for",
    "decision_frame",
    "decision_row",
    "position_quote",
    "signal_from",
]
