"""MarketDataProvider for replays: simulated time and candles closed up to that time, no network."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from hummingbot.connector.connector_base import ConnectorBase
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig
from hummingbot.data_feed.market_data_provider import MarketDataProvider

from hummingbot_plugin.simulation.engine.candle_store import CandleStore

__all__ = ["ReplayCandlesFeed", "ReplayMarketDataProvider", "provider_factory"]


class ReplayCandlesFeed:
    """What ``get_candles_feed`` returns: the candles-feed surface controllers touch."""

    def __init__(self, provider: ReplayMarketDataProvider, config: CandlesConfig) -> None:
        self._provider = provider
        self._config = config

    @property
    def ready(self) -> bool:
        return True

    @property
    def candles_df(self) -> pd.DataFrame:
        c = self._config
        return self._provider.get_candles_df(c.connector, c.trading_pair, c.interval, c.max_records)

    def start(self) -> None:
        return None

    def stop(self) -> None:
        return None


class ReplayMarketDataProvider(MarketDataProvider):
    """Serves ``time()`` and candles from the replay; prices and books come from the simulated connectors."""

    def __init__(
        self, connectors: dict[str, ConnectorBase], *, candles: CandleStore, now: Callable[[], float]
    ) -> None:
        super().__init__(connectors)
        self._candles = candles
        self._now = now

    def time(self) -> float:
        return self._now()

    def get_candles_feed(self, config: CandlesConfig) -> ReplayCandlesFeed:
        key = self._generate_candle_feed_key(config)
        feed = self.candles_feeds.get(key)
        if feed is None:
            feed = ReplayCandlesFeed(self, config)
            self.candles_feeds[key] = feed
        return feed

    def get_candles_df(
        self, connector_name: str, trading_pair: str, interval: str, max_records: int = 500
    ) -> pd.DataFrame:
        return self._candles.closed_bars(connector_name, trading_pair, interval, self._now(), max_records)

    def initialize_rate_sources(self, connector_pairs: list[Any]) -> None:
        return None  # rates come from the simulated connectors' own prices

    def stop(self) -> None:
        self.candles_feeds.clear()


def provider_factory(
    candles: CandleStore, now: Callable[[], float]
) -> Callable[[dict[str, ConnectorBase]], ReplayMarketDataProvider]:
    """A drop-in for the ``MarketDataProvider(connectors)`` call inside StrategyV2Base.__init__."""

    def build(connectors: dict[str, ConnectorBase], *args: Any, **kwargs: Any) -> ReplayMarketDataProvider:
        return ReplayMarketDataProvider(connectors, candles=candles, now=now)

    return build
