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
from typing import Literal

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
from pydantic import Field, field_validator, model_validator

from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.fees import MIN_MAKER_FEE
from hummingbot_plugin.hb import mm_adapter
from hummingbot_plugin.hb.risk_gate import RiskGatedController
from hummingbot_plugin.mm import pmm_logic
from hummingbot_plugin.risk.limits import RiskLimits, capital_field


class PMMForecastConfig(MarketMakingControllerConfigBase):
    """Validated configuration (``extra='forbid'``): every field has a range and a prompt."""

    total_amount_quote: Decimal = capital_field()  # > 0, finite, bounded (MQTT overrides included)
    controller_name: str = Field(
        default="pmm_forecast", json_schema_extra=prompt_extra("Controller name: ", False)
    )
    connector_name: str = Field(
        ..., min_length=1, json_schema_extra=prompt_extra("Connector (e.g. binance): ", False, True)
    )
    trading_pair: str = Field(
        ...,
        pattern=r"^[A-Z0-9]+-[A-Z0-9]+$",
        json_schema_extra=prompt_extra("Trading pair (e.g. BTC-USDT): ", False, True),
    )
    candles_connector: str | None = Field(
        default=None, json_schema_extra=prompt_extra("Candles connector (blank=same): ", False)
    )
    candles_interval: str = Field(
        default="1m",
        pattern=r"^(1m|5m|15m|1h|4h|1d)$",
        json_schema_extra=prompt_extra("Candles interval for volatility/forecast: ", False),
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
    executor_refresh_time: int = Field(
        default=30, ge=1, json_schema_extra=prompt_extra("Order refresh time (s): ", True, True)
    )
    max_order_age: int = Field(
        default=1800, ge=1, json_schema_extra=prompt_extra("Max order age (s): ", True)
    )
    order_refresh_tolerance_pct: Decimal = Field(
        default=Decimal("0.002"),
        ge=0,
        le=Decimal("0.1"),
        json_schema_extra=prompt_extra("Refresh tolerance (fraction): ", True),
    )
    filled_order_delay: int = Field(
        default=60, ge=0, json_schema_extra=prompt_extra("Delay after a fill (s): ", True, True)
    )
    maker_fee: Decimal = Field(
        default=Decimal("0.001"),
        ge=MIN_MAKER_FEE,
        le=Decimal("0.01"),
        json_schema_extra=prompt_extra("Maker fee (fraction, 0.001 = 0.1%; negative = rebate): ", True, True),
    )
    min_profit_margin: Decimal = Field(
        default=Decimal("0.0002"),
        ge=0,
        le=Decimal("0.05"),
        json_schema_extra=prompt_extra("Margin above two maker fees (fraction): ", True),
    )
    volatility_window: int = Field(
        default=30, ge=2, le=10_000, json_schema_extra=prompt_extra("Volatility window (bars): ", True)
    )
    volatility_factor: float = Field(
        default=2.0, ge=0, le=100, json_schema_extra=prompt_extra("Half-spread per unit vol: ", True)
    )
    interval_width_factor: float = Field(
        default=0.5, ge=0, le=100, json_schema_extra=prompt_extra("Half-spread per unit (Q90-Q10)/2: ", True)
    )
    forecast_skew_weight: float = Field(
        default=0.5, ge=0, le=10, json_schema_extra=prompt_extra("Weight of Q50 skew: ", True)
    )
    max_forecast_skew: float = Field(
        default=0.002, ge=0, le=0.05, json_schema_extra=prompt_extra("Max |Q50 skew|: ", True)
    )
    min_spread_multiplier: float = Field(
        default=0.5, gt=0, le=100, json_schema_extra=prompt_extra("Min spread multiplier: ", True)
    )
    max_spread_multiplier: float = Field(
        default=5.0, gt=0, le=100, json_schema_extra=prompt_extra("Max spread multiplier: ", True)
    )
    model_dir: str | None = Field(
        default=None, json_schema_extra=prompt_extra("Forecast model dir (blank=vol only): ", False)
    )
    inventory_skew_enabled: bool = Field(
        default=True, json_schema_extra=prompt_extra("Inventory skew? ", True)
    )
    inventory_target_base_pct: float = Field(
        default=0.0, ge=-1, le=1, json_schema_extra=prompt_extra("Target net position / budget: ", True)
    )
    inventory_range_pct: float = Field(
        default=0.5, gt=0, le=5, json_schema_extra=prompt_extra("Inventory band half-width: ", True)
    )
    inventory_skew_strength: float = Field(
        default=1.0, ge=0, le=10, json_schema_extra=prompt_extra("Skew per unit deviation: ", True)
    )
    price_ceiling: Decimal | None = Field(
        default=None, gt=0, json_schema_extra=prompt_extra("No bids above (blank=off): ", True)
    )
    price_floor: Decimal | None = Field(
        default=None, gt=0, json_schema_extra=prompt_extra("No asks below (blank=off): ", True)
    )
    quote_risk_override: Literal["NORMAL", "REDUCING", "HALTED"] = Field(
        default="NORMAL",
        json_schema_extra=prompt_extra("Risk state override (NORMAL/REDUCING/HALTED): ", True),
    )
    risk: RiskLimits = Field(
        default_factory=RiskLimits, json_schema_extra=prompt_extra("Risk limits (docs/risk.md): ", True)
    )

    @field_validator("buy_spreads", "sell_spreads", mode="after")
    @classmethod
    def _spreads_positive(cls, v: list[float]) -> list[float]:
        if not v or any(not 0 < s < 0.5 for s in v):
            raise ValueError("spreads must be a non-empty list of fractions in (0, 0.5), e.g. 0.001,0.002")
        return v

    @field_validator("price_ceiling", "price_floor", "stop_loss", "take_profit", mode="before")
    @classmethod
    def _minus_one_is_off(cls, v: object) -> object:
        return None if v in (-1, "-1", "", None) else v

    @model_validator(mode="after")
    def _check_band(self) -> PMMForecastConfig:
        if (
            self.price_ceiling is not None
            and self.price_floor is not None
            and self.price_floor >= self.price_ceiling
        ):
            raise ValueError(
                f"price_floor ({self.price_floor}) must be below price_ceiling ({self.price_ceiling})"
            )
        if self.min_spread_multiplier > self.max_spread_multiplier:
            raise ValueError("min_spread_multiplier must not exceed max_spread_multiplier")
        if self.total_amount_quote <= 0:
            raise ValueError("total_amount_quote must be positive")
        return self


class PMMForecastController(RiskGatedController, MarketMakingControllerBase):
    """Hooks only; quoting, level lifecycle and risk live in :mod:`hummingbot_plugin.mm.pmm_logic`."""

    def __init__(self, config: PMMForecastConfig, *args: object, **kwargs: object) -> None:
        super().__init__(config, *args, **kwargs)
        self.config: PMMForecastConfig = config
        self._forecast_fn = pmm_logic.load_forecast_fn(config.model_dir)
        self._backtesting = isinstance(self.market_data_provider, BacktestingDataProvider)

    def get_candles_config(self) -> list[CandlesConfig]:
        return [
            CandlesConfig(
                connector=self.config.candles_connector or self.config.connector_name,
                trading_pair=self.config.trading_pair,
                interval=self.config.candles_interval,
                max_records=pmm_logic.candles_needed(self.config, self.config.model_dir),
            )
        ]

    async def update_processed_data(self) -> None:
        candles = self.market_data_provider.get_candles_df(
            self.config.candles_connector or self.config.connector_name,
            self.config.trading_pair,
            self.config.candles_interval,
            pmm_logic.candles_needed(self.config, self.config.model_dir),
        )
        mid = self.market_data_provider.get_price_by_type(
            self.config.connector_name, self.config.trading_pair, PriceType.MidPrice
        )
        # Live and in replays only bars closed at the trading clock count; Hummingbot's backtesting engine
        # serves finished bars and merges the feature frame row by row itself.
        now = None if self._backtesting else float(self.market_data_provider.time())
        self.processed_data = pmm_logic.processed_data(
            candles, self.config, float(mid), self._forecast_fn, self.processed_data, now
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
