"""The baseline trend signal (pure) and its thin Hummingbot controller."""

from __future__ import annotations

import asyncio
import importlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hummingbot.core.data_type.common import TradeType
from hummingbot.data_feed.candles_feed.candles_factory import CandlesFactory
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.data_feed.market_data_provider import MarketDataProvider
from hummingbot.strategy_v2.models.executor_actions import StopExecutorAction
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hummingbot_plugin.baseline.trend_signal import TrendParams, check_short_allowed, trend_features
from hummingbot_plugin.data import load_candles
from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.config_discovery import ensure_project_importable
from hummingbot_plugin.simulation.backtest.offline_provider import OfflineDataProvider

ensure_project_importable()
_module = importlib.import_module("controllers.directional_trading.baseline_trend")
BaselineTrendConfig = _module.BaselineTrendConfig
BaselineTrendController = _module.BaselineTrendController


def _make_config(**overrides: Any) -> Any:
    values: dict[str, Any] = {
        "id": "t",
        "connector_name": "binance",
        "trading_pair": "BTC-USDT",
        "fast_window": 3,
        "slow_window": 6,
    }
    values.update(overrides)
    return BaselineTrendConfig(**values)


def _candles(closes: list[float] | np.ndarray) -> pd.DataFrame:
    close = np.asarray(closes, dtype=float)
    return pd.DataFrame(
        {
            "timestamp": 1_672_531_200.0 + 3600 * np.arange(close.size),
            "open": close,
            "high": close,
            "low": close,
            "close": close,
            "volume": 1.0,
        }
    )


def test_signal_is_long_while_fast_above_slow() -> None:
    closes = [10, 10, 10, 10, 10, 10, 11, 12, 13, 9, 8, 7, 6]
    features = trend_features(_candles(closes), TrendParams(2, 4))
    assert features["signal"].tolist() == [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]
    assert np.isnan(features["slow_sma"].iloc[2]) and features["slow_sma"].iloc[3] == 10.0


def test_short_signal_only_when_allowed() -> None:
    closes = list(range(20, 0, -1))
    assert set(trend_features(_candles(closes), TrendParams(2, 4))["signal"]) == {0}
    assert trend_features(_candles(closes), TrendParams(2, 4, allow_short=True))["signal"].iloc[-1] == -1


@settings(max_examples=30, deadline=None)
@given(
    steps=st.lists(st.floats(-0.05, 0.05), min_size=30, max_size=120),
    cut=st.integers(10, 29),
    fast=st.integers(1, 5),
    extra=st.integers(1, 10),
)
def test_prefix_features_equal_full_history(steps: list[float], cut: int, fast: int, extra: int) -> None:
    """No look-ahead: features on a prefix are bit-identical to the same rows on the full history."""
    candles = _candles(100 * np.cumprod(1 + np.asarray(steps)))
    params = TrendParams(fast, fast + extra)
    full = trend_features(candles, params)
    prefix = trend_features(candles.iloc[:cut], params)
    pd.testing.assert_frame_equal(prefix, full.iloc[:cut])


def test_features_do_not_depend_on_history_length(shared_data_dir: Path) -> None:
    candles = load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2022-06-01", end="2023-01-31")
    params = TrendParams(50, 200)
    long_history = trend_features(candles, params).iloc[-500:].reset_index(drop=True)
    short_history = trend_features(candles.iloc[-700:], params).iloc[-500:].reset_index(drop=True)
    pd.testing.assert_frame_equal(long_history, short_history)


@pytest.mark.parametrize(("fast", "slow"), [(5, 5), (0, 4), (10, 3)])
def test_bad_windows_are_config_errors(fast: int, slow: int) -> None:
    with pytest.raises(ConfigError, match="fast_window"):
        TrendParams(fast, slow)


def test_spot_connector_cannot_short() -> None:
    with pytest.raises(ConfigError, match="spot connector"):
        check_short_allowed("binance", True)
    check_short_allowed("binance_perpetual", True)


@pytest.mark.parametrize("missing", ["connector_name", "trading_pair"])
def test_venue_and_pair_are_required(missing: str) -> None:
    values = {"id": "t", "connector_name": "binance", "trading_pair": "BTC-USDT"}
    del values[missing]
    with pytest.raises(ValidationError, match=missing):
        BaselineTrendConfig(**values)


def test_config_defaults_and_updatable_decisions() -> None:
    config = _make_config()
    assert config.leverage == 1 and config.allow_short is False and config.max_executors_per_side == 1
    own_fields = set(BaselineTrendConfig.model_fields) - {
        "id",
        "controller_name",
        "controller_type",
        "manual_kill_switch",
        "initial_positions",
        "total_amount_quote",
    }
    for name in own_fields:
        extra = BaselineTrendConfig.model_fields[name].json_schema_extra
        assert isinstance(extra, dict) and "is_updatable" in extra and "prompt" in extra, name
    updatable = {
        n for n in own_fields if BaselineTrendConfig.model_fields[n].json_schema_extra["is_updatable"]
    }
    assert {"connector_name", "trading_pair", "leverage", "fast_window"}.isdisjoint(updatable)
    assert {"stop_loss", "cooldown_time"} <= updatable


@pytest.mark.parametrize(
    ("field", "value"), [("allow_short", True), ("interval", "7m"), ("trading_pair", "btc")]
)
def test_invalid_config_values(field: str, value: Any) -> None:
    with pytest.raises(ValidationError, match=field if field != "allow_short" else "spot connector"):
        _make_config(**{field: value})


def _make_controller(closes: np.ndarray) -> Any:
    candles = _candles(closes)
    provider = OfflineDataProvider(candles, "1h")
    provider.update_backtesting_time(int(candles["timestamp"].iloc[0]), int(candles["timestamp"].iloc[-1]))

    async def build() -> Any:
        return BaselineTrendController(_make_config(), market_data_provider=provider, actions_queue=None)

    return asyncio.run(build())


def test_controller_features_hold_the_full_history() -> None:
    closes = np.r_[np.full(10, 100.0), np.linspace(100, 130, 20)]
    controller = _make_controller(closes)
    asyncio.run(controller.update_processed_data())  # clock at the first bar's open: nothing closed yet
    assert len(controller.processed_data["features"]) == closes.size
    assert controller.processed_data["signal"] == 0
    assert "waiting for a closed candle" in controller.to_format_status()[0]
    controller.market_data_provider._time = 1_672_531_200.0 + 3600 * closes.size  # as the engine steps it
    asyncio.run(controller.update_processed_data())
    assert len(controller.processed_data["features"]) == closes.size
    assert controller.processed_data["signal"] == 1
    assert "signal=1" in controller.to_format_status()[0]


class _LiveClockProvider(MarketDataProvider):  # type: ignore[misc]
    """Hummingbot's live MarketDataProvider with the trading clock driven by the test (live: wall clock)."""

    now = 0.0

    def time(self) -> float:
        return self.now


def _live_controller(closes: np.ndarray, forming_close: float) -> Any:
    """Controller on a live provider whose Binance candles feed holds ``closes`` + one bar still forming.

    The feed is Hummingbot's real BinanceSpotCandles, never started (no exchange network here): its
    deque is filled the way its websocket handler fills it, the last row being updated in place.
    """
    config = _make_config()
    candles_config = CandlesConfig(
        connector="binance", trading_pair="BTC-USDT", interval="1h", max_records=config.slow_window + 10
    )
    feed = CandlesFactory.get_candle(candles_config)
    frame = _candles(np.r_[closes, forming_close])
    for row in frame.itertuples(index=False):
        feed._candles.append([row.timestamp, row.open, row.high, row.low, row.close, row.volume, 0, 0, 0, 0])
    provider = _LiveClockProvider(connectors={})
    provider.candles_feeds["binance_BTC-USDT_1h"] = feed
    provider.now = float(frame["timestamp"].iloc[-1]) + 1800  # half way through the forming bar

    async def build() -> Any:
        return BaselineTrendController(config, market_data_provider=provider, actions_queue=None)

    return asyncio.run(build())


@pytest.mark.parametrize(
    ("closes", "forming_closes"),
    [
        (np.linspace(100, 110, 12), [110.0, 1.0, 50.0]),  # up-trend: a crash in the forming bar must not exit
        (np.linspace(110, 100, 12), [100.0, 500.0, 1e4]),  # down-trend: a spike in it must not enter
    ],
)
def test_unfinished_last_bar_does_not_change_the_live_signal(
    closes: np.ndarray, forming_closes: list[float]
) -> None:
    expected = int(trend_features(_candles(closes), _make_config().trend_params)["signal"].iloc[-1])
    signals, full_frame_signals = [], []
    for forming in forming_closes:
        controller = _live_controller(closes, forming)
        asyncio.run(controller.update_processed_data())
        signals.append(controller.processed_data["signal"])
        full_frame_signals.append(int(controller.processed_data["features"]["signal"].iloc[-1]))
    assert signals == [expected] * len(forming_closes)
    assert set(full_frame_signals) == {0, 1}  # the forming bar alone would have flipped the signal
    controller.market_data_provider.now += 1800  # the bar closes: now it counts
    asyncio.run(controller.update_processed_data())
    assert controller.processed_data["signal"] == full_frame_signals[-1]


def test_controller_stops_longs_when_trend_ends() -> None:
    controller = _make_controller(np.linspace(100, 130, 30))
    long_executor = type("Info", (), {"is_active": True, "side": TradeType.BUY, "id": "x1"})()
    controller.executors_info = [long_executor]
    controller.processed_data = {"signal": 0}
    actions = controller.stop_actions_proposal()
    assert [(type(a), a.executor_id) for a in actions] == [(StopExecutorAction, "x1")]
    controller.processed_data = {"signal": 1}
    assert controller.stop_actions_proposal() == []
    assert controller.config.stop_loss == Decimal("0.05")
