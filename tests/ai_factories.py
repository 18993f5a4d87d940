"""Factories for the AI controller tests: real data, real models, real Hummingbot classes.

The controller runs on the replay market-data provider (a real ``MarketDataProvider`` subclass serving
only closed bars of a local candle frame) whose clock the test drives; venues are the plugin's simulated
exchange. Nothing is mocked.
"""

from __future__ import annotations

import asyncio
import importlib
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
from risk_hb_factories import Clock, make_exchange

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.hb.config_discovery import ensure_project_importable
from hummingbot_plugin.mqtt import ControlChannelSettings
from hummingbot_plugin.settings import data_file, models_dir
from hummingbot_plugin.simulation.engine.candle_store import CandleStore
from hummingbot_plugin.simulation.exchange.market_data import ReplayMarketDataProvider

ensure_project_importable()
ai_module = importlib.import_module("controllers.directional_trading.ai_livestream")
AiLivestreamConfig = ai_module.AiLivestreamConfig
AiLivestreamController = ai_module.AiLivestreamController

__all__ = [
    "BTC_MODEL",
    "HOUR",
    "AiLivestreamConfig",
    "AiLivestreamController",
    "Clock",
    "copy_model",
    "make_config",
    "make_controller",
    "real_candles",
    "tick",
]

BTC_MODEL = "btc_usdt_1h_oos2023"
HOUR = 3600.0
VENUE = "binance"
PAIR = "BTC-USDT"


@lru_cache(maxsize=4)
def _cached_candles(start: str, end: str) -> pd.DataFrame:
    return load_candles(data_file("binance_BTC-USDT_1h.csv"), start=start, end=end)


def real_candles(start: str = "2022-11-01", end: str = "2023-01-20") -> pd.DataFrame:
    """Real Binance BTC-USDT 1h bars (a copy: tests may edit it)."""
    return _cached_candles(start, end).copy()


def copy_model(tmp_path: Path, name: str = BTC_MODEL) -> Path:
    target = tmp_path / name
    shutil.copytree(models_dir() / name, target)
    return target


def make_config(**overrides: Any) -> Any:
    values: dict[str, Any] = {
        "id": "ai-test",
        "connector_name": VENUE,
        "trading_pair": PAIR,
        "model_dir": BTC_MODEL,
        "total_amount_quote": 1000,
        "long_threshold": 0.35,
        "cooldown_time": 60,
        "max_executors_per_side": 1,
        "mqtt": ControlChannelSettings(replay_state_dir=None),
    }
    values.update(overrides)
    return AiLivestreamConfig(**values)


def make_controller(config: Any, candles: pd.DataFrame, clock: Clock, *, with_exchange: bool = False) -> Any:
    _loop()
    store = CandleStore()
    store.add(VENUE, PAIR, candles, "1h")
    connectors: dict[str, Any] = {VENUE: make_exchange(now=clock.now)} if with_exchange else {}
    provider = ReplayMarketDataProvider(connectors, candles=store, now=clock)
    return AiLivestreamController(config, provider, asyncio.Queue())


def _loop() -> asyncio.AbstractEventLoop:
    """The thread's current event loop (created once): Hummingbot objects bind to it at construction."""
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_closed():
            return loop
    except RuntimeError:
        pass
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


def tick(controller: Any) -> None:
    """One controller tick (``update_processed_data``) on the current event loop."""
    _loop().run_until_complete(controller.update_processed_data())
