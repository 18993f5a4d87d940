"""Run a market-making controller offline through Hummingbot's own ``BacktestingEngineBase``.

The engine normally downloads trading rules and candles; here both are handed to its data provider
up front (an exchange's network cannot exist offline), everything else is the real engine.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
from hummingbot.connector.trading_rule import TradingRule
from hummingbot.strategy_v2.backtesting.backtesting_engine_base import BacktestingEngineBase
from hummingbot.strategy_v2.controllers.controller_base import ControllerConfigBase

__all__ = ["default_trading_rule", "run_engine_backtest"]


def default_trading_rule(trading_pair: str, tick: str = "0.01", lot: str = "0.00001") -> TradingRule:
    """A spot trading rule with the given price tick and lot size (Binance BTC-USDT values by default)."""
    return TradingRule(trading_pair=trading_pair, min_order_size=Decimal(lot), min_price_increment=Decimal(tick),
                       min_base_amount_increment=Decimal(lot), min_notional_size=Decimal("5"))


def _preload(engine: BacktestingEngineBase, config: Any, candles: pd.DataFrame, intervals: set[str]) -> None:
    provider = engine.backtesting_data_provider
    provider.trading_rules[config.connector_name] = {config.trading_pair: default_trading_rule(config.trading_pair)}
    connectors = {config.connector_name, getattr(config, "candles_connector", None) or config.connector_name}
    for connector in connectors:
        for interval in intervals:
            provider.candles_feeds[f"{connector}_{config.trading_pair}_{interval}"] = candles.copy()


async def run_engine_backtest(config: ControllerConfigBase, candles: pd.DataFrame, *, resolution: str,
                              trade_cost: float) -> dict[str, Any]:
    """Backtest ``config`` on ``candles`` (one interval) with Hummingbot's engine; returns its result dict.

    The engine drops bars whose features are NaN, so the volatility warm-up bars are history only.
    """
    engine = BacktestingEngineBase()
    _preload(engine, config, candles, {resolution, str(getattr(config, "candles_interval", resolution))})
    start, end = int(candles["timestamp"].iloc[0]), int(candles["timestamp"].iloc[-1])
    result = await engine.run_backtesting(config, start, end, resolution, trade_cost)
    return dict(result)
