"""Every process-wide change the plugin makes to Hummingbot, listed, and the upstream shape it relies on.

A new assignment to a Hummingbot attribute anywhere in the plugin fails the inventory test until it is
listed here with the reason; an upstream rename or signature change fails the pin tests, before a replay
silently stops using the patched object.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
from pathlib import Path

from hummingbot.client import settings as hb_settings
from hummingbot.client.hummingbot_application import HummingbotApplication
from hummingbot.core.rate_oracle.rate_oracle import RateOracle
from hummingbot.core.utils.trading_pair_fetcher import TradingPairFetcher
from hummingbot.data_feed.candles_feed.candles_factory import CandlesFactory
from hummingbot.data_feed.market_data_provider import MarketDataProvider
from hummingbot.strategy import strategy_v2_base

from hummingbot_plugin.settings import PROJECT_ROOT

# The one module allowed to change Hummingbot for a process, and what it assigns (why: see its functions).
PATCHES = {
    "hummingbot_plugin/hb/patches.py": {
        "hummingbot.root_path",  # the client process: the prepared root
        "hb_settings.CONTROLLERS_CONF_DIR_PATH",  # replays: the project's config folders
        "hb_settings.SCRIPT_STRATEGY_CONF_DIR_PATH",
        "HummingbotApplication._main_app",  # replays: a headless application
        "strategy_v2_base.MarketDataProvider",  # replays: the replay's data provider (restored)
        "MQTTGateway._instance",  # forget a stopped bridge
        "CandlesFactory._candles_map[]",  # recorded feed: candles from files
        "RateOracle._shared_instance",  # recorded feed: rates from the paper venues
        "MarketDataProvider._create_non_trading_connector",  # recorded feed: prices from the paper venues
        "TradingPairFetcher.fetch_all",  # recorded feed: pairs of the captures
    },
}


def _hummingbot_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "hummingbot":
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            hb = [a for a in node.names if a.name.split(".")[0] == "hummingbot"]
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
            suffix = ""
            if isinstance(t, ast.Subscript):  # X.attr[key] = ... changes X.attr for the process too
                t, suffix = t.value, "[]"
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id in names:
                found.add(f"{t.value.id}.{t.attr}{suffix}")
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
    candles = vars(CandlesFactory)["_candles_map"]
    assert isinstance(candles, dict) and candles and all(isinstance(c, type) for c in candles.values())
    assert "cls._candles_map.get(candles_config.connector)" in inspect.getsource(CandlesFactory.get_candle)


def test_root_path_patch_matches_upstream() -> None:
    """set_root replaces hummingbot.root_path(): fail loudly if upstream's function changes."""
    import hummingbot

    source = inspect.getsource(hummingbot.root_path)
    signature = inspect.signature(hummingbot.root_path)
    assert not signature.parameters and signature.return_annotation in (Path, "Path"), signature
    assert 'realpath(join(__file__, "../../"))' in source, source
    assert callable(hummingbot.set_prefix_path)


def test_the_strategy_data_provider_is_restored_after_the_block() -> None:
    from hummingbot_plugin.hb.patches import strategy_data_provider

    def factory(*_: object) -> str:
        return "replay provider"

    with strategy_data_provider(factory):
        assert strategy_v2_base.MarketDataProvider is factory
    assert strategy_v2_base.MarketDataProvider is MarketDataProvider
    with contextlib.suppress(RuntimeError), strategy_data_provider(factory):
        raise RuntimeError("a replay that fails")
    assert strategy_v2_base.MarketDataProvider is MarketDataProvider


def test_the_mqtt_gateway_singleton_is_where_the_bridge_clears_it() -> None:
    from hummingbot.remote_iface.mqtt import MQTTGateway

    assert "_instance" in vars(MQTTGateway)
