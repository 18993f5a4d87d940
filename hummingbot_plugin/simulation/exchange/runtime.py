"""Headless pieces of Hummingbot's runtime for a replay: script loading, recorder, application, MDP.

These mirror what ``start --v2 <conf>.yml`` does through TradingCore (load the script module, build
its config from YAML, ``init_markets``, a MarketsRecorder on SQLite, then the strategy), minus the
parts that need a network or a terminal: no gateway monitor, no UI, no MQTT bridge.
"""

from __future__ import annotations

import collections
import contextlib
import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hummingbot.client import settings as hb_settings
from hummingbot.client.config.client_config_map import ClientConfigMap
from hummingbot.client.config.config_data_types import BaseClientModel
from hummingbot.client.config.config_helpers import ClientConfigAdapter
from hummingbot.connector.connector_base import ConnectorBase
from hummingbot.connector.markets_recorder import MarketsRecorder
from hummingbot.model.sql_connection_manager import SQLConnectionManager, SQLConnectionType
from hummingbot.strategy.strategy_v2_base import StrategyV2Base, StrategyV2ConfigBase

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.patches import set_config_folders, set_main_app, strategy_data_provider
from hummingbot_plugin.risk.paper_guard import simulation_run
from hummingbot_plugin.settings import PROJECT_ROOT

__all__ = [
    "ScriptBundle",
    "headless_application",
    "load_script",
    "markets_recorder",
    "patched_data_provider",
    "rate_oracle_connectors",
    "use_project_paths",
]


@dataclass(frozen=True)
class ScriptBundle:
    """A loaded V2 script: its class, its validated config, and the markets it trades."""

    strategy_class: type[StrategyV2Base]
    config: StrategyV2ConfigBase
    markets: dict[str, set[str]]
    config_path: Path


def use_project_paths() -> None:
    """Make Hummingbot find our scripts/, controllers/ and conf/ (it defaults to its install dir)."""
    set_config_folders(PROJECT_ROOT / "conf" / "controllers", PROJECT_ROOT / "conf" / "scripts")
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))


def load_script(config_path: Path) -> ScriptBundle:
    """Load ``scripts/<script_file_name>`` and its config class exactly like TradingCore.load_v2_class."""
    path = config_path if config_path.is_file() else PROJECT_ROOT / "conf" / "scripts" / config_path
    if not path.is_file():
        raise ConfigError(f"script config {config_path} not found", fix="pass conf/scripts/<file>.yml")
    data = yaml.safe_load(path.read_text()) or {}
    script_file = str(data.get("script_file_name") or "")
    if not script_file:
        raise ConfigError(f"{path}: 'script_file_name' is missing", fix="add script_file_name: <script>.py")
    module = importlib.import_module(
        f"{hb_settings.SCRIPT_STRATEGIES_MODULE}.{script_file.removesuffix('.py')}"
    )
    members = [m for _, m in inspect.getmembers(module, inspect.isclass)]
    strategy_class: Any = next(
        (m for m in members if issubclass(m, StrategyV2Base) and m is not StrategyV2Base), None
    )
    config_class = next(
        (
            m
            for m in members
            if issubclass(m, BaseClientModel) and m not in (BaseClientModel, StrategyV2ConfigBase)
        ),
        None,
    )
    if strategy_class is None or config_class is None:
        raise ConfigError(
            f"scripts/{script_file} has no StrategyV2Base subclass or no config class",
            fix="point script_file_name at a V2 script (e.g. v2_plugin_controllers.py)",
        )
    try:
        config = config_class(**data)
    except Exception as exc:  # pydantic ValidationError or a controller config that fails to load
        raise ConfigError(
            f"{path}: invalid script config: {exc}", fix="correct the YAML fields named above"
        ) from exc
    with simulation_run():  # the runner, not Hummingbot, builds the (simulated) connectors: see paper_guard
        strategy_class.init_markets(config)
    markets = {name: set(pairs) for name, pairs in strategy_class.markets.items()}
    if not markets:
        raise ConfigError(
            f"{path}: the script trades no market", fix="list controller configs in controllers_config"
        )
    return ScriptBundle(strategy_class, config, markets, path)


def markets_recorder(db_path: Path, connectors: list[ConnectorBase], name: str) -> MarketsRecorder:
    """A real MarketsRecorder on its own SQLite file (orders, fills, executors, positions)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    client_config = ClientConfigAdapter(ClientConfigMap())
    sql = SQLConnectionManager(client_config, SQLConnectionType.TRADE_FILLS, db_path=str(db_path))
    recorder = MarketsRecorder(sql, connectors, name, name, client_config.market_data_collection)
    recorder.start()
    return recorder


@contextlib.contextmanager
def headless_application() -> Iterator[None]:
    """StrategyV2Base.start asks the main application whether MQTT is on. A replay has no application
    (no UI, no gateway monitor, no MQTT bridge), so an application object with only ``_mqtt = None``
    stands in for the duration of the replay and is removed afterwards."""
    from hummingbot.client.hummingbot_application import HummingbotApplication

    installed = HummingbotApplication._main_app is None
    if installed:
        app = HummingbotApplication.__new__(HummingbotApplication)
        app._mqtt = None
        app._app_warnings = collections.deque()  # logger.network() files warnings on the application
        set_main_app(app)
    try:
        yield
    finally:
        if installed:
            set_main_app(None)


@contextlib.contextmanager
def patched_data_provider(factory: Callable[..., Any]) -> Iterator[None]:
    """StrategyV2Base.__init__ builds ``MarketDataProvider(connectors)`` itself; swap in the replay's."""
    with strategy_data_provider(factory):
        yield


@contextlib.contextmanager
def rate_oracle_connectors(connectors: list[ConnectorBase]) -> Iterator[None]:
    """Let Hummingbot's RateOracle price conversions (e.g. fees in base) from the simulated books,
    through its own ``register_connector`` fallback, instead of its network rate source."""
    from hummingbot.core.rate_oracle.rate_oracle import RateOracle

    oracle = RateOracle.get_instance()
    for connector in connectors:
        oracle.register_connector(connector)
    try:
        yield
    finally:
        for connector in connectors:
            oracle.unregister_connector(connector.name)
