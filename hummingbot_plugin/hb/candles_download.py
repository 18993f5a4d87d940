"""Download candles with Hummingbot's own feed (CandlesFactory → get_historical_candles).

This is the only network path of the data layer; it cannot run offline and is not exercised by
the test-suite (no exchange access here). It returns our validated six-column frame.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pandas as pd
from hummingbot.data_feed.candles_feed.candles_factory import CandlesFactory, UnsupportedConnectorException
from hummingbot.data_feed.candles_feed.data_types import CandlesConfig, HistoricalCandlesConfig

from hummingbot_plugin.data import candles_from_frame
from hummingbot_plugin.errors import ConfigError, DataError

if TYPE_CHECKING:
    from hummingbot_plugin.data.download import DownloadRequest

__all__ = ["download_candles", "supported_connectors"]


def supported_connectors() -> list[str]:
    """Connectors Hummingbot has a candles feed for."""
    return sorted(CandlesFactory._candles_map)


def download_candles(request: DownloadRequest) -> pd.DataFrame:
    """Fetch ``request``'s candles from the exchange and validate them."""
    config = CandlesConfig(
        connector=request.connector, trading_pair=request.trading_pair, interval=request.interval
    )
    try:
        feed = CandlesFactory.get_candle(config)
    except UnsupportedConnectorException:
        raise ConfigError(
            f"Hummingbot has no candles feed for connector {request.connector!r}",
            fix=f"use one of {', '.join(supported_connectors())}",
        ) from None
    historical = HistoricalCandlesConfig(
        connector_name=request.connector,
        trading_pair=request.trading_pair,
        interval=request.interval,
        start_time=request.start,
        end_time=request.end,
    )
    raw = asyncio.run(feed.get_historical_candles(config=historical))
    if raw is None or len(raw) == 0:
        raise DataError(
            f"{request.connector} returned no {request.interval} candles for {request.trading_pair}",
            fix="check the pair, the period and your network access",
        )
    raw = raw.sort_values("timestamp").drop_duplicates(subset="timestamp", keep="last")
    return candles_from_frame(raw, f"{request.connector} {request.trading_pair} {request.interval}")
