"""Tiny trend controller used to exercise the simulator: close vs. its simple moving average.

Signal +1 when the last CLOSED candle closes above SMA(n)·(1+band), −1 below SMA(n)·(1−band) (only with
``allow_short``, i.e. on perpetuals; 0 on spot), else 0.
Executors are Hummingbot's PositionExecutor with the triple barrier from the config. It exists to
compare replay and backtest on a controller whose logic is trivially checkable, not to make money.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerBase,
    DirectionalTradingControllerConfigBase,
)
from pydantic import Field, model_validator

from hummingbot_plugin.baseline.trend_signal import check_short_allowed
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.errors import PluginError
from hummingbot_plugin.hb.risk_gate import RiskGatedController
from hummingbot_plugin.risk.limits import RiskLimits, capital_field

__all__ = ["SimProbeTrend", "SimProbeTrendConfig"]


class SimProbeTrendConfig(DirectionalTradingControllerConfigBase):
    """Config of the probe controller."""

    total_amount_quote: Decimal = capital_field()  # > 0, finite, bounded (MQTT overrides included)
    controller_name: str = "sim_probe_trend"
    candles_interval: str = Field(
        default="1m",
        json_schema_extra={
            "prompt": "Candle interval for the SMA (e.g. 1m): ",
            "prompt_on_new": True,
            "is_updatable": False,
        },
    )
    sma_length: int = Field(
        default=20,
        gt=1,
        le=1000,
        json_schema_extra={"prompt": "SMA length in candles: ", "prompt_on_new": True, "is_updatable": True},
    )
    band: Decimal = Field(
        default=Decimal("0.0005"),
        ge=0,
        lt=1,
        json_schema_extra={
            "prompt": "Dead band around the SMA (fraction): ",
            "prompt_on_new": True,
            "is_updatable": True,
        },
    )
    leverage: int = Field(
        default=1,
        ge=1,
        json_schema_extra={"prompt": "Leverage (1 for spot): ", "prompt_on_new": True, "is_updatable": False},
    )
    allow_short: bool = Field(
        default=False,
        json_schema_extra=prompt_extra("Open shorts below the band (perpetuals only)? ", False, on_new=True),
    )
    risk: RiskLimits = Field(
        default_factory=RiskLimits, json_schema_extra=prompt_extra("Risk limits (docs/risk.md): ", True)
    )

    @model_validator(mode="after")
    def _shorts_need_a_perpetual(self) -> SimProbeTrendConfig:
        try:
            check_short_allowed(self.connector_name, self.allow_short)
        except PluginError as exc:
            raise ValueError(str(exc)) from None
        return self


class SimProbeTrend(RiskGatedController, DirectionalTradingControllerBase):
    """Close-vs-SMA signal on closed candles served by the market data provider."""

    def __init__(self, config: SimProbeTrendConfig, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.config: SimProbeTrendConfig = config

    def get_candles_config(self) -> list[CandlesConfig]:
        return [
            CandlesConfig(
                connector=self.config.connector_name,
                trading_pair=self.config.trading_pair,
                interval=self.config.candles_interval,
                max_records=self.config.sma_length + 5,
            )
        ]

    async def update_processed_data(self) -> None:
        df = self.market_data_provider.get_candles_df(
            self.config.connector_name,
            self.config.trading_pair,
            self.config.candles_interval,
            self.config.sma_length + 5,
        )
        signal = 0
        if len(df) >= self.config.sma_length:
            closes = df["close"].iloc[-self.config.sma_length :]
            sma = Decimal(str(closes.mean()))
            last = Decimal(str(closes.iloc[-1]))
            if last > sma * (1 + self.config.band):
                signal = 1
            elif last < sma * (1 - self.config.band) and self.config.allow_short:
                signal = -1
        self.processed_data = {"signal": signal, "features": df.tail(1)}
