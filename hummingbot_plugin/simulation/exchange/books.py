"""Conversions between the pure engine's value types and Hummingbot's order-book types."""

from __future__ import annotations

from decimal import Decimal

from hummingbot.connector.trading_rule import TradingRule
from hummingbot.core.data_type.common import OrderType, TradeType
from hummingbot.core.data_type.order_book import OrderBook
from hummingbot.core.data_type.order_book_row import OrderBookRow
from hummingbot.core.event.events import OrderBookTradeEvent

from hummingbot_plugin.simulation.engine.config import PairRules
from hummingbot_plugin.simulation.engine.models import BookLevel, BookSnapshot, OrderKind, Side, TradePrint

__all__ = [
    "apply_snapshot_to_order_book",
    "order_kind",
    "side_of",
    "snapshot_from_order_book",
    "trade_event",
    "trading_rule",
]


def trading_rule(rules: PairRules) -> TradingRule:
    return TradingRule(
        trading_pair=rules.trading_pair,
        min_order_size=rules.min_order_size,
        min_price_increment=rules.min_price_increment,
        min_base_amount_increment=rules.min_base_amount_increment,
        min_notional_size=rules.min_notional_size,
    )


def side_of(trade_type: TradeType) -> Side:
    return Side.BUY if trade_type is TradeType.BUY else Side.SELL


def order_kind(order_type: OrderType) -> OrderKind:
    if order_type is OrderType.MARKET:
        return OrderKind.MARKET
    if order_type is OrderType.LIMIT_MAKER:
        return OrderKind.LIMIT_MAKER
    return OrderKind.LIMIT


def apply_snapshot_to_order_book(book: OrderBook, snapshot: BookSnapshot, update_id: int) -> None:
    """Mirror an engine snapshot into Hummingbot's OrderBook (what executors and the MDP read)."""
    bids = [OrderBookRow(float(lvl.price), float(lvl.amount), update_id) for lvl in snapshot.bids]
    asks = [OrderBookRow(float(lvl.price), float(lvl.amount), update_id) for lvl in snapshot.asks]
    book.apply_snapshot(bids, asks, update_id)


def snapshot_from_order_book(book: OrderBook, timestamp: float, depth: int = 20) -> BookSnapshot:
    """Top ``depth`` levels of a (live) Hummingbot OrderBook as an engine snapshot."""
    bids: list[BookLevel] = []
    asks: list[BookLevel] = []
    for row in book.bid_entries():
        if len(bids) >= depth:
            break
        bids.append(BookLevel(Decimal(str(row.price)), Decimal(str(row.amount))))
    for row in book.ask_entries():
        if len(asks) >= depth:
            break
        asks.append(BookLevel(Decimal(str(row.price)), Decimal(str(row.amount))))
    return BookSnapshot(timestamp, tuple(bids), tuple(asks))


def trade_event(trading_pair: str, trade: TradePrint) -> OrderBookTradeEvent:
    trade_type = TradeType.BUY if trade.aggressor is Side.BUY else TradeType.SELL
    return OrderBookTradeEvent(
        trading_pair=trading_pair,
        timestamp=trade.timestamp,
        type=trade_type,
        price=trade.price,
        amount=trade.amount,
        trade_id=trade.trade_id,
    )
