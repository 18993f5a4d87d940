"""The offline BacktestingDataProvider: local candles and rules, and never the network."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hummingbot.connector.trading_rule import TradingRule
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.strategy_v2.executors.data_types import ConnectorPair

from hummingbot_plugin.data import load_candles, resample_candles
from hummingbot_plugin.errors import ConfigError, DataError, SimulationError
from hummingbot_plugin.simulation.backtest.offline_provider import OfflineDataProvider

START = 1_672_531_200  # 2023-01-01
END = START + 14 * 86_400


@pytest.fixture(scope="module")
def five_minute(shared_data_dir: Path) -> pd.DataFrame:
    return load_candles(shared_data_dir / "binance_BTC-USDT_5m.csv", start="2022-12-01", end="2023-01-31")


def _make_provider(candles: pd.DataFrame, interval: str = "5m", **kwargs: Any) -> OfflineDataProvider:
    provider = OfflineDataProvider(candles, interval, source="test candles", **kwargs)
    provider.update_backtesting_time(START, END)
    return provider


def test_serves_same_interval_with_warmup_history(five_minute: pd.DataFrame) -> None:
    provider = _make_provider(five_minute)
    config = CandlesConfig(connector="okx", trading_pair="ETH-USDT", interval="5m", max_records=100)
    frame = asyncio.run(provider.get_candles_feed(config))
    assert frame["timestamp"].iloc[0] == START - 100 * 300  # 100 bars before start
    assert frame["timestamp"].iloc[-1] == END
    served = provider.get_candles_df("okx", "ETH-USDT", "5m")
    pd.testing.assert_frame_equal(served, frame)


def test_coarser_interval_is_resampled_exactly(five_minute: pd.DataFrame) -> None:
    provider = _make_provider(five_minute)
    hourly = provider.get_candles_df("binance", "BTC-USDT", "1h", max_records=10)
    expected = resample_candles(five_minute, "1h")
    expected = expected[(expected["timestamp"] >= START - 10 * 3600) & (expected["timestamp"] <= END)]
    pd.testing.assert_frame_equal(hourly, expected.reset_index(drop=True))


def test_finer_interval_than_file_is_a_clear_error(five_minute: pd.DataFrame) -> None:
    provider = _make_provider(five_minute)
    with pytest.raises(DataError) as caught:
        provider.get_candles_df("binance", "BTC-USDT", "1m")
    assert "1m candles were requested but test candles holds 5m bars" in caught.value.message


@pytest.mark.parametrize("connector", ["binance", "kucoin", "okx"])
@pytest.mark.parametrize("pair", ["BTC-USDT", "ETH-USDT"])
def test_trading_rules_are_hummingbot_objects(five_minute: pd.DataFrame, connector: str, pair: str) -> None:
    provider = _make_provider(five_minute)
    asyncio.run(provider.initialize_trading_rules(connector))
    rule = provider.get_trading_rules(connector, pair)
    assert isinstance(rule, TradingRule)
    assert rule.trading_pair == pair
    assert Decimal(0) < rule.min_price_increment <= Decimal("0.1")
    assert Decimal(0) < rule.min_base_amount_increment <= rule.min_order_size
    assert provider.quantize_order_amount(connector, pair, Decimal("0.123456789")) <= Decimal("0.123456789")


def test_unknown_connector_rules_name_the_file_and_fix(five_minute: pd.DataFrame) -> None:
    provider = _make_provider(five_minute)
    with pytest.raises(ConfigError) as caught:
        asyncio.run(provider.initialize_trading_rules("bybit"))
    assert "trading_rules.json" in caught.value.message and "binance, kucoin, okx" in caught.value.message
    assert caught.value.fix is not None and "--trading-rules" in caught.value.fix


def test_custom_rules_file_is_validated(five_minute: pd.DataFrame, tmp_path: Path) -> None:
    bad = tmp_path / "rules.json"
    bad.write_text('{"about": {}, "rules": {"x": {"A-B": {"min_order_size": "-1"}}}}')
    with pytest.raises(ConfigError, match="is invalid"):
        _make_provider(five_minute, rules_path=bad)


def test_never_builds_connectors_or_rate_tasks(five_minute: pd.DataFrame, no_network: list[Any]) -> None:
    provider = _make_provider(five_minute)

    async def exercise() -> None:
        provider.initialize_rate_sources([ConnectorPair(connector_name="binance", trading_pair="BTC-USDT")])
        await provider.initialize_trading_rules("binance")
        await provider.initialize_candles_feed(
            CandlesConfig(connector="binance", trading_pair="BTC-USDT", interval="1h")
        )
        await asyncio.sleep(0.05)  # a rate task, if one had been started, would run now

    asyncio.run(exercise())
    assert provider._rates_update_task is None
    assert provider.connectors == {}
    with pytest.raises(SimulationError, match="never instantiates connector"):
        provider.get_connector("binance")
    assert no_network == []  # the autouse socket guard recorded no connection or DNS attempt
