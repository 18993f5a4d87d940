"""Fields and candle plumbing shared by the controllers that trade one market.

A mixin, not a controller: Hummingbot takes the first ``ControllerConfigBase`` subclass it finds in a
controller module, so the mixin is a plain pydantic model kept in this module of its own. A config lists it
first among its bases (``class XConfig(SingleMarketFields, DirectionalTradingControllerConfigBase)``) so
its fields replace Hummingbot's defaults.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.data_feed.market_data_provider import MarketDataProvider
from pydantic import BaseModel, Field, field_validator

from hummingbot_plugin.ai.config_rules import check_interval
from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.data import closed_count, interval_seconds
from hummingbot_plugin.risk.limits import RiskLimits, capital_field

__all__ = ["IntervalField", "SingleMarketFields", "candles_config", "candles_df", "closed_bars"]

PAIR_PATTERN = r"^[A-Z0-9]+-[A-Z0-9]+$"


class SingleMarketFields(BaseModel):
    """Venue, pair, budget and risk limits of a one-market controller (venue and pair are required)."""

    total_amount_quote: Decimal = capital_field()  # > 0, finite, bounded (MQTT overrides included)
    connector_name: str = Field(
        ..., min_length=1, json_schema_extra=prompt_extra("Exchange connector (e.g. binance): ", False, True)
    )
    trading_pair: str = Field(
        ...,
        pattern=PAIR_PATTERN,
        json_schema_extra=prompt_extra("Trading pair, BASE-QUOTE (e.g. BTC-USDT): ", False, True),
    )
    candles_connector: str | None = Field(
        default=None, json_schema_extra=prompt_extra("Candles connector (blank = the trading one): ", False)
    )
    risk: RiskLimits = Field(
        default_factory=RiskLimits, json_schema_extra=prompt_extra("Risk limits (docs/risk.md): ", True)
    )


class IntervalField(BaseModel):
    """The candle interval of a directional controller, checked against the intervals the plugin knows."""

    interval: str = Field(
        default="1h", json_schema_extra=prompt_extra("Candle interval (1m/5m/15m/1h/4h/1d): ", False, True)
    )

    @field_validator("interval")
    @classmethod
    def _known_interval(cls, value: str) -> str:
        return check_interval(value)


def candles_config(config: SingleMarketFields, interval: str, records: int) -> list[CandlesConfig]:
    """The one candles feed a single-market controller asks Hummingbot for."""
    return [
        CandlesConfig(
            connector=config.candles_connector or config.connector_name,
            trading_pair=config.trading_pair,
            interval=interval,
            max_records=records,
        )
    ]


def candles_df(
    provider: MarketDataProvider, config: SingleMarketFields, interval: str, records: int
) -> pd.DataFrame:
    """That feed's candles (the bar being formed included, as Hummingbot serves it)."""
    frame: pd.DataFrame = provider.get_candles_df(
        config.candles_connector or config.connector_name, config.trading_pair, interval, records
    )
    return frame


def closed_bars(candles: pd.DataFrame, now: float, interval: str) -> int:
    """How many leading rows of ``candles`` are bars closed at ``now`` (the trading clock)."""
    return closed_count(candles["timestamp"].to_numpy(dtype="float64"), now, interval_seconds(interval))
