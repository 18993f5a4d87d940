"""Offline stand-ins for the two network data sources ExchangePyBase builds in its constructor.

The simulated exchange is fed explicitly (replay files or a live bridge), so these never connect:
they exist only because ExchangePyBase's constructor requires them. Any attempt to use the network
through them raises, naming the feeding API to use instead.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hummingbot.core.data_type.order_book_tracker_data_source import OrderBookTrackerDataSource
from hummingbot.core.data_type.user_stream_tracker_data_source import UserStreamTrackerDataSource

from hummingbot_plugin.errors import SimulationError

__all__ = ["OfflineOrderBookDataSource", "OfflineUserStreamDataSource"]

_FIX = "feed the simulated exchange with apply_book/apply_trade (replay) or LiveBookBridge (paper trading)"


class OfflineOrderBookDataSource(OrderBookTrackerDataSource):
    """Order-book source that never opens a connection."""

    def __init__(self, trading_pairs: list[str], last_prices: dict[str, float]) -> None:
        super().__init__(trading_pairs)
        self._last_prices = last_prices

    async def get_last_traded_prices(
        self, trading_pairs: list[str], domain: str | None = None
    ) -> dict[str, float]:
        return {pair: self._last_prices[pair] for pair in trading_pairs if pair in self._last_prices}

    async def listen_for_subscriptions(self) -> None:
        raise SimulationError("the simulated exchange has no websocket", fix=_FIX)

    async def _order_book_snapshot(self, trading_pair: str) -> Any:
        raise SimulationError("the simulated exchange has no REST snapshot endpoint", fix=_FIX)

    async def subscribe_to_trading_pair(self, trading_pair: str) -> bool:
        return False

    async def unsubscribe_from_trading_pair(self, trading_pair: str) -> bool:
        return False


class OfflineUserStreamDataSource(UserStreamTrackerDataSource):
    """User stream that is always 'connected': account updates are produced locally."""

    @property
    def last_recv_time(self) -> float:
        return 1.0

    async def listen_for_user_stream(self, output: asyncio.Queue[Any]) -> None:
        return None

    async def _connected_websocket_assistant(self) -> Any:
        raise SimulationError("the simulated exchange has no user stream websocket", fix=_FIX)

    async def _subscribe_channels(self, websocket_assistant: Any) -> None:
        return None
