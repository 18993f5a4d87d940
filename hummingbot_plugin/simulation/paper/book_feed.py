"""Paper trading: the simulated exchange fed by a real exchange's PUBLIC order books and trades.

The seam is one class, :class:`OrderBookFeed`: it reads Hummingbot ``OrderBook`` objects (those of a
real connector built with ``trading_required=False`` — public data, no keys) and, on every clock tick
of the simulated exchange, copies the top levels in; trades arrive through each book's own trade event.
Offline, :class:`CaptureBooks` maintains the same ``OrderBook`` objects from a recorded websocket
capture, so the seam is tested with real exchange messages.

Registration: :func:`install_paper_connectors` makes a TradingCore / ConnectorManager build
``<exchange>_sim`` names (e.g. ``binance_sim``) as simulated exchanges with configured balances.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from hummingbot.core.data_type.common import TradeType
from hummingbot.core.data_type.order_book import OrderBook
from hummingbot.core.data_type.order_book_row import OrderBookRow
from hummingbot.core.event.event_forwarder import SourceInfoEventForwarder
from hummingbot.core.event.events import OrderBookEvent, OrderBookTradeEvent

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.simulation.engine.config import build_venue_config
from hummingbot_plugin.simulation.engine.models import Side, TradePrint
from hummingbot_plugin.simulation.engine.ws_capture import CaptureKind, CaptureMessage, iter_capture
from hummingbot_plugin.simulation.exchange.books import snapshot_from_order_book
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange

__all__ = [
    "CaptureBooks",
    "OrderBookFeed",
    "install_into_application",
    "install_paper_connectors",
    "paper_exchange",
]


class OrderBookFeed:
    """Copies ``books()`` (pair → OrderBook) into a SimulatedExchange each tick; forwards trades."""

    def __init__(
        self,
        books: Callable[[], Mapping[str, OrderBook]],
        *,
        depth: int = 20,
        source: Any = None,
        to_clock: Callable[[float], float] | None = None,
    ) -> None:
        self._books = books
        self._depth = depth
        self._source = source  # the real connector whose network we start/stop, if any
        self._to_clock = to_clock  # a recorded trade time on the client's clock (recorded feed)
        self._forwarders: dict[str, SourceInfoEventForwarder] = {}
        self._versions: dict[str, tuple[int, int]] = {}  # pair -> (snapshot uid, last diff uid) last copied
        self._sim: SimulatedExchange | None = None

    def bind(self, sim: SimulatedExchange) -> None:
        self._sim = sim

    def sync(self, timestamp: float) -> None:
        """Pull the current top of every book the simulated venue trades.

        A book whose update ids have not moved since the last copy is not copied again: the simulated
        book keeps its old timestamp, so a feed that stopped mid-session ages and the stale-book rule and
        the feed monitor see it (a live venue's book changes every 100 ms to 1 s).
        """
        assert self._sim is not None
        books = self._books()
        for pair in self._sim.trading_pairs:
            book = books.get(pair)
            if book is None:
                continue
            if pair not in self._forwarders:
                self._forwarders[pair] = SourceInfoEventForwarder(self._trade_forwarder(pair))
                book.add_listener(OrderBookEvent.TradeEvent, self._forwarders[pair])
            version = (int(book.snapshot_uid), int(book.last_diff_uid))
            if self._versions.get(pair) == version:
                continue
            snapshot = snapshot_from_order_book(book, timestamp, self._depth)
            if snapshot.bids and snapshot.asks:
                self._sim.apply_book(pair, snapshot)
                self._versions[pair] = version

    def _trade_forwarder(self, pair: str) -> Callable[[int, Any, OrderBookTradeEvent], None]:
        def forward(event_tag: int, book: Any, event: OrderBookTradeEvent) -> None:
            assert self._sim is not None
            side = Side.BUY if event.type is TradeType.BUY else Side.SELL
            stamp = float(event.timestamp)
            trade = TradePrint(
                self._to_clock(stamp) if self._to_clock is not None else stamp,
                Decimal(str(event.price)),
                Decimal(str(event.amount)),
                side,
                str(event.trade_id or ""),
            )
            self._sim.apply_trade(pair, trade)

        return forward

    async def start(self) -> None:
        if self._source is not None:
            await self._source.start_network()

    async def stop(self) -> None:
        if self._source is not None:
            await self._source.stop_network()


class CaptureBooks:
    """Hummingbot OrderBooks rebuilt from a raw Binance capture: snapshot, then diffs in sequence."""

    def __init__(self, path: Path, trading_pair: str) -> None:
        self.trading_pair = trading_pair
        self.book = OrderBook()
        self._messages: Iterator[CaptureMessage] = iter_capture(path)
        self._last_update_id: int | None = None
        self._pending: CaptureMessage | None = None
        self._early_diffs: list[CaptureMessage] = []  # diffs received before the REST snapshot
        self.sequence_breaks = 0
        self.finished = False  # every message of the capture has been applied

    @property
    def books(self) -> dict[str, OrderBook]:
        return {self.trading_pair: self.book} if self._last_update_id is not None else {}

    def advance_to(self, timestamp: float) -> int:
        """Apply every message received up to ``timestamp``; returns how many were applied."""
        applied = 0
        while True:
            message = self._pending or next(self._messages, None)
            self._pending = None
            if message is None:
                self.finished = True
                return applied
            if message.received_at > timestamp:
                self._pending = message
                return applied
            self._apply(message)
            applied += 1

    def _apply(self, message: CaptureMessage) -> None:
        if message.kind is CaptureKind.SNAPSHOT:
            self.book.apply_snapshot(
                _rows(message.bids, message.last_update_id),
                _rows(message.asks, message.last_update_id),
                message.last_update_id,
            )
            self._last_update_id = message.last_update_id
            early, self._early_diffs = self._early_diffs, []
            for diff in early:
                self._apply(diff)
        elif message.kind is CaptureKind.DIFF and self._last_update_id is None:
            self._early_diffs.append(message)
        elif message.kind is CaptureKind.DIFF and self._last_update_id is not None:
            if message.last_update_id <= self._last_update_id:
                return  # already contained in the snapshot
            if message.first_update_id > self._last_update_id + 1:
                self.sequence_breaks += 1
            self.book.apply_diffs(
                _rows(message.bids, message.last_update_id),
                _rows(message.asks, message.last_update_id),
                message.last_update_id,
            )
            self._last_update_id = message.last_update_id
        elif message.kind is CaptureKind.TRADE and self._last_update_id is not None:
            self.book.apply_trade(
                OrderBookTradeEvent(
                    trading_pair=self.trading_pair,
                    timestamp=message.trade_time,
                    type=TradeType.SELL if message.aggressor is Side.SELL else TradeType.BUY,
                    price=message.price,
                    amount=message.amount,
                    trade_id=message.trade_id,
                )
            )


def _rows(levels: tuple[tuple[Decimal, Decimal], ...], update_id: int) -> list[OrderBookRow]:
    return [OrderBookRow(float(p), float(q), update_id) for p, q in levels]


def paper_exchange(
    name: str,
    source_connector: Any,
    trading_pairs: list[str],
    settings: dict[str, Any],
    balances: dict[str, Decimal],
) -> SimulatedExchange:
    """A simulated venue ``name`` quoting off ``source_connector``'s public order books."""
    config = build_venue_config(name, trading_pairs, settings, balances)
    exchange = SimulatedExchange(config)
    exchange.attach_feed(OrderBookFeed(lambda: source_connector.order_books, source=source_connector))
    return exchange


def install_paper_connectors(connector_manager: Any, venues: dict[str, dict[str, Any]]) -> None:
    """Make ``connector_manager.create_connector`` build the listed ``<exchange>_sim`` names.

    ``venues``: ``{"binance_sim": {"source": "binance", "balances": {...}, "maker_fee": ..., ...}}``.
    Other names go to Hummingbot's own factory unchanged. The real source connector is created with
    ``trading_required=False`` and no keys: public order books and trades only.
    """
    from hummingbot.client.settings import AllConnectorSettings

    original = connector_manager.create_connector
    known = AllConnectorSettings.get_connector_settings()
    for name, spec in venues.items():
        if str(spec.get("source")) not in known:
            raise ConfigError(
                f"paper venue {name}: unknown source exchange {spec.get('source')!r}",
                fix="set source to a Hummingbot exchange name, e.g. binance",
            )

    def create_connector(
        connector_name: str,
        trading_pairs: list[str],
        trading_required: bool = True,
        api_keys: dict[str, str] | None = None,
    ) -> Any:
        spec = venues.get(connector_name)
        if spec is None:
            return original(connector_name, trading_pairs, trading_required, api_keys)
        settings = {k: v for k, v in spec.items() if k != "source"}
        source = known[str(spec["source"])].non_trading_connector_instance_with_default_configuration(
            trading_pairs=trading_pairs
        )
        exchange = paper_exchange(connector_name, source, trading_pairs, settings, {})
        connector_manager.connectors[connector_name] = exchange
        return exchange

    connector_manager.create_connector = create_connector
    for name, spec in venues.items():  # make the name resolvable wherever Hummingbot looks it up
        known[name] = known[str(spec["source"])]._replace(
            name=name, is_sub_domain=True, parent_name=str(spec["source"])
        )


def install_into_application(venues: dict[str, dict[str, Any]]) -> None:
    """Register paper venues on the running Hummingbot application (call before ``start``)."""
    from hummingbot.client.hummingbot_application import HummingbotApplication

    install_paper_connectors(HummingbotApplication.main_application().trading_core.connector_manager, venues)
