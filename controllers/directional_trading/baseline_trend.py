"""Baseline trend controller: long while the fast SMA is above the slow SMA, flat otherwise.

A deliberately classic, untuned rule (50/200-bar moving averages) that every ML result is
compared against. The signal maths lives in ``hummingbot_plugin.baseline.trend_signal`` and is
computed over the whole candle history, so ``processed_data["features"]`` holds the full frame
(what Hummingbot's backtesting engine merges bar by bar). The live ``processed_data["signal"]`` is
the signal of the newest bar CLOSED at ``market_data_provider.time()``: a live candles feed updates
the bar being formed in place, and trading on it would differ from the backtest.
Entries are market orders through Hummingbot's PositionExecutor; an executor is stopped when the
trend signal no longer supports its side, and the triple barrier (stop loss) still applies.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from hummingbot.core.data_type.common import OrderType, PositionMode, TradeType
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerBase,
    DirectionalTradingControllerConfigBase,
)
from hummingbot.strategy_v2.executors.position_executor.data_types import TrailingStop
from hummingbot.strategy_v2.models.executor_actions import ExecutorAction, StopExecutorAction
from pydantic import Field, model_validator

from controllers.single_market import (
    IntervalField,
    SingleMarketFields,
    candles_config,
    candles_df,
    closed_bars,
)
from hummingbot_plugin.baseline import trend_signal
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.errors import PluginError
from hummingbot_plugin.hb.risk_gate import RiskGatedController

__all__ = ["BaselineTrendConfig", "BaselineTrendController"]


class BaselineTrendConfig(SingleMarketFields, IntervalField, DirectionalTradingControllerConfigBase):
    """Moving-average trend filter on one market (venue and pair are required)."""

    controller_name: str = Field(default="baseline_trend", json_schema_extra={"is_updatable": False})
    fast_window: int = Field(
        default=50,
        ge=1,
        le=10_000,
        json_schema_extra=prompt_extra("Fast moving-average window, in bars: ", False, True),
    )
    slow_window: int = Field(
        default=200,
        ge=2,
        le=10_000,
        json_schema_extra=prompt_extra("Slow moving-average window, in bars: ", False, True),
    )
    allow_short: bool = Field(
        default=False,
        json_schema_extra=prompt_extra(
            "Short when the fast average is below the slow one (perpetuals only)? ", False, True
        ),
    )
    leverage: int = Field(
        default=1,
        ge=1,
        le=10,
        json_schema_extra=prompt_extra("Leverage (1 for spot): ", False, True),
    )
    position_mode: PositionMode = Field(
        default=PositionMode.ONEWAY,
        json_schema_extra=prompt_extra("Position mode (ONEWAY/HEDGE): ", False),
    )
    max_executors_per_side: int = Field(
        default=1,
        ge=1,
        le=10,
        json_schema_extra=prompt_extra("Maximum concurrent positions per side: ", True, True),
    )
    cooldown_time: int = Field(
        default=3600,
        gt=0,
        json_schema_extra=prompt_extra(
            "Seconds to wait after an entry before another one on the same side: ", True, True
        ),
    )
    stop_loss: Decimal | None = Field(
        default=Decimal("0.05"),
        gt=0,
        lt=1,
        json_schema_extra=prompt_extra(
            "Stop loss as a fraction of the entry price (e.g. 0.05): ", True, True
        ),
    )
    take_profit: Decimal | None = Field(
        default=None,
        gt=0,
        json_schema_extra=prompt_extra(
            "Take profit as a fraction (empty for none; the trend exit closes positions): ", True, True
        ),
    )
    time_limit: int | None = Field(
        default=None,
        gt=0,
        json_schema_extra=prompt_extra("Time limit per position in seconds (empty for none): ", True, True),
    )
    take_profit_order_type: OrderType = Field(
        default=OrderType.MARKET,
        json_schema_extra=prompt_extra("Order type for take profit (LIMIT/MARKET): ", True),
    )
    trailing_stop: TrailingStop | None = Field(
        default=None,
        json_schema_extra=prompt_extra(
            "Trailing stop as activation_price,trailing_delta (empty for none): ", True
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> BaselineTrendConfig:
        try:
            trend_signal.TrendParams(self.fast_window, self.slow_window, self.allow_short)
            trend_signal.check_short_allowed(self.connector_name, self.allow_short)
        except PluginError as exc:
            raise ValueError(str(exc)) from None
        return self

    @property
    def trend_params(self) -> trend_signal.TrendParams:
        return trend_signal.TrendParams(self.fast_window, self.slow_window, self.allow_short)


class BaselineTrendController(RiskGatedController, DirectionalTradingControllerBase):
    """Thin Hummingbot hooks around :func:`trend_signal.trend_features`."""

    def __init__(self, config: BaselineTrendConfig, *args: object, **kwargs: object) -> None:
        super().__init__(config, *args, **kwargs)
        self.config: BaselineTrendConfig = config

    def get_candles_config(self) -> list[CandlesConfig]:
        return candles_config(self.config, self.config.interval, self.config.slow_window + 10)

    async def update_processed_data(self) -> None:
        c = self.config
        candles = candles_df(self.market_data_provider, c, c.interval, c.slow_window + 10)
        features = trend_signal.trend_features(candles, c.trend_params)
        closed = closed_bars(features, float(self.market_data_provider.time()), c.interval)
        signal = int(features["signal"].iloc[closed - 1]) if closed else 0
        self.processed_data = {"signal": signal, "features": features, "closed_bars": closed}

    def stop_actions_proposal(self) -> list[ExecutorAction]:
        """Close positions the trend no longer supports (long when signal <= 0, short when >= 0)."""
        signal = int(self.processed_data.get("signal", 0))
        stale = [
            e
            for e in self.executors_info
            if e.is_active
            and ((e.side == TradeType.BUY and signal <= 0) or (e.side == TradeType.SELL and signal >= 0))
        ]
        return [StopExecutorAction(controller_id=self.config.id, executor_id=e.id) for e in stale]

    def to_format_status(self) -> list[str]:
        features = self.processed_data.get("features")
        closed = int(self.processed_data.get("closed_bars", 0))
        if not isinstance(features, pd.DataFrame) or features.empty or closed == 0:
            return ["baseline_trend: waiting for a closed candle"]
        last = features.iloc[min(closed, len(features)) - 1]
        return [
            f"baseline_trend {self.config.trading_pair} {self.config.interval}: close={last['close']:.2f} "
            f"fast={last['fast_sma']:.2f} slow={last['slow_sma']:.2f} signal={int(last['signal'])}"
        ]
