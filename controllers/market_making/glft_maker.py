"""GLFT / Avellaneda–Stoikov market maker, a Strategy V2 controller (thin; maths in ``hummingbot_plugin.mm``).

One bid and one ask (OrderExecutor, LIMIT_MAKER) at GLFT depths from the mid (hummingbot_plugin/mm/glft.py):
the half-spread from volatility and the order-arrival intensity ``A·exp(−k·δ)``, the reservation price moved
against inventory by the inventory aversion ``gamma``, never closer to the mid than two maker fees + margin.
``σ, A, k`` are re-estimated every ``estimation_refresh_s`` from the candles CLOSED before that moment
(``estimation_lookback_bars``; bar excursions stand in for the trade tape). With ``model_dir`` the quantile
forecast's median shifts the reservation price (``forecast_skew_weight``). Prices are rounded to the
venue's tick (bids down, asks up) and sizes down to its lot step before they rest.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
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

from controllers.single_market import SingleMarketFields, candles_config, candles_df, closed_bars
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.fees import MIN_MAKER_FEE
from hummingbot_plugin.hb import mm_adapter
from hummingbot_plugin.hb.risk_gate import RiskGatedController
from hummingbot_plugin.mm import glft_data, pmm_logic, quoting
from hummingbot_plugin.mm.glft_plan import GLFTParams, plan_glft


class GLFTMakerConfig(SingleMarketFields, MarketMakingControllerConfigBase):
    """Validated configuration (``extra='forbid'``); ``total_amount_quote`` is split over the two quotes."""

    controller_name: str = Field(
        default="glft_maker", json_schema_extra=prompt_extra("Controller name: ", False)
    )
    buy_spreads: list[float] = Field(
        default=[0.001], json_schema_extra=prompt_extra("Unused (one level): ", False)
    )
    sell_spreads: list[float] = Field(
        default=[0.001], json_schema_extra=prompt_extra("Unused (one level): ", False)
    )
    candles_interval: str = Field(
        default="1m", pattern=r"^(1m|5m|15m|1h)$", json_schema_extra=prompt_extra("Candles interval: ", False)
    )
    gamma: float = Field(
        default=1000.0, gt=0, le=1e7, json_schema_extra=prompt_extra("Inventory aversion: ", True)
    )
    max_inventory_quote: Decimal = Field(
        default=Decimal(5000), gt=0, json_schema_extra=prompt_extra("Max |inventory| (quote): ", True, True)
    )
    maker_fee: Decimal = Field(
        default=Decimal("0.0002"),
        ge=MIN_MAKER_FEE,
        le=Decimal("0.01"),
        json_schema_extra=prompt_extra("Maker fee (fraction; negative = rebate): ", True, True),
    )
    min_profit_margin: Decimal = Field(
        default=Decimal(0),
        ge=0,
        le=Decimal("0.05"),
        json_schema_extra=prompt_extra("Margin over fees: ", True),
    )
    estimation_lookback_bars: int = Field(
        default=360,
        ge=10,
        le=10_000,
        json_schema_extra=prompt_extra("Bars to estimate sigma, A, k on: ", True),
    )
    estimation_refresh_s: int = Field(
        default=3600, ge=1, json_schema_extra=prompt_extra("Re-estimate every (s): ", True)
    )
    spread_scale: float = Field(
        default=1.0, gt=0, le=100, json_schema_extra=prompt_extra("Spread scale: ", True)
    )
    forecast_skew_weight: float = Field(
        default=0.0, ge=0, le=10, json_schema_extra=prompt_extra("Q50 weight: ", True)
    )
    max_forecast_skew: float = Field(
        default=0.002, ge=0, le=0.05, json_schema_extra=prompt_extra("Max skew: ", True)
    )
    model_dir: str | None = Field(default=None, json_schema_extra=prompt_extra("Forecast model dir: ", False))
    max_order_age: int = Field(
        default=1800, ge=1, json_schema_extra=prompt_extra("Max order age (s): ", True)
    )
    order_refresh_tolerance_pct: Decimal = Field(
        default=Decimal("0.0002"),
        ge=0,
        le=Decimal("0.1"),
        json_schema_extra=prompt_extra("Tolerance: ", True),
    )
    filled_order_delay: int = Field(
        default=30, ge=0, json_schema_extra=prompt_extra("Delay after fill: ", True)
    )
    leverage: int = Field(
        default=1, ge=1, le=20, json_schema_extra=prompt_extra("Leverage (spot: 1): ", False)
    )
    skip_rebalance: bool = Field(default=True, json_schema_extra=prompt_extra("Skip rebalance? ", True))

    @field_validator("buy_spreads", "sell_spreads", mode="after")
    @classmethod
    def _one_level(cls, v: list[float]) -> list[float]:
        if len(v) != 1 or not 0 < v[0] < 0.5:
            raise ValueError("the GLFT maker quotes one level a side: give one spread in (0, 0.5)")
        return v

    @model_validator(mode="after")
    def _budget(self) -> GLFTMakerConfig:
        if self.total_amount_quote <= 0 or self.max_inventory_quote < self.total_amount_quote / 2:
            raise ValueError(
                "total_amount_quote must be > 0 and max_inventory_quote >= total_amount_quote / 2"
            )
        return self

    def params(self) -> GLFTParams:
        return GLFTParams(
            gamma=self.gamma,
            order_amount_quote=float(self.total_amount_quote) / 2,
            max_inventory_quote=float(self.max_inventory_quote),
            maker_fee=float(self.maker_fee),
            min_profit_margin=float(self.min_profit_margin),
            forecast_skew_weight=self.forecast_skew_weight,
            spread_scale=self.spread_scale,
        )


class GLFTMakerController(RiskGatedController, MarketMakingControllerBase):
    """Hooks only: estimation in ``glft_data``, quotes in ``glft_plan``, lifecycle in ``pmm_logic``."""

    def __init__(self, config: GLFTMakerConfig, *args: object, **kwargs: object) -> None:
        super().__init__(config, *args, **kwargs)
        self.config: GLFTMakerConfig = config
        self._forecast_fn = pmm_logic.load_forecast_fn(config.model_dir, config.trading_pair)
        self._estimated_at = float("-inf")

    def get_candles_config(self) -> list[CandlesConfig]:
        c = self.config
        return candles_config(c, c.candles_interval, c.estimation_lookback_bars + 10)

    async def update_processed_data(self) -> None:
        if isinstance(self.market_data_provider, BacktestingDataProvider):
            self.processed_data = {"features": self._backtest_features()}
            return
        now = float(self.market_data_provider.time())
        if now - self._estimated_at < self.config.estimation_refresh_s and "estimate" in self.processed_data:
            return
        c = self.config
        bar_s = float(interval_seconds(c.candles_interval))
        records = c.estimation_lookback_bars + 10
        candles = candles_df(self.market_data_provider, c, c.candles_interval, records)
        closed = candles.iloc[: closed_bars(candles, now, c.candles_interval)]
        lookback = bar_s * self.config.estimation_lookback_bars
        est = glft_data.candle_estimate_at(closed, bar_s, now, lookback) if len(closed) else None
        data: dict[str, Any] = {
            "estimate": est,
            "forecast_skew": self._forecast_skew(closed),
            "estimated_at": now,
        }
        self.processed_data = data
        self._estimated_at = now

    def _backtest_features(self) -> pd.DataFrame:
        """Hummingbot's backtesting engine calls ``update_processed_data`` once and merges one features row
        per bar into ``processed_data``: every bar's estimate, from bars closed before it only."""
        c = self.config
        bar_s = float(interval_seconds(c.candles_interval))
        candles = candles_df(self.market_data_provider, c, c.candles_interval, 10**7)
        lookback = bar_s * c.estimation_lookback_bars
        return glft_data.estimate_features(candles, bar_s, lookback_s=lookback, step_s=c.estimation_refresh_s)

    def _forecast_skew(self, closed: Any) -> float:
        if self._forecast_fn is None or len(closed) == 0 or self.config.forecast_skew_weight == 0:
            return 0.0
        q50 = float(self._forecast_fn(closed)["q50"].iloc[-1])
        return (
            max(-self.config.max_forecast_skew, min(self.config.max_forecast_skew, q50))
            if q50 == q50
            else 0.0
        )

    def determine_executor_actions(self) -> list[ExecutorAction]:
        c = self.config
        now = float(self.market_data_provider.time())
        mid = float(
            self.market_data_provider.get_price_by_type(c.connector_name, c.trading_pair, PriceType.MidPrice)
        )
        base = mm_adapter.net_base_position(self.positions_held, c.connector_name, c.trading_pair)
        data: dict[str, Any] = self.processed_data
        plan = plan_glft(
            c.params(),
            glft_data.estimate_from(data),
            self.processed_data,
            mid,
            float(base) * mid,
            mm_adapter.gate_decision(self),
        )
        self.processed_data["risk_state"] = plan.risk.state.name
        creates, stops = pmm_logic.level_actions(plan, mm_adapter.level_views(self.executors_info), now, c)
        actions: list[ExecutorAction] = [
            StopExecutorAction(controller_id=c.id, executor_id=eid, keep_position=True) for eid in stops
        ]
        for level_id in creates:
            order = self._order_config(level_id, plan.prices[level_id], plan.amounts[level_id], now)
            if order is not None:
                actions.append(CreateExecutorAction(controller_id=c.id, executor_config=order))
        return actions

    def _order_config(
        self, level_id: str, price: float, amount: float, now: float
    ) -> OrderExecutorConfig | None:
        c = self.config
        side = "buy" if level_id.startswith("buy") else "sell"
        rule = self.market_data_provider.get_trading_rules(c.connector_name, c.trading_pair)
        px = quoting.round_price(price, Decimal(str(rule.min_price_increment)), side)
        size = quoting.round_size(amount, Decimal(str(rule.min_base_amount_increment)))
        if size <= 0 or size < rule.min_order_size or px * size < rule.min_notional_size:
            return None
        return OrderExecutorConfig(
            timestamp=now,
            connector_name=c.connector_name,
            trading_pair=c.trading_pair,
            side=TradeType.BUY if side == "buy" else TradeType.SELL,
            amount=size,
            price=px,
            execution_strategy=ExecutionStrategy.LIMIT_MAKER,
            level_id=level_id,
            leverage=c.leverage,
            controller_id=c.id,
        )

    def to_format_status(self) -> list[str]:
        est = glft_data.estimate_from(self.processed_data)
        if est is None:
            return ["GLFT: no estimate yet (too few closed candles)"]
        return [
            f"GLFT sigma={est.sigma:.3g}/sqrt(s) A={est.intensity_a:.3g}/s k={est.intensity_k:.4g} "
            f"skew={self.processed_data.get('forecast_skew', 0.0):+.5f} "
            f"risk={self.processed_data.get('risk_state', 'ACTIVE')}"
        ]
