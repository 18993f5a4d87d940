"""Paper mode of a V2 script: Hummingbot builds the simulated exchange under the REAL venue name.

``install_paper_mode(connector_manager, settings, markets)`` is called from a script's ``init_markets``
(Hummingbot calls it in ``TradingCore.load_v2_class``, before ``initialize_markets`` creates any
connector). From then on, the connector manager builds every connector named in ``markets`` (e.g.
``binance``) as a :class:`SimulatedExchange` named ``binance`` — so controller YAMLs run unchanged —
fed through :class:`OrderBookFeed` by the real venue's connector created with ``trading_required=False``
and blank default keys (public order books and trades; ``Security`` is never asked for a key).
Other names still go to Hummingbot's own factory. ``remove_paper_mode`` restores it.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from typing import Any

from hummingbot.client.settings import AllConnectorSettings

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.sim.exchange import SimulatedExchange
from hummingbot_plugin.hb.sim.live import OrderBookFeed
from hummingbot_plugin.risk.paper_guard import PaperGuardError
from hummingbot_plugin.sim import is_simulated_connector
from hummingbot_plugin.sim.config import build_venue_config
from hummingbot_plugin.sim.paper import PaperTradingSettings

__all__ = [
    "PaperConnectorFactory",
    "application_connector_manager",
    "install_paper_mode",
    "paper_venue",
    "public_book_source",
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
    """The simulated exchange ``name`` quoting off the public books of the real venue ``name``."""
    config = build_venue_config(name, trading_pairs, settings.venue_fields(), {})
    exchange = SimulatedExchange(config)
    source = public_book_source(name, trading_pairs)  # looked up at call time (tests replace the network)
    exchange.attach_feed(OrderBookFeed(lambda: source.order_books, depth=settings.book_depth, source=source))
    return exchange


class PaperConnectorFactory:
    """Stands in for ``ConnectorManager.create_connector``: names in ``markets`` become paper venues."""

    def __init__(
        self, manager: Any, original: Any, settings: PaperTradingSettings, markets: Mapping[str, Set[str]]
    ) -> None:
        self.manager = manager
        self.original = original  # Hummingbot's own create_connector (bound method)
        self.settings = settings
        self.markets = {name: set(pairs) for name, pairs in markets.items()}

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
        _register_with_rate_oracle(exchange)
        return exchange


def _register_with_rate_oracle(exchange: SimulatedExchange) -> None:
    """As Hummingbot's factory does: the oracle may price conversions from this venue's books."""
    from hummingbot.core.rate_oracle.rate_oracle import RateOracle

    RateOracle.get_instance().register_connector(exchange)


def install_paper_mode(
    manager: Any, settings: PaperTradingSettings, markets: Mapping[str, Set[str]]
) -> PaperConnectorFactory:
    """Make ``manager`` build the connectors of ``markets`` as paper venues (replaces an earlier install)."""
    remove_paper_mode(manager)
    factory = PaperConnectorFactory(manager, manager.create_connector, settings, markets)
    manager.create_connector = factory
    return factory


def remove_paper_mode(manager: Any) -> None:
    """Give ``manager`` back Hummingbot's own ``create_connector`` (no-op when paper mode is off)."""
    current = getattr(manager, "create_connector", None)
    if isinstance(current, PaperConnectorFactory):
        manager.create_connector = current.original


def application_connector_manager() -> Any | None:
    """The ConnectorManager of the running Hummingbot application (the one ``start`` uses), if any."""
    from hummingbot.client.hummingbot_application import HummingbotApplication

    core = getattr(HummingbotApplication._main_app, "trading_core", None)
    return getattr(core, "connector_manager", None)
