"""Every process-wide change the plugin makes to Hummingbot, in one module.

No other module assigns a Hummingbot attribute (``tests/test_hb_patches.py`` fails if one does, and pins
the upstream shape each function below relies on). Callers:

* the client process (:mod:`hummingbot_plugin.hb.client_boot`): :func:`set_root`;
* a recorded-feed client process (:mod:`hummingbot_plugin.simulation.paper.client_boot`): the candle
  connectors, the rate oracle, the non-trading connectors and the pair fetcher served offline;
* replays and simulated sessions (:mod:`hummingbot_plugin.simulation.exchange.runtime`): config folders,
  a headless application, the strategy's data provider (restored on exit);
* headless bridge tools and tests (:mod:`hummingbot_plugin.hb.bridge_runtime`): the MQTT gateway.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = [
    "forget_mqtt_gateway",
    "serve_candles_with",
    "set_config_folders",
    "set_main_app",
    "set_non_trading_connector_factory",
    "set_rate_oracle",
    "set_root",
    "set_trading_pair_fetch",
    "strategy_data_provider",
]


def set_root(root: Path) -> None:
    """``hummingbot.root_path()`` and ``prefix_path()`` return ``root`` (upstream has no setter for the
    first; ``set_prefix_path`` is its own). Must run before any ``hummingbot.client`` import."""
    import hummingbot

    resolved = root.resolve()
    hummingbot.root_path = lambda: resolved
    hummingbot.set_prefix_path(str(resolved))


def set_config_folders(controllers: Path, scripts: Path) -> None:
    """Where Hummingbot reads controller and script configs (it defaults to its install folder)."""
    from hummingbot.client import settings as hb_settings

    hb_settings.CONTROLLERS_CONF_DIR_PATH = controllers
    hb_settings.SCRIPT_STRATEGY_CONF_DIR_PATH = scripts


def set_main_app(app: Any) -> None:
    """Hummingbot's process-wide application object (``None`` removes it)."""
    from hummingbot.client.hummingbot_application import HummingbotApplication

    HummingbotApplication._main_app = app


@contextlib.contextmanager
def strategy_data_provider(factory: Callable[..., Any]) -> Iterator[None]:
    """``StrategyV2Base.__init__`` builds ``MarketDataProvider(connectors)`` through its module-level
    name: ``factory`` builds it instead, until the block exits."""
    from hummingbot.strategy import strategy_v2_base

    original = strategy_v2_base.MarketDataProvider
    strategy_v2_base.MarketDataProvider = factory
    try:
        yield
    finally:
        strategy_v2_base.MarketDataProvider = original


def forget_mqtt_gateway() -> None:
    """Clear Hummingbot's process-wide MQTT gateway reference after a bridge stopped."""
    from hummingbot.remote_iface.mqtt import MQTTGateway

    MQTTGateway._instance = None


def serve_candles_with(make_class: Callable[[str], type]) -> int:
    """Every candle connector of ``CandlesFactory`` built from ``make_class(name)``; returns how many."""
    from hummingbot.data_feed.candles_feed.candles_factory import CandlesFactory

    names = list(CandlesFactory._candles_map)
    for name in names:
        CandlesFactory._candles_map[name] = make_class(name)
    return len(names)


def set_rate_oracle(oracle: Any) -> None:
    """The instance ``RateOracle.get_instance()`` returns."""
    from hummingbot.core.rate_oracle.rate_oracle import RateOracle

    RateOracle._shared_instance = oracle


def set_non_trading_connector_factory(factory: Callable[[Any, str], Any]) -> None:
    """What ``MarketDataProvider`` builds for a connector it only reads prices from."""
    from hummingbot.data_feed.market_data_provider import MarketDataProvider

    MarketDataProvider._create_non_trading_connector = factory


def set_trading_pair_fetch(fetch_all: Callable[[Any, Any], Any]) -> None:
    """``TradingPairFetcher.fetch_all`` (a coroutine function of ``self, client_config_map``)."""
    from hummingbot.core.utils.trading_pair_fetcher import TradingPairFetcher

    TradingPairFetcher.fetch_all = fetch_all
