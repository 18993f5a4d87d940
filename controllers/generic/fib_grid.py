"""Fibonacci-level grid as a Strategy V2 controller (thin; the maths is in ``hummingbot_plugin.levels``).

After every closed bar the controller plans up to ``slots`` limit buys at Fibonacci confluence zones below
the price (swings confirmed on closed bars at several swing orders, ``levels.plan.plan_frame``). Each buy is
a Hummingbot PositionExecutor with a LIMIT entry at the level and a triple barrier: take-profit at the next
confluence zone above (``levels.plan.take_profit``), stop ``stop_pct`` below the entry, time limit
``time_stop_bars`` bars. Unfilled buys whose level left the plan are cancelled; filled ones run to their
barriers. Spot, long-only; every action goes through the plugin's risk gate.
"""

from __future__ import annotations

import math
from decimal import Decimal

from hummingbot.core.data_type.common import OrderType, PositionMode, TradeType
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.strategy_v2.backtesting.backtesting_data_provider import BacktestingDataProvider
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerBase,
    DirectionalTradingControllerConfigBase,
)
from hummingbot.strategy_v2.executors.position_executor.data_types import (
    PositionExecutorConfig,
    TripleBarrierConfig,
)
from hummingbot.strategy_v2.models.executor_actions import (
    CreateExecutorAction,
    ExecutorAction,
    StopExecutorAction,
)
from pydantic import Field, model_validator

from controllers.single_market import (
    IntervalField,
    SingleMarketFields,
    candles_config,
    candles_df,
    closed_bars,
)
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.errors import PluginError
from hummingbot_plugin.hb.risk_gate import RiskGatedController
from hummingbot_plugin.levels import GridSettings, LevelSettings, plan_frame
from hummingbot_plugin.levels.plan import OpenOrder, grid_actions, plan_now

__all__ = ["FibGridConfig", "FibGridController"]


class FibGridConfig(SingleMarketFields, IntervalField, DirectionalTradingControllerConfigBase):  # type: ignore[misc]
    """Swing orders, confluence and grid rules (spot, long-only)."""

    controller_name: str = Field(
        default="fib_grid", json_schema_extra=prompt_extra("Controller name: ", False)
    )
    controller_type: str = Field(
        default="generic", json_schema_extra=prompt_extra("Controller type: ", False)
    )
    leverage: int = Field(
        default=1, ge=1, le=1, json_schema_extra=prompt_extra("Leverage (spot: 1): ", False)
    )
    position_mode: PositionMode = Field(
        default=PositionMode.ONEWAY, json_schema_extra=prompt_extra("Position mode (spot: ONEWAY): ", False)
    )
    stop_loss: Decimal | None = Field(
        default=None, json_schema_extra=prompt_extra("Unused (per-level stop: stop_pct): ", False)
    )
    take_profit: Decimal | None = Field(
        default=None, json_schema_extra=prompt_extra("Unused (per-level target: the next zone): ", False)
    )
    time_limit: int | None = Field(
        default=None, json_schema_extra=prompt_extra("Unused (per-level limit: time_stop_bars): ", False)
    )
    swing_orders: list[int] = Field(
        default=[6, 24, 72],
        json_schema_extra=prompt_extra(
            "Swing orders in bars, one per 'timeframe' (e.g. 6,24,72): ", False, True
        ),
    )
    legs: int = Field(default=3, ge=1, le=10, json_schema_extra=prompt_extra("Legs per swing order: ", True))
    tol_bp: float = Field(
        default=25.0, gt=0, le=500, json_schema_extra=prompt_extra("Confluence tolerance (bp): ", True)
    )
    min_score: int = Field(
        default=3, ge=1, le=30, json_schema_extra=prompt_extra("Minimum confluence score: ", True, True)
    )
    slots: int = Field(
        default=3, ge=1, le=10, json_schema_extra=prompt_extra("Grid buys (slots): ", True, True)
    )
    min_gap_bp: float = Field(
        default=30.0, gt=0, json_schema_extra=prompt_extra("Minimum distance below price (bp): ", True)
    )
    max_depth_pct: float = Field(
        default=6.0, gt=0, le=50, json_schema_extra=prompt_extra("Deepest level below price (%): ", True)
    )
    min_tp_pct: float = Field(
        default=1.0,
        gt=0,
        le=50,
        json_schema_extra=prompt_extra("Minimum take-profit above the level (%): ", True),
    )
    fallback_tp_pct: float = Field(
        default=3.0,
        gt=0,
        le=50,
        json_schema_extra=prompt_extra("Take-profit without a zone above (%): ", True),
    )
    stop_pct: float = Field(
        default=3.0, gt=0, lt=50, json_schema_extra=prompt_extra("Stop below the entry (%): ", True, True)
    )
    time_stop_bars: int = Field(
        default=336, ge=1, json_schema_extra=prompt_extra("Time limit per position (bars): ", True)
    )
    same_level_bp: float = Field(
        default=25.0,
        gt=0,
        json_schema_extra=prompt_extra("Orders closer than this are one level (bp): ", True),
    )
    candles_records: int = Field(
        default=1500, ge=300, json_schema_extra=prompt_extra("Bars of history for the swings: ", False)
    )

    @model_validator(mode="after")
    def _consistent(self) -> FibGridConfig:
        try:
            self.level_settings()
            self.grid_settings()
        except PluginError as exc:
            raise ValueError(str(exc)) from None
        return self

    def level_settings(self) -> LevelSettings:
        return LevelSettings(tuple(self.swing_orders), self.legs, self.tol_bp)

    def grid_settings(self) -> GridSettings:
        return GridSettings(
            self.min_score, self.slots, self.min_gap_bp, self.max_depth_pct, self.min_tp_pct,
            self.fallback_tp_pct, self.stop_pct, self.time_stop_bars, self.same_level_bp,
        )  # fmt: skip


class FibGridController(RiskGatedController, DirectionalTradingControllerBase):  # type: ignore[misc]
    """Thin hooks: plan on closed bars, turn the plan into position executors."""

    def __init__(self, config: FibGridConfig, *args: object, **kwargs: object) -> None:
        super().__init__(config, *args, **kwargs)
        self.config: FibGridConfig = config

    def get_candles_config(self) -> list[CandlesConfig]:
        return candles_config(self.config, self.config.interval, self.config.candles_records)

    async def update_processed_data(self) -> None:
        c = self.config
        candles = candles_df(self.market_data_provider, c, c.interval, c.candles_records)
        # Hummingbot's backtesting engine merges the plan row by row itself (a row holds the plan made at
        # its bar's close); live and in replays only bars closed at the trading clock count.
        backtesting = isinstance(self.market_data_provider, BacktestingDataProvider)
        now = float(self.market_data_provider.time())
        if backtesting:
            frame = plan_frame(candles, c.level_settings(), c.grid_settings())
            last = frame.iloc[-1].to_dict() if len(frame) else {}
            self.processed_data = {**last, "features": frame, "closed_bars": len(candles)}
            return
        closed = closed_bars(candles, now, c.interval)
        newest = float(candles["timestamp"].iloc[closed - 1]) if closed else None
        if newest is None or newest == self.processed_data.get("planned_bar"):
            return  # the plan changes only with a new closed bar
        row = plan_now(candles.iloc[:closed].reset_index(drop=True), c.level_settings(), c.grid_settings())
        self.processed_data = {**row, "closed_bars": closed, "planned_bar": newest}

    def _planned(self) -> list[tuple[float, float]]:
        out = []
        for i in range(1, self.config.slots + 1):
            level, tp = self.processed_data.get(f"level_{i}"), self.processed_data.get(f"tp_{i}")
            if level is not None and tp is not None and math.isfinite(level) and math.isfinite(tp):
                out.append((float(level), float(tp)))
        return out

    def determine_executor_actions(self) -> list[ExecutorAction]:
        active = [
            OpenOrder(str(e.id), float(e.config.entry_price), float(e.filled_amount_quote) > 0)
            for e in self.executors_info
            if e.is_active and isinstance(e.config, PositionExecutorConfig) and e.config.entry_price
        ]
        creates, stops = grid_actions(self._planned(), active, self.config.grid_settings())
        actions: list[ExecutorAction] = [
            StopExecutorAction(controller_id=self.config.id, executor_id=eid) for eid in stops
        ]
        for level, tp in creates:
            actions.append(
                CreateExecutorAction(controller_id=self.config.id, executor_config=self._buy(level, tp))
            )
        return actions

    def _buy(self, level: float, tp: float) -> PositionExecutorConfig:
        c = self.config
        barriers = TripleBarrierConfig(
            stop_loss=Decimal(repr(c.stop_pct / 100.0)),
            take_profit=Decimal(repr(tp / level - 1.0)),
            time_limit=c.time_stop_bars * interval_seconds(c.interval),
            open_order_type=OrderType.LIMIT,
            take_profit_order_type=OrderType.LIMIT,
        )
        return PositionExecutorConfig(
            timestamp=self.market_data_provider.time(),
            connector_name=c.connector_name,
            trading_pair=c.trading_pair,
            side=TradeType.BUY,
            entry_price=Decimal(repr(level)),
            amount=Decimal(repr(float(c.total_amount_quote) / c.slots / level)),
            triple_barrier_config=barriers,
            leverage=1,
        )

    def to_format_status(self) -> list[str]:
        planned = ", ".join(f"{lv:.2f}->{tp:.2f}" for lv, tp in self._planned()) or "none"
        bars = int(self.processed_data.get("closed_bars", 0))
        return [
            f"fib_grid {self.config.trading_pair} {self.config.interval}: {bars} closed bars; buys {planned}"
        ]
