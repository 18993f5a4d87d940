"""Forecast-aware pure market making as a Strategy V2 controller (thin; maths in ``hummingbot_plugin.mm``).

Quotes: reference = mid skewed by the forecast median (Q50) and by inventory; half-spreads scaled by the
predicted interval width (Q90 - Q10) and realised volatility, never below ``2 * maker_fee + margin``.
Without a model directory it quotes on volatility alone. Each level is an OrderExecutor (LIMIT_MAKER) that
keeps its fill as a position; levels are replaced one by one.

Mapping of the client's V1 ``pure_market_making`` template onto this controller:

| V1 field | here | note |
|---|---|---|
| exchange / market | connector_name / trading_pair | required, no default |
| bid_spread / ask_spread (%) | buy_spreads / sell_spreads (fractions) | one entry per level; 0.1 % -> 0.001 |
| order_amount | total_amount_quote, *_amounts_pct | budget in quote split over levels |
| order_refresh_time | executor_refresh_time |  |
| max_order_age | max_order_age | always replaced after this age |
| order_refresh_tolerance_pct | order_refresh_tolerance_pct (fraction) | keep a quote if price moved less |
| filled_order_delay | filled_order_delay | per level |
| inventory_skew_enabled | inventory_skew_enabled | price skew + one-siding at the limit |
| inventory_target_base_pct | inventory_target_base_pct (fraction) | target net position / total_amount |
| inventory_range_multiplier | inventory_range_pct | half-width of the tolerated band |
| add_transaction_costs | maker_fee, min_profit_margin | always on: fee floor |
| price_ceiling / price_floor | price_ceiling / price_floor | None (not -1) disables |
| hanging_orders_*, ping_pong_* | not mapped | per-level lifecycle replaces them |
| order_optimization_* | not mapped | would jump the queue; not modelled |
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hummingbot.core.data_type.common import PriceType, TradeType
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.strategy_v2.backtesting.backtesting_data_provider import BacktestingDataProvider
from hummingbot.strategy_v2.controllers.market_making_controller_base import (
    MarketMakingControllerBase,
    MarketMakingControllerConfigBase,
)
from hummingbot.strategy_v2.executors.order_executor.data_types import ExecutionStrategy, OrderExecutorConfig
from hummingbot.strategy_v2.models.executor_actions import (
    CreateExecutorAction,
    ExecutorAction,
    StopExecutorAction,
)
from pydantic import ConfigDict, Field, field_validator, model_validator

from controllers.single_market import SingleMarketFields, candles_config, candles_df
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.hb import mm_adapter
from hummingbot_plugin.hb.risk_gate import RiskGatedController
from hummingbot_plugin.mm import pmm_logic
from hummingbot_plugin.mm.params import PMMParams


class PMMForecastConfig(PMMParams, SingleMarketFields, MarketMakingControllerConfigBase):
    """Validated configuration (``extra='forbid'``): the quoting parameters come from :class:`PMMParams`."""

    model_config = ConfigDict(frozen=False)  # Hummingbot updates fields while running

    controller_name: str = Field(
        default="pmm_forecast", json_schema_extra=prompt_extra("Controller name: ", False)
    )
    leverage: int = Field(
        default=1, ge=1, le=20, json_schema_extra=prompt_extra("Leverage (spot: 1): ", False)
    )
    skip_rebalance: bool = Field(
        default=True, json_schema_extra=prompt_extra("Skip spot rebalance market orders? ", True)
    )
    stop_loss: Decimal | None = Field(
        default=None, json_schema_extra=prompt_extra("Unused (order executors): ", False)
    )
    take_profit: Decimal | None = Field(
        default=None, json_schema_extra=prompt_extra("Unused (order executors): ", False)
    )
    time_limit: int | None = Field(
        default=None, json_schema_extra=prompt_extra("Unused (order executors): ", False)
    )
    model_dir: str | None = Field(
        default=None, json_schema_extra=prompt_extra("Forecast model dir (blank=vol only): ", False)
    )

    @field_validator("stop_loss", "take_profit", mode="before")
    @classmethod
    def _unused_minus_one_is_off(cls, v: object) -> object:
        return None if v in (-1, "-1", "", None) else v

    @model_validator(mode="after")
    def _check_band(self) -> PMMForecastConfig:
        ceiling, floor = self.price_ceiling, self.price_floor
        if ceiling is not None and floor is not None and floor >= ceiling:
            raise ValueError(f"price_floor ({floor}) must be below price_ceiling ({ceiling})")
        if self.min_spread_multiplier > self.max_spread_multiplier:
            raise ValueError("min_spread_multiplier must not exceed max_spread_multiplier")
        return self


class PMMForecastController(RiskGatedController, MarketMakingControllerBase):
    """Hooks only; quoting, level lifecycle and risk live in :mod:`hummingbot_plugin.mm.pmm_logic`."""

    processed_data: dict[str, Any]

    def __init__(self, config: PMMForecastConfig, *args: object, **kwargs: object) -> None:
        super().__init__(config, *args, **kwargs)
        self.config: PMMForecastConfig = config
        self._forecast_fn = pmm_logic.load_forecast_fn(config.model_dir, config.trading_pair)
        self._backtesting = isinstance(self.market_data_provider, BacktestingDataProvider)

    def get_candles_config(self) -> list[CandlesConfig]:
        c = self.config
        return candles_config(c, c.candles_interval, pmm_logic.candles_needed(c, c.model_dir))

    async def update_processed_data(self) -> None:
        c = self.config
        records = pmm_logic.candles_needed(c, c.model_dir)
        candles = candles_df(self.market_data_provider, c, c.candles_interval, records)
        mid = self.market_data_provider.get_price_by_type(
            self.config.connector_name, self.config.trading_pair, PriceType.MidPrice
        )
        # Live and in replays only bars closed at the trading clock count; Hummingbot's backtesting engine
        # serves finished bars and merges the feature frame row by row itself.
        now = None if self._backtesting else float(self.market_data_provider.time())
        self.processed_data = pmm_logic.processed_data(
            candles, c, float(mid), self._forecast_fn, self.processed_data, now
        )

    def determine_executor_actions(self) -> list[ExecutorAction]:
        now = float(self.market_data_provider.time())
        mid = float(
            self.market_data_provider.get_price_by_type(
                self.config.connector_name, self.config.trading_pair, PriceType.MidPrice
            )
        )
        base = mm_adapter.net_base_position(
            self.positions_held, self.config.connector_name, self.config.trading_pair
        )
        plan = pmm_logic.plan_quotes(
            self.config, self.processed_data, mid, float(base) * mid, mm_adapter.gate_decision(self)
        )
        self.processed_data["risk_state"] = plan.risk.state.name
        self.processed_data["risk_reasons"] = list(plan.risk.reasons)
        views = mm_adapter.level_views(self.executors_info)
        creates, stops = pmm_logic.level_actions(plan, views, now, self.config)
        actions: list[ExecutorAction] = [
            StopExecutorAction(controller_id=self.config.id, executor_id=eid, keep_position=True)
            for eid in stops
        ]
        for level_id in creates:
            actions.append(
                CreateExecutorAction(
                    controller_id=self.config.id, executor_config=self._order_config(level_id, plan, now)
                )
            )
        return actions

    def _order_config(self, level_id: str, plan: pmm_logic.QuotePlan, now: float) -> OrderExecutorConfig:
        price, amount = plan.prices[level_id], plan.amounts[level_id]
        return OrderExecutorConfig(
            timestamp=now,
            connector_name=self.config.connector_name,
            trading_pair=self.config.trading_pair,
            side=TradeType.BUY if level_id.startswith("buy") else TradeType.SELL,
            amount=Decimal(repr(amount)),
            price=Decimal(repr(price)),
            execution_strategy=ExecutionStrategy.LIMIT_MAKER,
            level_id=level_id,
            leverage=self.config.leverage,
            controller_id=self.config.id,
        )

    def to_format_status(self) -> list[str]:
        return pmm_logic.status_lines(self.processed_data)
