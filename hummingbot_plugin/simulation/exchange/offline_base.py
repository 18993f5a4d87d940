"""The static and offline half of the simulated exchange: identity, network lifecycle (nothing to
connect to, or a paper-trading feed to start), and ExchangePyBase's abstract hooks that have no work to
do offline. The simulated exchange proper (orders, fills, balances) is :mod:`exchange`.
"""

from __future__ import annotations

from typing import Any

from bidict import bidict
from hummingbot.connector.exchange_py_base import ExchangePyBase
from hummingbot.connector.trading_rule import TradingRule
from hummingbot.core.data_type.common import OrderType
from hummingbot.core.data_type.in_flight_order import InFlightOrder, TradeUpdate
from hummingbot.core.data_type.order_book import OrderBook
from hummingbot.core.network_iterator import NetworkStatus
from hummingbot.core.web_assistant.web_assistants_factory import WebAssistantsFactory

from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.exchange.sources import (
    OfflineOrderBookDataSource,
    OfflineUserStreamDataSource,
)

__all__ = ["OfflineExchangeBase"]


class OfflineExchangeBase(ExchangePyBase):
    """ExchangePyBase with every network dependency replaced; subclasses provide the venue."""

    _sim_config: SimExchangeConfig
    _sim_pairs: list[str]
    _sim_books: dict[str, OrderBook]
    _engines: dict[str, MatchingEngine]
    _last_prices: dict[str, float]
    _feed: Any

    # ----- identity / static exchange properties -----------------------------------------------
    @property
    def name(self) -> str:
        return self._sim_config.connector_name

    @property
    def sim_config(self) -> SimExchangeConfig:
        return self._sim_config

    @property
    def authenticator(self) -> None:
        return None

    @property
    def rate_limits_rules(self) -> list[Any]:
        return []

    @property
    def domain(self) -> str:
        return "simulated"

    @property
    def client_order_id_max_length(self) -> int:
        return 36

    @property
    def client_order_id_prefix(self) -> str:
        return "SIM"

    @property
    def trading_rules_request_path(self) -> str:
        return ""

    @property
    def trading_pairs_request_path(self) -> str:
        return ""

    @property
    def check_network_request_path(self) -> str:
        return ""

    @property
    def trading_pairs(self) -> list[str]:
        return self._sim_pairs

    @property
    def is_cancel_request_in_exchange_synchronous(self) -> bool:
        return True

    @property
    def is_trading_required(self) -> bool:
        return True

    def supported_order_types(self) -> list[OrderType]:
        return [OrderType.LIMIT, OrderType.LIMIT_MAKER, OrderType.MARKET]

    @property
    def status_dict(self) -> dict[str, bool]:
        return {
            "order_books_initialized": all(p in self._last_prices for p in self._sim_pairs),
            "account_balance": True,
            "trading_rule_initialized": len(self._trading_rules) > 0,
        }

    @property
    def order_books(self) -> dict[str, OrderBook]:
        return self._sim_books

    def get_order_book(self, trading_pair: str) -> OrderBook:
        if trading_pair not in self._sim_books:
            raise ValueError(f"No order book exists for '{trading_pair}'.")
        return self._sim_books[trading_pair]

    def engine(self, trading_pair: str) -> MatchingEngine:
        return self._engines[trading_pair]

    # ----- network lifecycle: nothing to connect to --------------------------------------------
    @property
    def live_fed(self) -> bool:
        """True in paper trading (fed by a live or recorded public book), False in a replay."""
        return self._feed is not None

    def attach_feed(self, feed: Any) -> None:
        """Live paper trading: ``feed.sync(timestamp)`` is called on every clock tick (see live.py)."""
        self._feed = feed
        feed.bind(self)

    def tick(self, timestamp: float) -> None:
        super().tick(timestamp)
        if self._feed is not None:
            self._feed.sync(timestamp)

    async def start_network(self) -> None:
        if self._feed is not None:
            await self._feed.start()

    async def stop_network(self) -> None:
        if self._feed is not None:
            await self._feed.stop()

    async def check_network(self) -> NetworkStatus:
        return NetworkStatus.CONNECTED

    # ----- ExchangePyBase abstract hooks with nothing to do offline ------------------------------
    def _is_request_exception_related_to_time_synchronizer(self, request_exception: Exception) -> bool:
        return False

    def _is_order_not_found_during_status_update_error(self, status_update_exception: Exception) -> bool:
        return "not found" in str(status_update_exception)

    def _is_order_not_found_during_cancelation_error(self, cancelation_exception: Exception) -> bool:
        return "not found" in str(cancelation_exception)

    async def _update_trading_fees(self) -> None:
        return None

    async def _user_stream_event_listener(self) -> None:
        return None

    async def _format_trading_rules(self, exchange_info_dict: dict[str, Any]) -> list[TradingRule]:
        return list(self._trading_rules.values())

    async def _update_balances(self) -> None:
        self._sync_balances()

    async def _all_trade_updates_for_order(self, order: InFlightOrder) -> list[TradeUpdate]:
        return []  # fills are pushed to the tracker as they happen

    def _create_web_assistants_factory(self) -> WebAssistantsFactory:
        return WebAssistantsFactory(throttler=self._throttler)

    def _create_order_book_data_source(self) -> OfflineOrderBookDataSource:
        return OfflineOrderBookDataSource(self._sim_pairs, self._last_prices)

    def _create_user_stream_data_source(self) -> OfflineUserStreamDataSource:
        return OfflineUserStreamDataSource()

    def _initialize_trading_pair_symbols_from_exchange_info(self, exchange_info: dict[str, Any]) -> None:
        self._set_trading_pair_symbol_map(bidict({p: p for p in self._sim_pairs}))
