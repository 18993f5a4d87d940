"""Paper mode of a V2 script: Hummingbot builds the simulated exchange under the REAL venue name.

``prepare_connectors`` (-> ``install_paper_mode(trading_core, settings, markets)``) runs in a script's
``init_markets`` (Hummingbot calls it in ``TradingCore.load_v2_class``, before ``initialize_markets``
creates any connector). From then on, the connector manager builds every connector named in ``markets`` (e.g.
``binance``) as a :class:`SimulatedExchange` named ``binance`` — so controller YAMLs run unchanged —
fed through :class:`OrderBookFeed` by the real venue's connector created with ``trading_required=False``
and blank default keys (public order books and trades; ``Security`` is never asked for a key).
Other names still go to Hummingbot's own factory. ``remove_paper_mode`` restores it.
With ``HBP_PAPER_FEED=recorded`` (``python -m hummingbot_plugin client --feed recorded``) the feed is the
recorded capture of the data directory instead, and no public connector is built
(simulation/paper/recorded_feed.py); with ``HBP_PAPER_FEED=candles`` (``--feed candles --start ...``) a
book synthesised from the candle files (simulation/paper/candle_feed.py).

Hummingbot's anonymized trade-volume metrics (on by default) would report a connector's fills under
its name: a paper venue named ``binance`` gets a no-op collector instead, so simulated fills are never
reported as Binance volume (TradingCore skips names that already have a collector). That collector is
never on the clock, so :func:`release_paper_metrics` must drop it before Hummingbot's ``stop`` removes
the connectors (the guarded script does it in ``on_stop``), else ``TradingCore.remove_connector``
fails on it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Set
from typing import Any

from hummingbot.client.settings import AllConnectorSettings
from hummingbot.connector.connector_metrics_collector import DummyMetricsCollector

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.risk.paper_guard import (
    PaperGuardError,
    in_simulation_run,
    is_simulated_connector,
    require_live_confirmation,
)
from hummingbot_plugin.simulation.engine.config import build_venue_config
from hummingbot_plugin.simulation.engine.paper import PaperTradingSettings
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange, session_order_seed
from hummingbot_plugin.simulation.paper.book_feed import OrderBookFeed
from hummingbot_plugin.simulation.paper.candle_feed import candle_path_feed
from hummingbot_plugin.simulation.paper.recorded_feed import recorded_books_feed, settings_from_env

__all__ = [
    "PaperConnectorFactory",
    "application_trading_core",
    "install_paper_mode",
    "paper_venue",
    "prepare_connectors",
    "public_book_source",
    "release_paper_metrics",
    "remove_paper_mode",
]


def public_book_source(exchange: str, trading_pairs: list[str]) -> Any:
    """Hummingbot's real connector of ``exchange`` for public data only: no keys, no trading."""
    setting = AllConnectorSettings.get_connector_settings().get(exchange)
    if setting is None or setting.uses_gateway_generic_connector():
        raise ConfigError(
            f"paper trading: {exchange!r} is not a Hummingbot exchange connector with public order books",
            fix="name a CEX connector such as binance, kucoin or okx in the controller config",
        )
    return setting.non_trading_connector_instance_with_default_configuration(trading_pairs=trading_pairs)


def paper_venue(name: str, trading_pairs: list[str], settings: PaperTradingSettings) -> SimulatedExchange:
    """The simulated exchange ``name`` quoting off the public books of the real venue ``name`` (or off
    its recorded capture / candles when ``HBP_PAPER_FEED`` is ``recorded`` / ``candles``). Order ids are
    seeded per session: the client folder's SQLite keeps every earlier session's ids."""
    config = build_venue_config(name, trading_pairs, settings.venue_fields(), {})
    exchange = SimulatedExchange(config, order_id_seed=session_order_seed())
    recorded = settings_from_env(os.environ)
    if recorded is not None and recorded.source == "candles":
        exchange.attach_feed(candle_path_feed(name, recorded))
        return exchange
    if recorded is not None:
        exchange.attach_feed(recorded_books_feed(name, trading_pairs, recorded, settings.book_depth))
        return exchange
    source = public_book_source(name, trading_pairs)  # looked up at call time (tests replace the network)
    exchange.attach_feed(OrderBookFeed(lambda: source.order_books, depth=settings.book_depth, source=source))
    return exchange


class PaperConnectorFactory:
    """Stands in for ``ConnectorManager.create_connector``: names in ``markets`` become paper venues."""

    def __init__(
        self,
        manager: Any,
        original: Any,
        settings: PaperTradingSettings,
        markets: Mapping[str, Set[str]],
        metrics_collectors: dict[str, Any] | None = None,
    ) -> None:
        self.manager = manager
        self.original = original  # Hummingbot's own create_connector (bound method)
        self.settings = settings
        self.markets = {name: set(pairs) for name, pairs in markets.items()}
        self.metrics_collectors = metrics_collectors  # TradingCore's per-connector volume reporters
        self._no_op_collectors: dict[str, DummyMetricsCollector] = {}

    def __call__(
        self,
        connector_name: str,
        trading_pairs: list[str],
        trading_required: bool = True,
        api_keys: dict[str, str] | None = None,
    ) -> Any:
        if connector_name not in self.markets:
            return self.original(connector_name, trading_pairs, trading_required, api_keys)
        existing = self.manager.connectors.get(connector_name)
        if existing is not None:
            if not is_simulated_connector(existing):
                raise PaperGuardError(
                    f"paper mode: a real {connector_name} connector already exists in this session",
                    fix="restart Hummingbot before switching a live session to paper trading",
                )
            return existing
        exchange = paper_venue(connector_name, sorted(set(trading_pairs)), self.settings)
        self.manager.connectors[connector_name] = exchange
        if self.metrics_collectors is not None:
            collector = self._no_op_collectors[connector_name] = DummyMetricsCollector()
            self.metrics_collectors[connector_name] = collector
        _register_with_rate_oracle(exchange)
        return exchange

    def release_metrics(self) -> None:
        """Drop the no-op collectors this factory put into TradingCore's map (see the module doc)."""
        if self.metrics_collectors is None:
            return
        for name, collector in self._no_op_collectors.items():
            if self.metrics_collectors.get(name) is collector:
                del self.metrics_collectors[name]
        self._no_op_collectors.clear()


def _register_with_rate_oracle(exchange: SimulatedExchange) -> None:
    """As Hummingbot's factory does: the oracle may price conversions from this venue's books."""
    from hummingbot.core.rate_oracle.rate_oracle import RateOracle

    RateOracle.get_instance().register_connector(exchange)


def install_paper_mode(
    trading_core: Any, settings: PaperTradingSettings, markets: Mapping[str, Set[str]]
) -> PaperConnectorFactory:
    """Make the core's connector manager build the connectors of ``markets`` as paper venues (replaces
    an earlier install)."""
    manager = trading_core.connector_manager
    remove_paper_mode(manager)
    collectors = getattr(trading_core, "_metrics_collectors", None)  # TradingCore's own (private) map
    factory = PaperConnectorFactory(manager, manager.create_connector, settings, markets, collectors)
    manager.create_connector = factory
    return factory


def remove_paper_mode(manager: Any) -> None:
    """Give ``manager`` back Hummingbot's own ``create_connector`` (no-op when paper mode is off)."""
    current = getattr(manager, "create_connector", None)
    if isinstance(current, PaperConnectorFactory):
        manager.create_connector = current.original


def release_paper_metrics(trading_core: Any | None) -> None:
    """Call before Hummingbot's ``stop`` removes connectors; no-op when paper mode is not installed."""
    factory = getattr(getattr(trading_core, "connector_manager", None), "create_connector", None)
    if isinstance(factory, PaperConnectorFactory):
        factory.release_metrics()


def application_trading_core() -> Any | None:
    """The TradingCore of the running Hummingbot application (the one ``start`` uses), if any."""
    from hummingbot.client.hummingbot_application import HummingbotApplication

    core = getattr(HummingbotApplication._main_app, "trading_core", None)
    return core if getattr(core, "connector_manager", None) is not None else None


def prepare_connectors(
    paper: PaperTradingSettings | None,
    live_trading: bool,
    markets: Mapping[str, Set[str]],
    environ: Mapping[str, str],
) -> None:
    """A guarded script's ``init_markets`` decision, before Hummingbot creates any connector.

    Replay (``simulation_run``): nothing, the runner builds its own simulated exchanges. Paper: install
    the paper venues on the running application. Otherwise: drop an earlier paper install and require
    the double live confirmation (``<venue>_sim`` names excepted).
    """
    if in_simulation_run():
        return
    names = sorted(markets)
    core = application_trading_core()
    if paper is not None:
        if core is None:
            raise PaperGuardError(
                f"paper mode: no running Hummingbot application to build simulated {', '.join(names)}",
                fix="start the script from Hummingbot (start --v2 <file>.yml) or replay it offline",
            )
        install_paper_mode(core, paper, markets)
        return
    if core is not None:
        remove_paper_mode(core.connector_manager)  # an earlier paper start in this session must not leak
    if not all(name.endswith("_sim") for name in names):
        require_live_confirmation(live_trading, environ, names)
