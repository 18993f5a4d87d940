"""Recorded-feed client process: the two Hummingbot services that would poll an exchange, kept offline.

Called only by hummingbot_plugin.hb.client_boot in a ``--feed recorded`` client process:

* the rate oracle (PnL conversions) polls a public price API (Gate.io by default); its source becomes
  :class:`RecordedRateSource`, which has no prices of its own, so the oracle prices from the connectors
  registered with it (the paper venues, registered by paper_mode) -- the recorded books;
* a strategy's ``MarketDataProvider`` builds a real, keyless connector of a venue to poll its last
  prices; here it reads the paper venue of that name (:class:`PaperPriceSource`), and a venue without
  one fails closed;
* the terminal's trading-pair autocompletion downloads every paper-trade exchange's pair list; here it
  lists the pairs of the recorded captures instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from hummingbot.core.data_type.common import PriceType
from hummingbot.core.rate_oracle.rate_oracle import RateOracle
from hummingbot.core.rate_oracle.sources.rate_source_base import RateSourceBase

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.patches import (
    set_non_trading_connector_factory,
    set_rate_oracle,
    set_trading_pair_fetch,
)
from hummingbot_plugin.settings import data_dir

__all__ = [
    "PaperPriceSource",
    "RecordedRateOracle",
    "RecordedRateSource",
    "install_offline_services",
    "paper_connector_for",
    "recorded_pairs",
]

_CAPTURE = re.compile(r"^(?P<venue>[a-z_]+?)_(?P<pair>[A-Z0-9]+-[A-Z0-9]+)_spot_ws_raw_")


class RecordedRateSource(RateSourceBase):  # type: ignore[misc]
    """No prices: the oracle falls back to its registered (paper) connectors' mid prices."""

    @property
    def name(self) -> str:
        return "recorded_feed"

    async def get_prices(self, quote_token: str | None = None) -> dict[str, Decimal]:
        return {}


class RecordedRateOracle(RateOracle):  # type: ignore[misc]
    """A rate oracle whose source stays :class:`RecordedRateSource` (the client config sets one)."""

    @property
    def source(self) -> Any:
        return self._source

    @source.setter
    def source(self, new_source: Any) -> None:
        self._source = RecordedRateSource()


class PaperPriceSource:
    """A paper venue seen as the provider's price connector: its last trade (else mid) price."""

    def __init__(self, connector: Any) -> None:
        self._connector = connector

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connector, name)

    async def _get_last_traded_price(self, trading_pair: str) -> float:
        book = self._connector.order_books.get(trading_pair)
        if book is None or not book.snapshot[0].size or not book.snapshot[1].size:
            return 0.0  # no recorded book yet: the provider skips a price <= 0 silently
        price = self._connector.get_price_by_type(trading_pair, PriceType.LastTrade)
        if price is None or not price > 0:
            price = self._connector.get_price_by_type(trading_pair, PriceType.MidPrice)
        return float(price)


def paper_connector_for(provider: Any, connector_name: str) -> Any:
    """The replacement of ``MarketDataProvider._create_non_trading_connector``: the paper venue."""
    connector = provider.connectors.get(connector_name)
    if connector is None:
        raise ConfigError(
            f"recorded feed: {connector_name} has no paper venue, and the client is offline",
            fix="name only the script's own connectors in the controllers, or use --feed live",
        )
    return PaperPriceSource(connector)


def recorded_pairs(directory: Path) -> dict[str, list[str]]:
    """venue -> trading pairs that have a recorded capture in ``directory``."""
    pairs: dict[str, list[str]] = defaultdict(list)
    for path in sorted(directory.glob("*_spot_ws_raw_*")):
        match = _CAPTURE.match(path.name)
        if match and match["pair"] not in pairs[match["venue"]]:
            pairs[match["venue"]].append(match["pair"])
    return dict(pairs)


async def _fetch_recorded_pairs(fetcher: Any, client_config_map: Any) -> None:
    """The replacement of ``TradingPairFetcher.fetch_all``: no download."""
    fetcher.trading_pairs = recorded_pairs(data_dir())
    fetcher.ready = True


def install_offline_services() -> None:
    """Apply the replacements for this process (see the module doc)."""
    set_rate_oracle(RecordedRateOracle(source=RecordedRateSource()))
    set_non_trading_connector_factory(paper_connector_for)
    set_trading_pair_fetch(_fetch_recorded_pairs)
