"""The controller's ``decision_mode: cost_aware`` tick, free of Hummingbot.

* :func:`backtest_frame` — every bar at once for Hummingbot's backtesting engine (decisions start at the
  backtest's first bar);
* :func:`live_decision` — the newest closed bar at the trading clock (stale or missing candles, or no
  research model: the held target stays and nothing is decided);
* :func:`decision_row` — the status / audit view of a decision (signal 1 while the target is long);
* :func:`barriers` — the position executor's optional barriers (none by default: the target exits).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from hummingbot_plugin.ai.candle_health import staleness_reason
from hummingbot_plugin.ai.cost_aware import CostAwareLive, CostAwareSettings, Validity, cost_aware_frame
from hummingbot_plugin.ai.decision import DecisionRow
from hummingbot_plugin.ai.engine import SignalEngine
from hummingbot_plugin.data import closed_count

__all__ = ["backtest_frame", "barriers", "budget_fraction", "decision_row", "live_decision", "validity"]

_OHLCV = ["timestamp", "open", "high", "low", "close", "volume"]


def validity(engine: SignalEngine) -> Validity:
    """The model's in-sample cut-off and expiry, as the engine knows them."""
    return Validity(engine.info.data_cutoff, engine.expires_at(), engine.interval_s)


def backtest_frame(
    engine: SignalEngine, candles: pd.DataFrame, settings: CostAwareSettings, start: float | None
) -> pd.DataFrame:
    """The decision frame over ``candles`` (timestamp, q10/q50/q90, target, signal, reason, ...)."""
    model = engine.research
    if model is None:
        stamps = candles["timestamp"].to_numpy(np.float64)
        zeros = np.zeros(stamps.size)
        columns = {"timestamp": stamps, "q10": zeros, "q50": zeros, "q90": zeros, "target": zeros}
        frame = pd.DataFrame(columns)
        frame["signal"] = 0
        frame["reason"] = engine.refusal or engine.info.error
        return frame
    quantiles = model.frame(candles.loc[:, _OHLCV])
    return cost_aware_frame(quantiles, settings, model.horizon_bars, start=start, validity=validity(engine))


def live_decision(
    live: CostAwareLive,
    engine: SignalEngine,
    candles: pd.DataFrame,
    now: float,
    settings: CostAwareSettings,
) -> dict[str, Any]:
    """The decision at the close of the newest bar closed at ``now`` (one step per new bar)."""
    stamps = candles["timestamp"].to_numpy(np.float64) if len(candles) else np.empty(0)
    closed = closed_count(stamps, now, engine.interval_s)
    newest = float(stamps[closed - 1]) if closed else None
    newest_open = float(stamps[-1]) if stamps.size else None
    stale = staleness_reason(newest_open, now, engine.interval_s, engine.stale_after_bars)
    if stale or newest is None:
        return live.hold(newest, stale or "no closed candle yet")
    if engine.research is None:
        return live.hold(newest, engine.refusal or engine.info.error)
    window = candles.iloc[:closed].loc[:, _OHLCV].reset_index(drop=True)
    return live.on_bar(engine.research, window, settings, validity(engine))


def decision_row(values: dict[str, Any]) -> DecisionRow:
    """The :class:`DecisionRow` shown in the status and audited (size_fraction = the target)."""
    stamp = values.get("timestamp")
    return DecisionRow(
        timestamp=float("nan") if stamp is None else float(stamp),
        q10=float(values.get("q10", 0.0)),
        q50=float(values.get("q50", 0.0)),
        q90=float(values.get("q90", 0.0)),
        p_short=0.0,
        p_neutral=0.0,
        p_long=0.0,
        target_pct=0.0,
        size_fraction=float(values.get("target", 0.0)),
        signal=int(values.get("signal", 0)),
        reason=str(values.get("reason", "")),
        source="cost_aware",
    )


def barriers(settings: CostAwareSettings) -> dict[str, Any]:
    """Keyword arguments of the position executor's TripleBarrierConfig (None = no such barrier)."""
    return {
        "stop_loss": None if settings.stop_loss is None else Decimal(repr(settings.stop_loss)),
        "take_profit": None if settings.take_profit is None else Decimal(repr(settings.take_profit)),
        "time_limit": settings.time_limit,
    }


def budget_fraction(target: float, settings: CostAwareSettings) -> float:
    """The share of the budget to spend on a ``target`` position: the budget also pays its round trip
    (fees, half-spread, slippage), so a full-size entry never needs more quote than the budget holds."""
    return target / (1.0 + 2.0 * (settings.fee + settings.half_spread + settings.slippage))
