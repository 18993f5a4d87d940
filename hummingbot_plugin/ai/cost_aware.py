"""``decision_mode: cost_aware``: the walk-forward research decision layer inside the controller.

The model is a research model (:class:`~hummingbot_plugin.ai.research_model.ResearchForecaster`, horizon
from its manifest); the target position comes from :mod:`hummingbot_plugin.research.decision` (long/flat
spot, enter/exit margins net of a round trip, minimum holding time, fixed / Kelly / volatility-target size,
optional trend gate), through the very same transition as the walk-forward:

* backtests: :func:`cost_aware_frame` runs ``decision.decide`` over every bar from the backtest start;
* live / replay: :class:`CostAwareLive` runs ``decision.step`` once per newly closed bar.

A bar without a forecast (warm-up, gap, non-finite feature, in-sample for the model, stale feed) opens and
closes nothing. An expired model closes the gate: nothing opens and a held position is closed once its
minimum holding time is over. A held position is never resized (a position executor has a fixed amount),
so ``rebalance_band`` is above any size change: entries and exits equal the research decisions.
The controller turns the target into executors with :func:`target_actions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hummingbot_plugin.ai.research_model import GATE_FEATURE, QUANTILE_COLUMNS, ResearchForecaster
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.research.decision import DecisionParams, DecisionState, Mode, Sizing, decide, step

__all__ = [
    "CostAwareLive",
    "CostAwareSettings",
    "DecisionMode",
    "EntryRule",
    "Gate",
    "Validity",
    "check_settings",
    "cost_aware_frame",
    "decision_params",
    "target_actions",
]

NO_RESIZE = 2.0  # rebalance band above any change of a size in [0, 1]


class DecisionMode(StrEnum):
    CLIENT = "client"  # the client's probability / target_pct / barrier rules (ai.decision)
    COST_AWARE = "cost_aware"  # the research decision layer (this module)


class EntryRule(StrEnum):
    NET_EDGE = "net_edge"  # expected return net of a round trip beats the margins
    CLIENT_PROBABILITY = "client_probability"  # p_long >= long_threshold and p_long > p_short


class Gate(StrEnum):
    NONE = "none"
    SMA50 = "sma50"  # close above its 1200-bar (50-day) mean


class CostAwareSettings(BaseModel):
    """Settings of ``decision_mode: cost_aware`` (returns are fractions: 0.001 = 0.1 %)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    entry_rule: EntryRule = Field(
        default=EntryRule.NET_EDGE,
        json_schema_extra=prompt_extra("Entry rule (net_edge / client_probability): ", True, True),
    )
    enter_margin: float = Field(
        default=0.0, ge=0, le=0.2, json_schema_extra=prompt_extra("Enter when edge - cost > ", True, True)
    )
    exit_margin: float = Field(
        default=0.0, ge=-0.2, le=0.2, json_schema_extra=prompt_extra("Exit when edge - cost < ", True, True)
    )
    long_threshold: float = Field(
        default=0.55, gt=0, le=1, json_schema_extra=prompt_extra("client_probability: min p_long: ", True)
    )
    min_hold_bars: int = Field(
        default=24,
        ge=0,
        le=10_000,
        json_schema_extra=prompt_extra("Minimum holding time (bars): ", True, True),
    )
    sizing: Sizing = Field(
        default=Sizing.FIXED,
        json_schema_extra=prompt_extra("Sizing (fixed / kelly / vol_target): ", True, True),
    )
    cap: float = Field(
        default=1.0, gt=0, le=1, json_schema_extra=prompt_extra("Size cap (fraction of budget): ", True, True)
    )
    kelly_scale: float = Field(
        default=0.5, gt=0, le=2, json_schema_extra=prompt_extra("Fractional Kelly scale: ", True)
    )
    vol_target: float = Field(
        default=0.5, gt=0, le=5, json_schema_extra=prompt_extra("Annual volatility target: ", True)
    )
    gate: Gate = Field(
        default=Gate.NONE, json_schema_extra=prompt_extra("Trend gate (none / sma50): ", True, True)
    )
    fee: float = Field(default=0.001, ge=0, le=0.05, json_schema_extra=prompt_extra("Fee per side: ", True))
    half_spread: float = Field(
        default=0.0001, ge=0, le=0.05, json_schema_extra=prompt_extra("Half spread: ", True)
    )
    slippage: float = Field(default=0.0, ge=0, le=0.05, json_schema_extra=prompt_extra("Slippage: ", True))
    stop_loss: float | None = Field(
        default=None, gt=0, lt=1, json_schema_extra=prompt_extra("Stop loss (blank = none): ", True)
    )
    take_profit: float | None = Field(
        default=None, gt=0, lt=1, json_schema_extra=prompt_extra("Take profit (blank = none): ", True)
    )
    time_limit: int | None = Field(
        default=None, gt=0, json_schema_extra=prompt_extra("Time limit in s (blank = none): ", True)
    )

    @model_validator(mode="after")
    def _hysteresis(self) -> CostAwareSettings:
        if self.exit_margin > self.enter_margin:
            raise ValueError("cost_aware.exit_margin must be <= enter_margin (hysteresis)")
        return self


def decision_params(settings: CostAwareSettings, horizon_bars: int) -> DecisionParams:
    """The research decision settings (horizon from the model's manifest); ConfigError if invalid."""
    mode = Mode.COST_AWARE if settings.entry_rule is EntryRule.NET_EDGE else Mode.CLIENT
    return DecisionParams(
        horizon_bars=horizon_bars,
        mode=mode,
        fee=settings.fee,
        half_spread=settings.half_spread,
        slippage=settings.slippage,
        enter_margin=settings.enter_margin,
        exit_margin=settings.exit_margin,
        min_hold_bars=settings.min_hold_bars,
        sizing=settings.sizing,
        cap=settings.cap,
        kelly_scale=settings.kelly_scale,
        vol_target=settings.vol_target,
        rebalance_band=NO_RESIZE,
        long_threshold=settings.long_threshold,
    )


def _gate(gate_kind: Gate, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    if gate_kind is Gate.NONE:
        return np.ones(values.shape, dtype=bool)
    return np.asarray(np.nan_to_num(values, nan=-1.0) > 0.0)


@dataclass(frozen=True, slots=True)
class Validity:
    """When the model may decide: from its data cutoff (earlier bars in-sample), until it expires."""

    cutoff: float | None = None
    expires_at: float | None = None
    interval_s: int = 3600


def _masked(frame: pd.DataFrame, validity: Validity) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(quantiles with NaN where the model may not decide, 'expired' flags) and the reasons updated."""
    stamps = frame["timestamp"].to_numpy(np.float64)
    q = frame.loc[:, list(QUANTILE_COLUMNS)].to_numpy(np.float64).copy()
    reasons = frame["reason"].to_numpy(object).copy()
    if validity.cutoff is not None:
        early = (reasons == "") & (stamps < validity.cutoff)
        reasons[early] = "in-sample: bar opened before the model's data cutoff"
    expired = np.zeros(stamps.size, dtype=bool)
    if validity.expires_at is not None:
        expired = stamps + validity.interval_s > validity.expires_at
        reasons[(reasons == "") & expired] = "model expired: no new positions"
    q[(reasons != "") & ~expired] = np.nan
    frame["reason"] = reasons
    return q, expired


def cost_aware_frame(
    quantiles: pd.DataFrame,
    settings: CostAwareSettings,
    horizon_bars: int,
    *,
    start: float | None = None,
    validity: Validity | None = None,
) -> pd.DataFrame:
    """Per bar: the model's row plus ``target`` (held fraction decided at that bar's close) and ``signal``.

    Decisions start flat at the first bar opening at or after ``start`` (earlier bars: target 0)."""
    frame = quantiles.reset_index(drop=True).copy()
    q, expired = _masked(frame, validity or Validity())
    allowed = _gate(settings.gate, frame[GATE_FEATURE].to_numpy(np.float64)) & ~expired
    first = 0 if start is None else int(np.searchsorted(frame["timestamp"].to_numpy(np.float64), start))
    target = np.zeros(len(frame))
    params = decision_params(settings, horizon_bars)
    target[first:], _ = decide(q[first:, 0], q[first:, 1], q[first:, 2], params, allowed[first:])
    frame["target"] = target
    frame["signal"] = (target > 0.0).astype(np.int64)
    for name in QUANTILE_COLUMNS:  # Hummingbot's engine drops rows holding NaN: keep the bars
        frame[name] = frame[name].fillna(0.0)
    frame[GATE_FEATURE] = frame[GATE_FEATURE].fillna(0.0)
    return frame


class CostAwareLive:
    """The live decision state: one ``decision.step`` per newly closed bar (same bar: same target)."""

    def __init__(self) -> None:
        self.state = DecisionState()
        self.last_bar: float | None = None
        self.row: dict[str, Any] = {}

    def on_bar(
        self,
        model: ResearchForecaster,
        closed: pd.DataFrame,
        settings: CostAwareSettings,
        validity: Validity,
    ) -> dict[str, Any]:
        """The decision at the close of the newest bar of ``closed`` (closed candles only)."""
        if float(closed["timestamp"].iloc[-1]) == self.last_bar:
            return self.row
        return self.apply(model.latest(closed), settings, model.horizon_bars, validity)

    def apply(
        self, latest: pd.Series, settings: CostAwareSettings, horizon_bars: int, validity: Validity
    ) -> dict[str, Any]:
        """One ``decision.step`` on the model's row of a newly closed bar."""
        row = pd.DataFrame([latest])
        row["timestamp"] = row["timestamp"].astype(np.float64)
        stamp = float(row["timestamp"].iloc[0])
        q, expired = _masked(row, validity)
        gate = bool(_gate(settings.gate, row[GATE_FEATURE].to_numpy(np.float64))[0] and not expired[0])
        params = decision_params(settings, horizon_bars)
        self.state = step(self.state, q[0, 0], q[0, 1], q[0, 2], params, gate)
        self.last_bar = stamp
        values = {name: float(np.nan_to_num(row[name].iloc[0])) for name in QUANTILE_COLUMNS}
        self.row = {
            "timestamp": stamp,
            **values,
            "target": self.state.position,
            "signal": int(self.state.position > 0.0),
            "reason": str(row["reason"].iloc[0]),
        }
        return self.row

    def hold(self, stamp: float | None, reason: str) -> dict[str, Any]:
        """No decision this tick (stale feed, no model): the held target stays, nothing is stepped."""
        self.row = {"timestamp": stamp, "q10": 0.0, "q50": 0.0, "q90": 0.0, "reason": reason}
        self.row |= {"target": self.state.position, "signal": int(self.state.position > 0.0)}
        return self.row


def target_actions(target: float, active_long: list[str], can_open: bool) -> tuple[bool, list[str]]:
    """(open a position now?, executor ids to stop): long while ``target > 0``, flat when it is 0."""
    if target > 0.0:
        return (not active_long and can_open), []
    return False, list(active_long)


def check_settings(settings: CostAwareSettings, allow_short: bool) -> None:
    """Cross-field rules of the mode: long/flat spot only; the decision settings are valid."""
    if allow_short:
        raise ConfigError("decision_mode cost_aware is long/flat on spot", fix="set allow_short: false")
    decision_params(settings, 1)
