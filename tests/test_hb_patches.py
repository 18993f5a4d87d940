"""Every process-wide change the plugin makes to Hummingbot, listed, and the upstream shape it relies on.

A new assignment to a Hummingbot attribute anywhere in the plugin fails the inventory test until it is
listed here with the reason; an upstream rename or signature change fails the pin tests, before a replay
silently stops using the patched object.
"""

from __future__ import annotations

import ast
import inspect

from hummingbot.client import settings as hb_settings
from hummingbot.client.hummingbot_application import HummingbotApplication
from hummingbot.core.rate_oracle.rate_oracle import RateOracle
from hummingbot.core.utils.trading_pair_fetcher import TradingPairFetcher
from hummingbot.data_feed.market_data_provider import MarketDataProvider
from hummingbot.strategy import strategy_v2_base

from hummingbot_plugin.settings import PROJECT_ROOT

# module -> Hummingbot attributes it assigns (why: see the module).
PATCHES = {
    "hummingbot_plugin/hb/bridge_runtime.py": {"MQTTGateway._instance"},  # forget a stopped bridge
    "hummingbot_plugin/hb/sim/recorded_offline.py": {  # offline client: recorded rates, venues, pairs
        "RateOracle._shared_instance",
        "MarketDataProvider._create_non_trading_connector",
        "TradingPairFetcher.fetch_all",
    },
    "hummingbot_plugin/hb/sim/runtime.py": {  # replays: config folders, headless app, data provider
        "hb_settings.CONTROLLERS_CONF_DIR_PATH",
        "hb_settings.SCRIPT_STRATEGY_CONF_DIR_PATH",
        "HummingbotApplication._main_app",
        "strategy_v2_base.MarketDataProvider",
    },
}


def _hummingbot_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "hummingbot":
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            hb = [a for a in node.names if a.name.startswith("hummingbot.")]
            names |= {a.asname or a.name.split(".")[0] for a in hb}
    return names


def _assigned_attributes(tree: ast.Module, names: set[str]) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        else:
            continue
        for t in targets:
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in names:
                found.add(f"{t.value.id}.{t.attr}")
    return found


def test_every_patch_of_hummingbot_is_listed() -> None:
    found: dict[str, set[str]] = {}
    for root in ("hummingbot_plugin", "scripts", "controllers"):
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assigned = _assigned_attributes(tree, _hummingbot_names(tree))
            if assigned:
                found[str(path.relative_to(PROJECT_ROOT))] = assigned
    assert found == PATCHES


def test_the_patched_upstream_objects_keep_their_shape() -> None:
    # StrategyV2Base builds its provider through the module-level name the replay swaps.
    assert strategy_v2_base.MarketDataProvider is MarketDataProvider
    assert "MarketDataProvider(" in inspect.getsource(strategy_v2_base.StrategyV2Base.__init__)
    params = list(inspect.signature(MarketDataProvider._create_non_trading_connector).parameters)
    assert params == ["self", "connector_name"]
    assert "_shared_instance" in vars(RateOracle)
    assert "_shared_instance" in inspect.getsource(RateOracle.get_instance)
    assert "_main_app" in vars(HummingbotApplication)
    assert inspect.iscoroutinefunction(TradingPairFetcher.fetch_all)
    assert list(inspect.signature(TradingPairFetcher.fetch_all).parameters) == ["self", "client_config_map"]
    for name in ("CONTROLLERS_CONF_DIR_PATH", "SCRIPT_STRATEGY_CONF_DIR_PATH", "CONTROLLERS_MODULE"):
        assert hasattr(hb_settings, name), name


def test_the_mqtt_gateway_singleton_is_where_the_bridge_clears_it() -> None:
    from hummingbot.remote_iface.mqtt import MQTTGateway

    assert "_instance" in vars(MQTTGateway)
