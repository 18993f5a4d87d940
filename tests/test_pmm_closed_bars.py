"""The PMM quotes from CLOSED candles only: a bar still forming in a live candles feed never moves a quote.

Real pieces: the PMM controller class, Hummingbot's live ``MarketDataProvider`` and its Binance candles
feed (never started: its deque is filled as its websocket handler fills it, the newest row being the
forming bar), the plugin's simulated exchange for the mid price, and real Binance 1m candles.
"""

from __future__ import annotations

import asyncio
import importlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hummingbot.data_feed.candles_feed.candles_factory import CandlesFactory
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.data_feed.market_data_provider import MarketDataProvider
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction
from risk_hb_factories import ensure_event_loop, make_exchange

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.hb.config_discovery import ensure_project_importable
from hummingbot_plugin.mm import pmm_logic

ensure_project_importable()
_pmm = importlib.import_module("controllers.market_making.pmm_forecast")

ONE_MINUTE = "binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv"
WINDOW = 20


class _LiveClockProvider(MarketDataProvider):  # type: ignore[misc]
    """Hummingbot's live provider with the trading clock driven by the test (live: the wall clock)."""

    now = 0.0

    def time(self) -> float:
        return self.now

    def initialize_rate_sources(self, connector_pairs: list[Any]) -> None:
        """Record the pairs without starting the rate task (it polls the exchange over the network)."""
        for pair in connector_pairs:
            self._rates_required.add_or_update(pair.connector_name, pair)


def _config() -> Any:
    return _pmm.PMMForecastConfig(
        id="pmm_closed",
        connector_name="binance",
        trading_pair="BTC-USDT",
        buy_spreads="0.002,0.004",
        sell_spreads="0.002,0.004",
        total_amount_quote=1000,
        volatility_window=WINDOW,
        candles_interval="1m",
    )


@pytest.fixture(scope="module")
def bars(shared_data_dir: Path) -> pd.DataFrame:
    """Real 1m bars; the last one is the bar that is still forming at the test's clock."""
    cfg = _config()
    return load_candles(shared_data_dir / ONE_MINUTE).iloc[: pmm_logic.candles_needed(cfg, None)].copy()


def _with_forming(bars: pd.DataFrame, close: float) -> pd.DataFrame:
    frame = bars.reset_index(drop=True).copy()
    last = frame.index[-1]
    frame.loc[last, "close"] = close
    frame.loc[last, "high"] = max(float(frame.loc[last, "open"]), close)
    frame.loc[last, "low"] = min(float(frame.loc[last, "open"]), close)
    return frame


def _controller(frame: pd.DataFrame, now: float) -> Any:
    cfg = _config()
    feed = CandlesFactory.get_candle(
        CandlesConfig(
            connector="binance",
            trading_pair="BTC-USDT",
            interval="1m",
            max_records=pmm_logic.candles_needed(cfg, None),
        )
    )
    for row in frame.itertuples(index=False):
        feed._candles.append([row.timestamp, row.open, row.high, row.low, row.close, row.volume, 0, 0, 0, 0])
    mid = Decimal(str(frame["close"].iloc[-2]))  # the venue trades at the last closed price
    provider = _LiveClockProvider(connectors={"binance": make_exchange(price=mid, now=now)})
    provider.candles_feeds["binance_BTC-USDT_1m"] = feed
    provider.now = now

    async def build() -> Any:
        return _pmm.PMMForecastController(cfg, market_data_provider=provider, actions_queue=asyncio.Queue())

    ensure_event_loop()
    return asyncio.get_event_loop().run_until_complete(build())


def _quotes(controller: Any) -> dict[str, tuple[Decimal, Decimal]]:
    asyncio.get_event_loop().run_until_complete(controller.update_processed_data())
    return {
        a.executor_config.level_id: (a.executor_config.price, a.executor_config.amount)
        for a in controller.determine_executor_actions()
        if isinstance(a, CreateExecutorAction)
    }


def test_a_forming_bar_never_moves_the_quotes(bars: pd.DataFrame) -> None:
    forming_open = float(bars["timestamp"].iloc[-1])
    now = forming_open + 30  # half way through the forming 1m bar
    real_close = float(bars["close"].iloc[-1])
    closes = [real_close, real_close * 0.5, real_close * 3.0]  # as it is, a crash, a spike
    quotes = []
    for close in closes:
        controller = _controller(_with_forming(bars, close), now)
        quotes.append(_quotes(controller))
        assert controller.processed_data["closed_bars"] == len(bars) - 1
        assert controller.processed_data["bar_timestamp"] == float(bars["timestamp"].iloc[-2])
    assert len(quotes[0]) == 4 and quotes[1] == quotes[0] and quotes[2] == quotes[0]
    # The same frame counted as finished (Hummingbot's backtesting convention) would have moved them.
    cfg = _config()
    counted = [
        pmm_logic.processed_data(_with_forming(bars, c), cfg, real_close, None)["spread_multiplier"]
        for c in closes
    ]
    assert counted[1] != counted[0] and counted[2] != counted[0]


def test_the_bar_counts_once_it_has_closed(bars: pd.DataFrame) -> None:
    crash = float(bars["close"].iloc[-1]) * 0.5
    frame = _with_forming(bars, crash)
    close_time = float(bars["timestamp"].iloc[-1]) + 60
    controller = _controller(frame, close_time - 1)
    asyncio.get_event_loop().run_until_complete(controller.update_processed_data())
    before = controller.processed_data["spread_multiplier"]
    controller.market_data_provider.now = close_time  # the crash bar is now final
    asyncio.get_event_loop().run_until_complete(controller.update_processed_data())
    after = controller.processed_data
    expected = pmm_logic.processed_data(frame, _config(), 1.0, None)["spread_multiplier"]
    assert after["closed_bars"] == len(bars) and after["spread_multiplier"] == expected != before
